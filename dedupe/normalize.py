"""Turn a document into folded tokens and sentences that keep offsets into its own text.

Wire formatting (rules, slug and time-stamp lines, bylines, "(with pix)", "end",
the PA ``<`` paragraph marks) yields no tokens, so it never counts as shared or
added content.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata

from .model import Document, Normalized, Sentence

TOKEN = re.compile(r"\w+(?:['’]\w+)*")
# Lines that are wire furniture rather than story text.
BOILERPLATE_LINE = re.compile(
    r"""^[\s\x00-\x1f]*(?:
        [-=_*~#\s]{5,}                                   # rules
      | \d{1,2}:\d{2}\s+\d{1,2}/\d{1,2}/\d{2,4}:.*       # PA slug line "02:49 07/01/00: Page 1 ..."
      | \((?:with|see)\s+pix\)                           # picture notes
      | (?:end|ends|more|mfl|ENDS)                       # end-of-story marks
      | by\s+[\w.'’ -]{2,60}(?:,\s*[\w.'’ -]{1,40})?     # bylines: "By Helen William, PA News"
    )\s*<?\s*$""",
    re.IGNORECASE | re.VERBOSE,
)
# A sentence ends at . ! ? (optionally followed by closing quotes/brackets) before
# whitespace and a capital, a digit or an opening quote.
SENTENCE_END = re.compile(r"""[.!?]["'”’)\]]*\s+(?=["'“‘(\[]?[A-Z0-9\u00C0-\u024F])""")
PARAGRAPH_BREAK = re.compile(r"\n[ \t\u00a0]*\n+|<[ \t]*\r?\n|(?<=[.!?:\"”’)])[ \t]*\r?\n")


def fold_token(token: str) -> str:
    """Case-, width- and apostrophe-insensitive form of a token."""
    return unicodedata.normalize("NFKC", token).casefold().replace("’", "'")


def boilerplate_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of lines that are wire furniture."""
    spans = []
    pos = 0
    for line in text.splitlines(keepends=True):
        if line.strip() and len(line) < 120 and BOILERPLATE_LINE.match(line.rstrip("\r\n")):
            spans.append((pos, pos + len(line)))
        pos += len(line)
    return spans


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of sentences: paragraphs first, then sentence punctuation."""
    spans: list[tuple[int, int]] = []
    start = 0
    breaks = [m.end() for m in PARAGRAPH_BREAK.finditer(text)] + [len(text)]
    for para_end in breaks:
        para_start = start
        for m in SENTENCE_END.finditer(text, para_start, para_end):
            spans.append((start, m.start() + 1))
            start = m.end()
        if start < para_end:
            spans.append((start, para_end))
        start = para_end
    return [(s, e) for s, e in spans if text[s:e].strip()]


def normalize(doc: Document) -> Normalized:
    """Tokens (folded), their offsets, and sentences of one document.

    >>> n = normalize(Document("a", "Storm hits coast. Ferries halted."))
    >>> n.tokens, len(n.sentences)
    (('storm', 'hits', 'coast', 'ferries', 'halted'), 2)
    """
    text = doc.text
    skip = boilerplate_spans(text)
    tokens: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    skip_i = 0
    for m in TOKEN.finditer(text):
        while skip_i < len(skip) and skip[skip_i][1] <= m.start():
            skip_i += 1
        if skip_i < len(skip) and skip[skip_i][0] <= m.start() < skip[skip_i][1]:
            continue
        tokens.append(fold_token(m.group()))
        starts.append(m.start())
        ends.append(m.end())
    sentences = _sentences(text, starts)
    digest = hashlib.sha1(" ".join(tokens).encode("utf-8")).hexdigest()
    return Normalized(doc=doc, tokens=tuple(tokens), starts=tuple(starts), ends=tuple(ends),
                      sentences=tuple(sentences), content_hash=digest)


def _sentences(text: str, starts: list[int]) -> list[Sentence]:
    import bisect

    out = []
    for s, e in sentence_spans(text):
        t0 = bisect.bisect_left(starts, s)
        t1 = bisect.bisect_left(starts, e)
        if t1 > t0:
            out.append(Sentence(start=s, end=e, tok_start=t0, tok_end=t1))
    return out
