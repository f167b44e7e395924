"""A text's heading, and the trading sessions and times of day it names.

A copy keeps its heading; the opening and the closing snapshot of one market can share every
word but "OPENING" and "CLOSING" (`stages.features.session_conflicts` makes a verifier feature
of it).
"""
from __future__ import annotations

import re

from ..model import Document

HEADING_WORDS = 12
"""A text without a title: at most this many of its leading words in capitals are its heading."""
_WORD = re.compile(r"\S+")
_SESSIONS = re.compile(r"\b(?:(?P<open>open|opening|opened|opg)|(?P<close>close|closing|closed|clsg|cls)"
                       r"|(?P<noon>noon|midday|mid-day)|(?P<morning>morning|a\.m\.)|(?P<afternoon>afternoon|p\.m\.)"
                       r"|(?P<evening>evening)|(?P<final>final))\b")
_CLOCK = re.compile(r"(?<![\d.,:$£€])(?:([01]?\d|2[0-3]):([0-5]\d)|([01]\d|2[0-3])([0-5]\d))(?![\d%]|[.,:]\d)")


def heading(doc: Document) -> str:
    """A text's heading: its title, or without one the words in capitals it starts with (at
    most `HEADING_WORDS`), where a wire brief has its slug line: "ZURICH EXCHANGE OPENING -
    APRIL 7" before the quotes; a text that starts in prose has none."""
    if doc.title and doc.title.strip():
        return doc.title
    end = 0
    for k, m in enumerate(_WORD.finditer(doc.text)):
        if k == HEADING_WORDS or any(c.islower() for c in m.group()):
            break
        end = m.end()
    return doc.text[:end]


def sessions(text: str) -> frozenset[str]:
    """The times of day and, in a heading written in capitals as a wire slug is, the trading
    sessions a heading names: "10:50 EDT", "1630", "OPENING", "CLSG", "NOON".  A four-digit
    number is a time unless it starts with 19 or 20 (a year); a figure ("1,200", "412.6") is not.

    >>> sorted(sessions("MIDWEST GRAIN FUTURES 10:50   EDT")), sorted(sessions("ZURICH GOLD CLOSING - APRIL 7"))
    (['t1050'], ['close'])
    >>> sorted(sessions("Bridge closed after 1,200 cracks found in 1987"))
    []
    """
    found = set()
    if not any(c.islower() for c in text):
        found.update(m.lastgroup for m in _SESSIONS.finditer(text.casefold()))
    if not any(c.isdigit() for c in text):
        return frozenset(found)
    for m in _CLOCK.finditer(text):
        hour, minute = (m.group(1), m.group(2)) if m.group(1) is not None else (m.group(3), m.group(4))
        if m.group(1) is not None or hour not in ("19", "20"):
            found.add("t%02d%02d" % (int(hour), int(minute)))
    return frozenset(found)
