"""Outlet names: the default wire-agency list, when two names are one outlet, and when a page
links to its own site.

Shared by the options (config.AttributeOptions), credits (credits.py) and attribution
(attribute.py).
"""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import lru_cache
from types import MappingProxyType
from urllib.parse import urlsplit

WIRE_AGENCIES: Mapping[str, str] = MappingProxyType({
    "reuters": "Reuters", "thomson reuters": "Reuters",
    "ap": "AP", "associated press": "AP", "the associated press": "AP",
    "afp": "AFP", "agence france-presse": "AFP", "agence france presse": "AFP",
    "pa": "PA", "pa news": "PA", "pa media": "PA", "press association": "PA",
    "pti": "PTI", "press trust of india": "PTI", "ani": "ANI", "ians": "IANS",
    "dpa": "dpa", "efe": "EFE", "xinhua": "Xinhua", "ansa": "ANSA", "kyodo": "Kyodo",
    "bloomberg": "Bloomberg", "upi": "UPI", "tass": "TASS", "anadolu": "Anadolu",
    "yonhap": "Yonhap", "bernama": "Bernama", "apa": "APA", "cp": "CP", "canadian press": "CP",
    "aap": "AAP", "australian associated press": "AAP", "anp": "ANP", "belga": "Belga",
    "ntb": "NTB", "ritzau": "Ritzau", "keystone-sda": "Keystone-SDA", "europa press": "Europa Press",
    "lusa": "Lusa", "ctk": "CTK", "pap": "PAP", "mti": "MTI", "interfax": "Interfax",
    "ria novosti": "RIA Novosti", "wafa": "WAFA", "wam": "WAM", "irna": "IRNA", "bss": "BSS",
    "app": "APP", "associated press of pakistan": "APP", "aa": "Anadolu", "anadolu agency": "Anadolu",
    "china news service": "China News Service",
})
"""Default wire agencies: lower-case name or alias -> the name reports use."""

AGENCY_SCRIPTS: Mapping[str, str] = MappingProxyType({
    # Urdu / Arabic / Persian
    "اے پی پی": "APP", "ایسوسی ایٹڈ پریس آف پاکستان": "APP",
    "پی ٹی آئی": "PTI", "اے این آئی": "ANI", "اے ایف پی": "AFP", "فرانس برس": "AFP", "فرانس پرس": "AFP",
    "اے پی": "AP", "أسوشيتد برس": "AP", "اسوشی ایٹڈ پریس": "AP", "آسوشیتدپرس": "AP",
    "رويترز": "Reuters", "رائٹرز": "Reuters", "رائٹر": "Reuters", "رویترز": "Reuters",
    "شينخوا": "Xinhua", "شنہوا": "Xinhua", "ژنہوا": "Xinhua", "شین‌هوا": "Xinhua", "شینهوا": "Xinhua",
    "تاس": "TASS", "ٹاس": "TASS", "ريا نوفوستي": "RIA Novosti", "ریا نووستی": "RIA Novosti", "ریا": "RIA Novosti",
    "ایرنا": "IRNA", "إرنا": "IRNA", "ارنا": "IRNA", "الأناضول": "Anadolu", "آناتولی": "Anadolu", "اناطولیہ": "Anadolu",
    "يونهاب": "Yonhap", "کیودو": "Kyodo", "كيودو": "Kyodo", "وفا": "WAFA", "وام": "WAM", "بلومبرغ": "Bloomberg",
    "بلومبرگ": "Bloomberg",
    # Hindi
    "पीटीआई": "PTI", "प्रेस ट्रस्ट ऑफ इंडिया": "PTI", "एएनआई": "ANI", "आईएएनएस": "IANS", "एएफपी": "AFP",
    "एपी": "AP", "रॉयटर्स": "Reuters", "रायटर": "Reuters", "शिन्हुआ": "Xinhua", "सिन्हुआ": "Xinhua",
    # Chinese, Japanese, Korean
    "新华社": "Xinhua", "新華社": "Xinhua", "中新社": "China News Service", "中國新聞社": "China News Service",
    "中国新闻社": "China News Service", "路透社": "Reuters", "路透": "Reuters", "美联社": "AP", "美聯社": "AP",
    "法新社": "AFP", "塔斯社": "TASS", "俄新社": "RIA Novosti", "共同社": "Kyodo", "共同通信": "Kyodo",
    "共同通信社": "Kyodo", "韩联社": "Yonhap", "韓聯社": "Yonhap", "연합뉴스": "Yonhap", "德新社": "dpa",
    "埃菲社": "EFE", "安莎社": "ANSA", "彭博社": "Bloomberg", "合众国际社": "UPI", "伊通社": "IRNA",
    "阿纳多卢通讯社": "Anadolu", "阿纳多卢社": "Anadolu", "巴联社": "APP", "印度报业托拉斯": "PTI", "ロイター": "Reuters",
    # Cyrillic
    "афп": "AFP", "франс пресс": "AFP", "франс-пресс": "AFP", "ассошиэйтед пресс": "AP",
    "рейтер": "Reuters", "рейтерс": "Reuters", "синьхуа": "Xinhua", "тасс": "TASS", "итар-тасс": "TASS",
    "риа новости": "RIA Novosti", "риа": "RIA Novosti", "интерфакс": "Interfax", "анадолу": "Anadolu",
    "йонхап": "Yonhap", "киодо": "Kyodo", "блумберг": "Bloomberg", "дпа": "dpa", "ирна": "IRNA",
})
"""Wire agencies as other scripts write them: lower-case spelling -> the Latin name of
`WIRE_AGENCIES` it stands for. A credit "(اے پی پی)" is then the agency that "(APP)" is, on any
agency list that has that Latin name."""

DOMAIN_SUFFIX = r"\.(?:com|co\.uk|co\.in|co|in|org|net|news|info|uk|example)"


@lru_cache(maxsize=4096)
def outlet_key(name: str) -> str:
    """Comparable form of an outlet name: "Live Mint", "livemint", "www.livemint.com" agree.

    Names in other scripts keep their letters ("روزنامہ جنگ" is not "" ); a wire agency written in
    another script has the key of its Latin name ("اے پی پی" and "APP" agree).

    Cached: a scan asks for the keys of the same few outlet names again and again."""
    latin = AGENCY_SCRIPTS.get(" ".join(name.lower().split()))
    if latin is not None:
        name = latin
    key = re.sub(r"^(?:https?://)?(?:www\.)?", "", name.strip().lower())
    key = re.sub(rf"{DOMAIN_SUFFIX}(?:[/:?#].*)?$", "", key)
    key = re.sub(r"^the\s+", "", key)
    return re.sub(r"[\W_]", "", key) if not key.isascii() else re.sub(r"[^a-z0-9]", "", key)


def same_outlet(a: str | None, b: str | None) -> bool:
    """True when two names are one outlet ("Live Mint" and "www.livemint.com", "PA" and "PA News")."""
    if not a or not b:
        return False
    x, y = outlet_key(a), outlet_key(b)
    if not x or not y:
        return False
    short, long_ = sorted((x, y), key=len)
    return long_ in (short, short + "news", short + "media")


def acronym(name: str) -> str | None:
    """"Meridian Press Agency" -> "MPA": outlets of three or more words are often credited so."""
    words = [w for w in re.findall(r"[A-Za-z][\w'-]*", name) if w[0].isupper()]
    return "".join(w[0] for w in words) if len(words) >= 3 else None


def _host(url: str | None) -> str | None:
    if not url:
        return None
    try:
        host = urlsplit(url if "//" in url else "//" + url).hostname
    except ValueError:
        return None
    return host[4:] if host and host.startswith("www.") else host


_TLD_LABELS = frozenset({"com", "co", "org", "net", "news", "info", "uk", "in", "example", "edu", "gov", "ac"})
_LINK_WORDS = frozenset({"the", "and", "of", "news", "media", "online", "daily"})


def _site_label(host: str) -> str:
    """The name part of a host: "www.nytimes.com" -> "nytimes", "edition.cnn.com" -> "cnn",
    "www.bbc.co.uk" -> "bbc"."""
    labels = host.lower().split(".")
    while len(labels) > 1 and (labels[-1] in _TLD_LABELS or len(labels[-1]) <= 2):
        labels.pop()
    return re.sub(r"[^a-z0-9]", "", labels[-1])


def _spells(words: Sequence[str], label: str) -> bool:
    """True when `label` is `words` in order, each whole or as its initial, the small words
    ("the", "of", "news") optional: "The New York Times" spells "nytimes", "Los Angeles Times"
    "latimes", "The Wall Street Journal" "wsj", "The Guardian" "theguardian"."""
    @lru_cache(maxsize=None)
    def match(i: int, at: int) -> bool:
        if i == len(words):
            return at == len(label)
        word = words[i]
        return ((word in _LINK_WORDS and match(i + 1, at))
                or (label.startswith(word, at) and match(i + 1, at + len(word)))
                or (label.startswith(word[0], at) and match(i + 1, at + 1)))
    return bool(words) and bool(label) and match(0, 0)


def is_own_site(host: str, outlet: str) -> bool:
    """True when a page of `outlet` (its og:site_name) linking to `host` links to its own site:
    the names agree ("Live Mint", "livemint.com") or the site name spells the domain
    ("The New York Times", "www.nytimes.com")."""
    if same_outlet(host, outlet):
        return True
    words = re.findall(r"[a-z0-9]+", outlet.lower().replace("&", " and "))
    return len(words) <= 12 and _spells(tuple(words), _site_label(host))
