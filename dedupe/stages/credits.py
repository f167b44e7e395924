"""Credits in a text: the outlets it names as its source, and how ("Original Source:
www.livemint.com", "(Reuters) -", "By Jane Doe, PA News", "© 2024 Reuters", "according to AFP",
datelines in other scripts...), with the page metadata formats.py keeps (og:site_name, author,
canonical link).  attribute.py weighs them with times and containment."""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import chain
from types import MappingProxyType

from ..config import AttributeOptions
from ..model import Document
from .outlets import DOMAIN_SUFFIX, _host, acronym, is_own_site, outlet_key


DEFAULT_OPTIONS = AttributeOptions()

STRONG = frozenset({"source line", "syndication dateline", "dateline", "script dateline", "dispatch dateline",
                    "sign-off", "credit line", "byline", "copyright line", "republication note", "author",
                    "canonical link"})
"""Credit kinds that say a text carries that outlet's story. The others ("citation",
"agency inputs") only say some material came from there: wire reuse."""
SYNDICATION = frozenset({"syndication dateline", "dateline", "script dateline", "dispatch dateline", "sign-off",
                         "credit line", "byline"})
"""Credits with which syndicated copies are carried as they are: the text is a copy."""


@dataclass(frozen=True)
class Credit:
    """An outlet a text credits, how (`kind`) and where (`reason`, with the words quoted)."""

    source: str
    reason: str
    kind: str = "credit line"

    @property
    def strong(self) -> bool:
        """The credit says the text carries that outlet's story (not only some of its material)."""
        return self.kind in STRONG

    @property
    def weight(self) -> int:
        return 2 if self.strong else 1


def _quote(m: re.Match[str]) -> str:
    piece = " ".join(m.group(0).split())
    return repr(piece if len(piece) <= 80 else piece[:79] + "…")


# A name as credited: a word, then up to four capitalised words ("dpa", "Reuters", "PA News",
# "the Associated Press"). Which names count is decided by CreditFinder.known, not here, so the
# patterns are compiled once for every agency list and corpus.
_NAME = r"[A-Za-z][\w&.'’-]*(?:[ \t]+(?:of[ \t]+)?[A-Z][\w&.'’-]*){0,4}"
_FREE_NAME = r"(?:the\s+)?(?P<free>[A-Z][\w&'.-]*(?:\s+(?:of\s+)?[A-Z][\w&'.-]*){0,4})"
_DOMAIN = r"(?:https?://)?(?:www\.)?(?P<free>[\w-]+(?:\.[\w-]+)*\.[a-z]{2,})"
_CITING = (r"\b(?i:according[ \t]+to|told|reported[ \t]+by|(?:additional[ \t]+)?reporting[ \t]+by|quoted[ \t]+by)"
           rf"[ \t]+(?P<name>{_NAME})")
# A name never starts right after an ASCII letter here: the match from that letter on would be
# found first. Saying so spares the engine a try at every letter of every word.
_REPORTED = rf"(?<![A-Za-z])(?P<before>{_NAME})[ \t]+(?i:reported)\b"
# Datelines in any script. A dateline credit is told by where it stands, not by the words of one
# language: a short parenthesised name at the start of a text, after a place (and date) at the
# start of a line, or after a date ("اسلام آباد، 5 مارچ (اے پی پی)", "Вашингтон (АФП) –",
# "迪拜（路透社）——", "МОСКВА, 5 марта. /ТАСС/."), followed by a dash, a colon or the story; and
# the Chinese dispatch line "新华社北京3月5日电". Where it stands is judged by CreditFinder.
_MARKS = ("\u0300-\u036f\u0483-\u0489\u0591-\u05c7\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed"
          "\u0900-\u0903\u093a-\u094f\u0951-\u0957\u0962\u0963\u0981-\u0983\u09bc-\u09d7\u200c\u200d")
"""Combining marks that letters of Arabic, Devanagari, Bengali... scripts are written with (not
word characters to the regex engine), and the joiners of Persian spelling."""
_LETTER = rf"(?:[^\W\d_]|[{_MARKS}])"
_WORD = rf"{_LETTER}(?:{_LETTER}|[.'’&-])*"
_SCRIPT_NAME = rf"{_WORD}(?:[ \t]{{1,2}}{_WORD}){{0,3}}"
_HAN = "\u3400-\u4dbf\u4e00-\u9fff"
_PLACE_BEFORE = re.compile(rf"[ \t]*(?:{_SCRIPT_NAME}[ \t]*)?(?:[,،][ \t]*\d{{1,4}}(?:[ \t./-]*(?:{_WORD}|\d{{1,4}})){{0,3}}[ \t.]*)?")
"""A line before a dateline credit: nothing, or a place of up to four words and perhaps ", date"."""
_DATE_BEFORE = re.compile(rf"(?<!\d)[,،，][ \t]*\d{{1,4}}(?:[ \t./-]*(?:{_WORD}|\d{{1,4}})){{0,3}}[ \t.,،]*$")
"""The end of a text before a dateline credit that follows ", date": ", 18 يونيو 2020 ", ", 5 марта. "."""
_SENTENCE_END = re.compile(r"[.!?。！？۔][ \t]*$")
_LATIN = re.compile(r"[\x00-\u024f\u1e00-\u1eff]*")
"""Text in the Latin script alone (with its accented letters: "Łańcut", "bugün")."""

_PATTERNS: tuple[tuple[str, str, re.Pattern[str]], ...] = (
    ("source line", "names its original source", re.compile(rf"(?i:Original\s+Source)\s*:\s*{_DOMAIN}")),
    ("syndication dateline", "carries a syndication dateline", re.compile(r"\bMENAFN\s*[-–—]\s*(?P<free>[^)\n]{2,40})\)")),
    ("dateline", "carries a dateline credit", re.compile(rf"\(\s*(?P<name>{_NAME})\s*\)\s*(?:[-–—:]|(?=[A-Z]))")),
    ("sign-off", "signs off with a credit",
     re.compile(rf"(?:^|(?<=[.!?\"”’)]))[ \t]*[-–—]+[ \t]*(?P<name>{_NAME})[ \t]*\.?[ \t]*$", re.M)),
    ("credit line", "has a credit line", re.compile(rf"^[ \t]*\(\s*(?P<name>{_NAME})\s*\)[ \t]*$", re.M)),
    # "\bBy" written as "By" not after a word character: a pattern that starts with a literal is
    # searched for with a fast scan
    ("byline", "has a byline credit", re.compile(r"By(?<!\wBy)[ \t]+(?P<byline>[^\n<]{2,160})")),
    ("copyright line", "has a copyright line", re.compile(
        r"^[ \t]*(?P<mark>(?:(?:copyright|©|\(c\))[ \t]*)+)(?P<year>(?:19|20)\d\d)?[ \t]*"
        r"(?P<free>[A-Za-z][\w&.' -]{1,48}?)[ \t]*(?:(?:19|20)\d\d)?[ \t]*(?:[.,;]|all\s+rights\s+reserved|$)",
        re.I | re.M)),
    ("republication note", "says where it first appeared", re.compile(
        r"\b(?i:(?:article|story|piece|report|column|post)\s+(?:was\s+|has\s+)?(?:first|originally)\s+"
        r"(?:appeared|published|ran)\s+(?:in|on|by|at)|(?:republished|reproduced|reprinted)\s+(?:from|courtesy\s+of))"
        rf"\s+{_FREE_NAME}")),
    ("citation", "cites", re.compile(rf"{_CITING}|{_REPORTED}")),
    ("agency inputs", "uses agency inputs", re.compile(
        rf"\(\s*(?i:with)\s+(?:(?i:agency|wire)\s+(?i:inputs)|(?i:inputs\s+from)\s+(?P<name>{_NAME})"
        rf"|(?P<before>{_NAME})\s+(?i:inputs))\s*\)")),
    ("script dateline", "carries a dateline credit", re.compile(
        rf"(?:[(（][ \t]*(?P<script>{_SCRIPT_NAME})[ \t]*[)）]|/(?P<slashed>{_SCRIPT_NAME})/)"
        rf"[ \t]*\.?[ \t]*(?P<dash>(?:[-–—]+|[:：])[ \t]*)?(?P<next>{_LETTER}+)?")),
    ("dispatch dateline", "carries a dispatch dateline", re.compile(
        rf"(?P<dispatch>[{_HAN}]{{1,8}}?(?:社|网|網|通信))[{_HAN}]{{0,8}}?(?:\d{{2,4}}年)?\d{{1,2}}月\d{{1,2}}日"
        r"(?:\d{1,2}[时時])?[电電]")),
)

_NEEDS: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "source line": ("original",), "syndication dateline": ("menafn",), "dateline": ("(",),
    "credit line": ("(",), "byline": ("by",), "copyright line": ("copyright", "©", "(c)"),
    "republication note": ("first", "originally", "republished", "reproduced", "reprinted"),
    "citation": ("according", "told", "reported", "reporting", "quoted"), "agency inputs": ("with",),
    "sign-off": ("-", "–", "—"), "script dateline": ("(", "（", "/"), "dispatch dateline": ("电", "電"),
})
"""kind -> words of its pattern, one of which a text must contain (in lower case) to match it.
Most texts have none of a kind's words, and a pattern that is not run costs nothing."""
_ALSO_NEEDS: Mapping[str, tuple[str, ...]] = MappingProxyType({
    # "first" is common in news; "first appeared in" / "republished from" also need one of these
    "republication note": ("appeared", "published", "ran", "reproduced", "reprinted"),
})
"""kind -> more words of its pattern, one of which a text must also contain (in lower case)."""
_GATES: Mapping[str, tuple[re.Pattern[str], re.Pattern[str]]] = MappingProxyType({
    # a sign-off's dash follows the text's start, a line break or closing punctuation; the
    # pattern tries every position of a text, the second gate only after those characters
    "sign-off": (re.compile(r"[ \t]*[-–—]"), re.compile(r"[\n.!?\"”’)][ \t]*[-–—]")),
})
"""kind -> (at_start, anywhere): a text the kind's pattern matches is matched by ``at_start`` at its
beginning or has ``anywhere`` in it. They are far quicker than the pattern (``anywhere`` begins
with a character class, which the regex engine scans for), so most texts are ruled out cheaply."""
_UNLOWERED = ("\u0130", "\u0131", "\u017f")
"""Letters that case-insensitive patterns match with i or s but `str.lower` does not turn into them."""
_SHORTCUTS: Mapping[str, tuple[str, re.Pattern[str]]] = MappingProxyType({
    # "X reported" tries a name at every letter of a text, yet cannot match a text without the
    # word: such a text is searched for the other forms alone, which finds the same matches.
    "citation": ("reported", re.compile(_CITING)),
})
"""kind -> (a word whose absence leaves out part of the kind's pattern, the pattern without that part)."""
_STRETCH = re.compile(r"[\w&.'’ \t-]*")
"""A run of the characters citations are made of (word characters, spaces, tabs, & . ' ’ -)."""
_STRETCHED = frozenset({"citation"})
"""Kinds whose matches are made of `_STRETCH` characters and hold one of the kind's words: they
are searched for only in the runs of such characters around those words."""


_SCRIPTS = frozenset({"script dateline", "dispatch dateline"})
"""Kinds that credit names written in other scripts than Latin: they match no ASCII text."""
_NOT_OUTLETS = frozenset("""
    نمائندہ نامہ نگار خبرنگار رپورٹر سٹاف اسٹاف ڈیسک خصوصی تصویر تصاویر ویڈیو فائل پیر منگل بدھ جمعرات جمعہ ہفتہ اتوار
    مراسل مراسلنا خاص محرر صور صورة فيديو وكالات الاثنين الثلاثاء الأربعاء الخميس الجمعة السبت الأحد
    عکس ویدیو شنبه یکشنبه دوشنبه سه‌شنبه چهارشنبه پنجشنبه جمعه
    संवाददाता प्रतिनिधि ब्यूरो एजेंसी फोटो वीडियो सोमवार मंगलवार बुधवार गुरुवार शुक्रवार शनिवार रविवार
    корр корр. корреспондент фото видео агентства справа слева понедельник вторник среда четверг пятница суббота
    воскресенье
    """.split()) | frozenset("记者 記者 本报 本報 本台 图 圖 视频 視頻 资料 資料 综合 綜合 机构 機構 星期 周一 周二 周三 周四 周五 周六 周日".split())
"""Words that a parenthesis in dateline position holds when it names no outlet: a staff
reporter or desk, a picture or video, a weekday, "agencies" in general."""
_CONTINUING = frozenset("""
    کے کی کا نے کو میں سے پر اور بھی ہے ہیں تھا تھی را در از به و که با است
    في من على إلى عن مع أن و التي الذي के की का ने को में से पर और है
    """.split()) | frozenset("的 和 与 與 在 是 为 為 及 或 等 也".split())
"""Words that go on with a sentence after a parenthesis ("تحریک انصاف (پی ٹی آئی) کے چیئرمین"):
what follows is not a story after its dateline."""


_PLAN = tuple((kind, reason, pattern, _NEEDS.get(kind, ("",)), _ALSO_NEEDS.get(kind, ()), _SHORTCUTS.get(kind),
               _GATES.get(kind), kind in _STRETCHED, kind in _SCRIPTS) for kind, reason, pattern in _PATTERNS)
"""What `CreditFinder.find` needs of each kind, looked up once."""


def _stretches(text: str, lowered: str, words: Iterable[str]) -> list[tuple[int, int]]:
    """(start, end) of every maximal run of `_STRETCH` characters that holds one of `words`."""
    spans: set[tuple[int, int]] = set()
    backwards = text[::-1]
    for word in words:
        at = lowered.find(word)  # lowered has the text's length: find() leaves out texts with U+0130
        while at >= 0:
            end = _STRETCH.match(text, at).end()
            spans.add((len(text) - _STRETCH.match(backwards, len(text) - at).end(), end))
            at = lowered.find(word, end)
    return sorted(spans)


class CreditFinder:
    """Finds credits in texts. Names recognised: the wire agencies of the options and the outlets
    of the corpus with their acronyms ("— MPA" counts when "Meridian Press Agency" is an outlet);
    source lines, republication notes and copyright lines may name any outlet."""

    def __init__(self, options: AttributeOptions, outlets: Iterable[str] = ()) -> None:
        self.options = options
        self.outlets: dict[str, str] = {name: name for name in outlets if name and outlet_key(name)}
        for name in list(self.outlets):
            short = acronym(name)
            if short and options.agency(short) is None:
                self.outlets.setdefault(short, name)
        self._keys = {outlet_key(alias): name for alias, name in self.outlets.items()}

    def outlet(self, name: str) -> str | None:
        """The agency or corpus outlet `name` refers to, if any."""
        agency = self.options.agency(name)
        if agency:
            return agency
        if name in self.outlets:
            return self.outlets[name]
        return self._keys.get(outlet_key(name))

    def known(self, name: str, from_end: bool = False, whole: bool = False) -> str | None:
        """The agency or outlet named by `name`, or by its first (last) words: "AFP News Agency" -> "AFP".

        Short names count only as written ("AP", "dpa", an outlet's own spelling), so "pa" or
        "Ap" in prose do not."""
        words = name.split()
        for n in range(len(words), 0 if not whole else len(words) - 1, -1):
            part = " ".join(words[-n:] if from_end else words[:n])
            found = self.outlet(part)
            bare = part[4:] if part.lower().startswith("the ") else part
            if found and (len(bare) > 4 or bare.isupper() or bare in (found, *self.outlets)):
                return found
        return None

    def canonical(self, name: str) -> str:
        """The reporting name of a credited outlet; a bare domain becomes its name part."""
        name = " ".join(name.strip().strip(".,;:)(").split())
        known = self.outlet(name)
        if known:
            return known
        domain = re.fullmatch(rf"(?:https?://)?(?:www\.)?([\w-]+){DOMAIN_SUFFIX}(?:/.*)?", name.lower())
        return domain.group(1) if domain else name

    def _dateline(self, m: re.Match[str]) -> str | None:
        """The outlet a parenthesised (or, after a date, /slashed/) name in another script credits,
        when it stands where datelines do: a known agency or corpus outlet followed by a dash or a
        colon, or by the story at the start of a text, line or sentence or after a place or date;
        any other name only at the start of the text or after ", date", followed by a dash, colon
        or the story, or after a place at the start of a line and followed by a dash or colon."""
        name = " ".join((m.group("script") or m.group("slashed")).split())
        if _LATIN.fullmatch(name) or len(name.replace(" ", "")) < 2:
            return None  # Latin names are read by the "dateline" pattern; "(ن)" is a party's wing
        if (any(w in _NOT_OUTLETS for w in name.lower().split())
                or any(w in name for w in _NOT_OUTLETS if not w.isascii() and re.match(f"[{_HAN}]", w))):
            return None
        dash, after = m.group("dash") is not None, m.group("next") or ""
        han = re.match(f"[{_HAN}]", after) is not None
        # what follows goes on with a sentence: a lower-case word, or a word such as "کے" or "的"
        goes_on = after[:1].islower() or (after[:1] if han else after.lower()) in _CONTINUING
        story = bool(after) and not dash and not goes_on
        text, start = m.string, m.start()
        line = text[text.rfind("\n", 0, start) + 1:start]
        at_start = not text[:start].strip()
        after_place = len(line) <= 80 and _PLACE_BEFORE.fullmatch(line) is not None
        after_date = _DATE_BEFORE.search(text[max(0, start - 60):start]) is not None
        known = self.outlet(name)
        if m.group("slashed") is not None:  # "МОСКВА, 5 марта. /ТАСС/."
            return known if known and (after_date or after_place) and (dash or story or not after) else None
        if known:
            placed = at_start or after_place or after_date or _SENTENCE_END.search(text[max(0, start - 4):start])
            return known if dash or (story and placed) else None
        if (at_start or after_date) and (dash or story) or after_place and dash and not goes_on:
            return name  # "(ВОЗ) — специализированное учреждение" is a definition, not a credit
        return None

    def _dispatch(self, m: re.Match[str]) -> str | None:
        """The agency of a Chinese dispatch line: the longest known name its agency part ends with
        ("据新华社" -> Xinhua), else the part as written when it starts the text or a clause."""
        found = m.group("dispatch")
        for n in range(len(found), 1, -1):
            known = self.outlet(found[-n:])
            if known:
                return known
        before = m.string[m.start() - 1:m.start()] if m.start() else ""
        return found if not before or not re.match(f"[{_HAN}]", before) else None

    def _named(self, kind: str, m: re.Match[str]) -> str | None:
        if kind == "script dateline":
            return self._dateline(m)
        if kind == "dispatch dateline":
            return self._dispatch(m)
        groups = m.groupdict()
        if groups.get("free") is not None:
            free = groups["free"]
            if kind == "copyright line" and (re.match(r"all\s+rights", free, re.I) or not (
                    groups["year"] or re.search(r"©|\(c\)", groups["mark"], re.I))):
                return None  # "Copyright law says ..." is prose, not a copyright line
            return self.canonical(free)
        if groups.get("byline") is not None:  # "By Jo Bloggs, Showbiz Correspondent, PA News" or "(AP)"
            parts = re.split(r"[,(]", groups["byline"])[1:]
            return next((found for part in parts for found in [self.known(part.strip(" )\t"), whole=True)]
                         if found), None)
        if groups.get("name") is not None:
            return self.known(groups["name"])
        if groups.get("before") is not None:
            return self.known(groups["before"], from_end=True)
        return "wire agency" if kind == "agency inputs" else None

    def find(self, text: str) -> list[Credit]:
        """Outlets a text credits, in order of appearance."""
        found: list[tuple[int, Credit]] = []
        lowered = text.lower()
        if not text.isascii() and any(c in text for c in _UNLOWERED):
            lowered = None  # the word tests below might miss a match: run every pattern
        ascii_text = text.isascii()
        for kind, reason, pattern, needs, also, shortcut, gate, stretched, script in _PLAN:
            if script and ascii_text:
                continue
            if lowered is not None:
                if not any(map(lowered.__contains__, needs)) or (also and not any(map(lowered.__contains__, also))):
                    continue
                if shortcut is not None and shortcut[0] not in lowered:
                    pattern = shortcut[1]
            if gate is not None and not (gate[0].match(text) or gate[1].search(text)):
                continue
            if lowered is not None and stretched:
                # a match never crosses a run's ends, and a run's neighbours are not word
                # characters, so \b and look-behinds see the same there as in the whole text
                matches = chain.from_iterable(pattern.finditer(text, start, end) for start, end
                                              in _stretches(text, lowered, needs))
            else:
                matches = pattern.finditer(text)
            for m in matches:
                name = self._named(kind, m)
                if name:
                    found.append((m.start(), Credit(name, f"{reason}: {_quote(m)}", kind)))
        return [c for _, c in sorted(found, key=lambda t: t[0])]

    def find_in_document(self, doc: Document) -> list[Credit]:
        """Credits in the text, then in the page metadata: the author, the canonical link."""
        credits = self.find(doc.text)
        author = doc.meta.get("author")
        if isinstance(author, str) and author.strip():
            named = self.outlet(author)
            if named is None:
                byline = [c for c in self.find(f"By {author}") if c.kind == "byline"]
                named = byline[0].source if byline else None
            if named:
                credits.append(Credit(named, f"names {author!r} as its author", "author"))
        canonical = doc.meta.get("canonical")
        host = _host(canonical) if isinstance(canonical, str) else None
        if host and doc.source:
            if is_own_site(host, doc.source):
                credits.append(Credit(doc.source, f"has a canonical link to its own site {host}", "canonical link"))
            else:
                credits.append(Credit(self.canonical(host), f"has a canonical link to {host}", "canonical link"))
        return credits


def find_credits(text: str, options: AttributeOptions | None = None, outlets: Iterable[str] = ()) -> list[Credit]:
    """Outlets a text credits, in order of appearance.

    >>> [c.source for c in find_credits("LONDON (Reuters) - Shares fell.")]
    ['Reuters']
    """
    return CreditFinder(options or DEFAULT_OPTIONS, outlets).find(text)


def strongest_credit(credits: Sequence[Credit]) -> str | None:
    """The outlet credited most (strong credits weigh double); its most readable name."""
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
