"""Outlet names: the default wire-agency list, and when two names are one outlet.

Shared by the options (config.AttributeOptions) and attribution (attribute.py).
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from types import MappingProxyType

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
})
"""Default wire agencies: lower-case name or alias -> the name reports use."""

DOMAIN_SUFFIX = r"\.(?:com|co\.uk|co\.in|co|in|org|net|news|info|uk|example)"


@lru_cache(maxsize=4096)
def outlet_key(name: str) -> str:
    """Comparable form of an outlet name: "Live Mint", "livemint", "www.livemint.com" agree.

    Cached: a scan asks for the keys of the same few outlet names again and again."""
    key = re.sub(r"^(?:https?://)?(?:www\.)?", "", name.strip().lower())
    key = re.sub(rf"{DOMAIN_SUFFIX}(?:[/:?#].*)?$", "", key)
    key = re.sub(r"^the\s+", "", key)
    return re.sub(r"[^a-z0-9]", "", key)


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
