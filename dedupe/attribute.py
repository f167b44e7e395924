"""Name where a story comes from: the original's outlet, or the outlet its copies credit.

Credits recognised in the text: "Original Source: www.livemint.com",
"MENAFN - Live Mint)", "(Reuters) -", "— AP", "By Jane Doe, PA News",
"(With agency inputs)", "X reported", "according to AFP".
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from .model import Document, Original

WIRE_AGENCIES = {
    "reuters": "Reuters", "ap": "AP", "associated press": "AP", "afp": "AFP",
    "agence france-presse": "AFP", "pa": "PA", "pa news": "PA", "press association": "PA",
    "pti": "PTI", "ani": "ANI", "ians": "IANS", "dpa": "dpa", "efe": "EFE", "xinhua": "Xinhua",
    "ansa": "ANSA", "kyodo": "Kyodo", "bloomberg": "Bloomberg", "upi": "UPI", "tass": "TASS",
    "anadolu": "Anadolu", "yonhap": "Yonhap", "bernama": "Bernama", "apa": "APA", "cp": "CP",
}
_AGENCY_ALT = "|".join(sorted((re.escape(k) for k in WIRE_AGENCIES), key=len, reverse=True))

CREDIT_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("names its original source", re.compile(r"Original\s+Source\s*:\s*(?:https?://)?(?:www\.)?([\w.-]+\.[a-z]{2,})", re.I)),
    ("carries a MENAFN dateline credit", re.compile(r"MENAFN\s*[-–—]\s*([^)\n]{2,40})\)")),
    ("carries a wire dateline", re.compile(rf"\((?P<agency>{_AGENCY_ALT})\)\s*[-–—]?", re.I)),
    ("signs off with a wire credit", re.compile(rf"[-–—]\s*(?P<agency>{_AGENCY_ALT})\s*$", re.I | re.M)),
    ("has a wire byline", re.compile(rf"\bBy\s+[\w.' -]+,\s*(?P<agency>{_AGENCY_ALT})(?:\s+News)?\b", re.I)),
    ("cites a wire agency", re.compile(rf"\b(?:according to|told|reported by)\s+(?P<agency>{_AGENCY_ALT})\b|\b(?P<agency2>{_AGENCY_ALT})\s+reported\b", re.I)),
)
AGENCY_INPUTS = re.compile(r"\(\s*with\s+(?:agency|wire)\s+inputs\s*\)", re.I)


@dataclass(frozen=True)
class Credit:
    source: str
    reason: str
    weight: int = 2  # a dateline or source line counts more than a passing citation


def _canonical(name: str) -> str:
    name = name.strip().strip(".,;:)")
    key = name.lower()
    if key in WIRE_AGENCIES:
        return WIRE_AGENCIES[key]
    domain = re.fullmatch(r"(?:www\.)?([\w-]+)\.(?:com|co\.uk|in|org|net|news|example)", key)
    if domain:
        return domain.group(1)
    return name


def is_wire_agency(name: str | None) -> bool:
    """True when an outlet name is one of the wire agencies."""
    return bool(name) and name.strip().lower() in WIRE_AGENCIES


def find_credits(text: str) -> list[Credit]:
    """Outlets a text credits as its source, in order of appearance."""
    found: list[tuple[int, Credit]] = []
    for reason, pattern in CREDIT_PATTERNS:
        for m in pattern.finditer(text):
            groups = m.groupdict()
            name = groups.get("agency") or groups.get("agency2") or m.group(1)
            if name:
                weight = 1 if reason == "cites a wire agency" else 2
                found.append((m.start(), Credit(_canonical(name), f"{reason}: {m.group(0).strip()!r}", weight)))
    if AGENCY_INPUTS.search(text):
        found.append((len(text), Credit("wire agency", "says it uses agency inputs")))
    return [c for _, c in sorted(found, key=lambda t: t[0])]


def outlet_key(name: str) -> str:
    """Comparable form of an outlet name: "Live Mint", "livemint", "www.livemint.com" agree."""
    key = re.sub(r"^(?:https?://)?(?:www\.)?", "", name.strip().lower())
    key = re.sub(r"\.(?:com|co\.uk|in|org|net|news|example)(?:/.*)?$", "", key)
    return re.sub(r"[^a-z0-9]", "", key)


def _same_outlet(a: str | None, b: str | None) -> bool:
    if not a or not b:
        return False
    x, y = outlet_key(a), outlet_key(b)
    return bool(x) and bool(y) and (x == y or x.startswith(y) or y.startswith(x))


def strongest_credit(credits: Sequence[Credit]) -> str | None:
    """The outlet credited most (datelines and source lines weigh double); its most readable name."""
    weights: Counter[str] = Counter()
    names: dict[str, str] = {}
    for c in credits:
        if c.source == "wire agency":
            continue
        key = outlet_key(c.source)
        weights[key] += c.weight
        if key not in names or (" " in c.source and " " not in names[key]):
            names[key] = c.source
    if not weights:
        return None
    key = max(weights, key=lambda k: (weights[k], k))
    return names[key]


def attribute(original: Document, members: Sequence[Document]) -> Original:
    """The cluster's origin: the original text's outlet unless the texts credit another one.

    Rule for conflicts: a named source that is not the original text's own outlet
    wins over the original's outlet only when the original itself credits it (it
    is then a copy of a text outside the corpus); credits found only in copies are
    listed as evidence.
    """
    evidence: list[str] = []
    if original.published:
        evidence.append(f"{original.id} is the earliest published text ({original.published})")
    else:
        evidence.append(f"{original.id} is the text the others derive from (no publication times)")
    own = list(find_credits(original.text))
    for credit in own:
        evidence.append(f"{original.id} {credit.reason}")
    named = strongest_credit(own)
    if named:
        if not _same_outlet(named, original.source):
            evidence.append(f"the original credits {named}, whose own text is not in the corpus")
            return Original(id=original.id, source=named, in_corpus=False, evidence=tuple(evidence))
    for doc in members:
        for credit in find_credits(doc.text):
            if doc.id != original.id:
                evidence.append(f"{doc.id} {credit.reason}")
    source = original.source
    if source is None:
        source = strongest_credit([c for d in members if d.id != original.id for c in find_credits(d.text)])
        if source:
            evidence.append(f"copies credit {source}")
    return Original(id=original.id, source=source, in_corpus=True, evidence=tuple(evidence))
