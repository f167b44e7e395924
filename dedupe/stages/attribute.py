"""Name where a story comes from, and say why.

Evidence, read from every text of a cluster:

- credits in the text: "Original Source: www.livemint.com", "MENAFN - Live Mint)",
  "(Reuters) -", "— AP", "By Jane Doe, PA News", "© 2024 Reuters", "first appeared in
  the Northfield Post", "(With agency inputs)", "X reported", "according to AFP";
- page metadata (formats.py keeps it): the outlet (og:site_name), the author, the canonical link;
- the wire-agency list of `AttributeOptions`, so that an agency's own text and wire reuse are
  recognised;
- publication times, and the direction of containment on the cluster's derivation links.

The rule, in order (each step that decides is written into the evidence):

1. Time: the earliest published text is the one the others derive from, when its time is
   known and no other text of the cluster has the same time.
2. Without a deciding time: a text that credits another outlet comes after one that does not;
   then a wire agency's own text comes first (wire copy is written to be reused); then the text
   heading the derivation tree (cluster.py ranks by links to the others and by containment).
3. Source: a text that credits another outlet (source line, dateline, byline, sign-off,
   copyright line, author, canonical link) carries that outlet's story; the outlet's own text is
   in the corpus only when a text of that outlet is in the cluster. Otherwise the chosen text's
   own outlet is the source; when it has none, the outlet its copies credit.
4. Conflict: a text that presents itself as original (it credits its own outlet) but is later
   than the chosen text and mostly contained in it does not win: time and containment outweigh
   what a text says about itself. The overruled claim is listed in the evidence.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from ..config import AttributeOptions
from ..model import Document, Match, Original, published_instant
from .credits import DEFAULT_OPTIONS, SYNDICATION, Credit, CreditFinder, strongest_credit
from .outlets import _host, outlet_key, same_outlet


@dataclass(frozen=True)
class Derivation:
    """One edge of a cluster's derivation tree, between document ids: `child` derives from `parent`.
    (store.Link is a different thing: a verified match between two stored articles.)"""

    child: str
    parent: str
    child_in_parent: float  # share of the child's word 3-grams found in the parent
    parent_in_child: float

    @classmethod
    def from_match(cls, child: str, parent: str, match: Match, child_is_a: bool) -> "Derivation":
        if child_is_a:
            return cls(child, parent, match.contain_ab, match.contain_ba)
        return cls(child, parent, match.contain_ba, match.contain_ab)


def is_wire_agency(name: str | None, options: AttributeOptions | None = None) -> bool:
    """True when an outlet name is on the wire-agency list ("PA", "Press Association", "Reuters")."""
    return (options or DEFAULT_OPTIONS).agency(name) is not None



@dataclass(frozen=True)
class _Profile:
    """What one text of the cluster says about itself."""

    doc: Document
    own: str | None               # the text's own outlet
    credits: tuple[Credit, ...]
    credited: str | None          # the outlet it credits as its source, other than its own
    claims: tuple[Credit, ...]    # strong credits of its own outlet: it presents itself as original
    wire: str | None              # the agency, when the text is a wire agency's own text
    instant: float | None

    @property
    def admits_copy(self) -> bool:
        return self.credited is not None


def _own_outlet(doc: Document) -> str | None:
    if doc.source:
        return doc.source
    if doc.url and not doc.meta.get("canonical"):
        return _host(doc.url)  # the article's own address (a canonical link may point elsewhere)
    return None


def _profile(doc: Document, finder: CreditFinder) -> _Profile:
    own = _own_outlet(doc)
    credits = tuple(finder.find_in_document(doc))
    strong = [c for c in credits if c.strong and c.source != "wire agency"]
    return _Profile(doc=doc, own=own, credits=credits,
                    credited=strongest_credit([c for c in strong if not same_outlet(c.source, own)]),
                    claims=tuple(c for c in strong if same_outlet(c.source, own)),
                    wire=finder.options.agency(own), instant=published_instant(doc.published))


def _list(ids: Sequence[str], limit: int = 4) -> str:
    shown = ", ".join(ids[:limit])
    return shown + (f" and {len(ids) - limit} more" if len(ids) > limit else "")


def _choose(root: str, profiles: dict[str, _Profile], evidence: list[str]) -> _Profile:
    """Rules 1 and 2 of the module docstring: the text the others derive from."""
    dated = sorted((p for p in profiles.values() if p.instant is not None), key=lambda p: (p.instant, p.doc.id))
    candidates = list(profiles.values())
    if dated:
        first = [p for p in dated if p.instant == dated[0].instant]
        if len(first) == 1:
            nxt = f"; next: {dated[1].doc.id} at {dated[1].doc.published}" if len(dated) > 1 else ""
            evidence.append(f"{first[0].doc.id} is the earliest published text ({first[0].doc.published}{nxt})")
            return first[0]
        candidates = first
        evidence.append(f"{len(first)} texts share the earliest time ({first[0].doc.published}): "
                        "decided by credits and containment")
    else:
        evidence.append("no publication times: decided by credits and containment")
    position = {doc_id: n for n, doc_id in enumerate(profiles)}
    ranked = sorted(candidates, key=lambda p: (p.admits_copy, p.wire is None, p.doc.id != root,
                                               position[p.doc.id]))
    best, rest = ranked[0], ranked[1:]
    tree = "" if best.doc.id == root else f" (the derivation tree starts at {root})"
    if best.wire is not None and any(p.wire is None for p in rest):
        evidence.append(f"{best.doc.id} is the wire agency {best.wire}'s own text: wire copy is written "
                        f"to be reused, so the others are taken to derive from it{tree}")
    elif not best.admits_copy and any(p.admits_copy for p in rest):
        evidence.append(f"{best.doc.id} credits no other outlet, unlike "
                        f"{_list([p.doc.id for p in rest if p.admits_copy])}{tree}")
    elif rest:
        evidence.append(f"{best.doc.id} heads the cluster's derivation tree (ranked by its links to the "
                        "others and by containment: a copy adds to what it takes)")
    return best


def attribute(root: Document, members: Sequence[Document], links: Sequence[Derivation] = (),
              options: AttributeOptions | None = None) -> Original:
    """The cluster's origin: the outlet the story comes from, the corpus text closest to it, and
    the evidence (the rule is in the module docstring).

    `root` is the first text of the cluster's derivation tree, `members` all its texts (the root
    may be among them) and `links` its derivation links, for the containment between texts.

    >>> a = Document("a", "LONDON (Reuters) - Shares fell on Monday.", source="City Post")
    >>> attribute(a, [a]).source, attribute(a, [a]).in_corpus
    ('Reuters', False)
    """
    options = options or DEFAULT_OPTIONS
    docs = {d.id: d for d in [root, *members]}
    finder = CreditFinder(options, (d.source for d in docs.values() if d.source))
    profiles = {i: _profile(d, finder) for i, d in docs.items()}
    reasons: list[str] = []
    chosen = _choose(root.id, profiles, reasons)
    reasons.extend(f"{chosen.doc.id} {c.reason}" for c in chosen.credits)

    relation, in_corpus = "original", True
    if chosen.credited:
        source = _readable(chosen.credited, profiles)
        own_text = sorted((p for p in profiles.values() if p is not chosen and same_outlet(p.own, source)),
                          key=lambda p: (p.instant is None, p.instant or 0.0, p.doc.id))
        if own_text:
            reasons.append(f"{chosen.doc.id} credits {source}, whose own text {own_text[0].doc.id} is in the corpus")
            chosen = own_text[0]
            source = chosen.own or source
            conclusion = f"{chosen.doc.id} is {source}'s own text"
        else:
            kinds = {c.kind for c in chosen.credits if c.strong and same_outlet(c.source, source)}
            relation = "copy" if kinds & SYNDICATION else "derived"
            what = "a syndicated copy of" if relation == "copy" else "derived from"
            conclusion = f"{chosen.doc.id} is {what} {source}'s story; {source}'s own text is not in the corpus"
            in_corpus = False
    elif chosen.own:
        source = chosen.own
        conclusion = f"{chosen.doc.id} is {source}'s own text"
    else:
        source = _readable(strongest_credit([c for p in profiles.values() if p is not chosen
                                             for c in p.credits if c.strong]), profiles)
        conclusion = (f"{chosen.doc.id} names no outlet; the texts derived from it credit {source}" if source
                      else f"{chosen.doc.id} is the original; no text names an outlet")

    evidence = [conclusion, *reasons, *_copy_credits(chosen, profiles, source, options),
                *_overruled_claims(chosen, profiles, links, source, options)]
    evidence.extend(f"wire reuse: {doc_id} uses material from {' and '.join(names)}"
                    for doc_id, names in _wire_reuse(profiles, options).items())
    agencies = {options.agency(c.source) for p in profiles.values() for c in p.credits} | {options.agency(source)}
    return Original(id=chosen.doc.id, source=source, in_corpus=in_corpus, evidence=tuple(evidence),
                    relation=relation, wire=options.agency(source) is not None,
                    agencies=tuple(sorted(a for a in agencies if a)))


def _readable(source: str | None, profiles: dict[str, _Profile]) -> str | None:
    """The name an outlet goes by in the data: its texts' own name, else a credited name with
    spaces ("Live Mint" rather than "livemint")."""
    if source is None:
        return None
    key = outlet_key(source)
    owned = [p.own for p in profiles.values() if p.own and outlet_key(p.own) == key]
    spaced = [c.source for p in profiles.values() for c in p.credits if " " in c.source and outlet_key(c.source) == key]
    return (owned or spaced or [source])[0]


def _copy_credits(chosen: _Profile, profiles: dict[str, _Profile], source: str | None,
                  options: AttributeOptions) -> list[str]:
    """One line per outlet the other texts credit: which texts, and whether that agrees."""
    by_outlet: dict[str, list[str]] = defaultdict(list)
    names: dict[str, str] = {}
    for p in profiles.values():
        if p is chosen:
            continue
        for c in p.credits:
            if c.source != "wire agency" and not same_outlet(c.source, p.own) and (
                    c.strong or not options.agency(c.source)):  # wire citations are listed as reuse
                key = outlet_key(c.source)
                names.setdefault(key, c.source)
                if p.doc.id not in by_outlet[key]:
                    by_outlet[key].append(p.doc.id)
    lines = []
    for key, ids in sorted(by_outlet.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        agree = "" if same_outlet(names[key], source) else " (not the source named)"
        texts = f"{len(ids)} other texts credit" if len(ids) > 1 else "1 other text credits"
        lines.append(f"{texts} {_readable(names[key], profiles)}{agree}: {_list(ids)}")
    return lines


def _overruled_claims(chosen: _Profile, profiles: dict[str, _Profile], links: Sequence[Derivation],
                      source: str | None, options: AttributeOptions) -> list[str]:
    """Rule 4: texts presenting themselves as original that time and containment overrule."""
    contained: dict[str, float] = {}
    for link in links:
        if link.parent == chosen.doc.id:
            contained[link.child] = link.child_in_parent
        elif link.child == chosen.doc.id:
            contained[link.parent] = link.parent_in_child
    lines = []
    for p in profiles.values():
        if (p is chosen or not p.claims or p.admits_copy or same_outlet(p.own, source)
                or same_outlet(p.own, chosen.own) or contained.get(p.doc.id, 0.0) < options.claim_contained):
            continue
        later = p.instant is not None and chosen.instant is not None and p.instant > chosen.instant
        when = f"it was published after {chosen.doc.id} and " if later else ""
        lines.append(f"conflict: {p.doc.id} presents itself as original ({p.claims[0].reason}), but {when}"
                     f"{contained[p.doc.id]:.0%} of its text is in {chosen.doc.id}; rule: time and containment "
                     "outweigh what a text says about itself, so it counts as derived")
    return lines


def _wire_reuse(profiles: dict[str, _Profile], options: AttributeOptions) -> dict[str, list[str]]:
    """Texts that cite wire agencies or say they use agency inputs: text id -> agencies."""
    reuse: dict[str, list[str]] = {}
    for p in profiles.values():
        names = []
        for c in p.credits:
            if c.strong or not (c.source == "wire agency" or options.agency(c.source)):
                continue
            name = "an unnamed agency" if c.source == "wire agency" else c.source
            if name not in names:
                names.append(name)
        if names:
            reuse[p.doc.id] = names
    return reuse
