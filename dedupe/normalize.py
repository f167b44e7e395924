"""Turn a document into folded tokens and sentences that keep offsets into its own text.

Wire formatting (rules, slug and time-stamp lines, bylines, "(with pix)", "end",
the PA ``<`` paragraph marks) yields no tokens, so it never counts as shared or
added content.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from bisect import bisect_left
from itertools import accumulate, starmap

import numba
import numpy as np

from .model import Document, Normalized, Sentence

TOKEN = re.compile(r"\w+(?:['’]\w+)*")
# The same pattern as a capturing split: text -> [gap, token, gap, ..., token, gap], so the
# tokens and (from the parts' lengths) their offsets come out of C loops, not a Python loop
# over match objects.
_TOKEN_SPLIT = re.compile(f"({TOKEN.pattern})")
# What TOKEN's \w is in an ASCII text (a test checks this against the regex for every character).
_ASCII_WORD = np.zeros(128, dtype=np.bool_)
_ASCII_WORD[list(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")] = True
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
    if token.isascii():
        # NFKC leaves ASCII alone and casefold() is lower() on it (a test checks every
        # ASCII character); most tokens are ASCII, and this skips two string copies.
        return token.lower()
    return unicodedata.normalize("NFKC", token).casefold().replace("’", "'")


def boilerplate_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of lines that are wire furniture."""
    lines = text.splitlines(keepends=True)
    # the pattern is tried on the lines in one C loop (long lines as "", which it cannot match:
    # furniture is short, and runs of spaces make the pattern backtrack); only hits are looked at
    hits = list(map(BOILERPLATE_LINE.match, [line.rstrip("\r\n") if len(line) < 120 else "" for line in lines]))
    if not any(hits):
        return []
    ends = list(accumulate(map(len, lines)))
    return [(end - len(line), end) for line, end, hit in zip(lines, ends, hits) if hit and line.strip()]


def tokenize(text: str) -> tuple[list[str], list[int], list[int]]:
    """Folded tokens of a text, with their start and end offsets (wire furniture included).

    >>> tokenize("Ministers’ plan FAILS")
    (['ministers', 'plan', 'fails'], [0, 11, 16], [9, 15, 21])
    """
    if text.isascii():
        # lower() keeps an ASCII text's length and its word characters, so the tokens of
        # the lowered text are the folded tokens, at the same offsets; a compiled scan
        # finds them (the same as TOKEN: tests compare the two)
        lowered = text.lower()
        first, last = _ascii_token_bounds(np.frombuffer(lowered.encode("ascii"), dtype=np.uint8), _ASCII_WORD)
        starts, ends = first.tolist(), last.tolist()
        return list(map(lowered.__getitem__, map(slice, starts, ends))), starts, ends
    parts = _TOKEN_SPLIT.split(text)
    bounds = list(accumulate(map(len, parts)))  # token i spans bounds[2i]:bounds[2i + 1]
    return list(map(fold_token, parts[1::2])), bounds[0:-1:2], bounds[1::2]


@numba.njit(cache=True, nogil=True)
def _ascii_token_bounds(buf, word):
    """Starts and ends of TOKEN's matches in ASCII bytes: runs of word characters joined by
    single apostrophes that have a word character on both sides."""
    n = len(buf)
    starts = np.empty(n // 2 + 1, dtype=np.int64)
    ends = np.empty(n // 2 + 1, dtype=np.int64)
    k = 0
    i = 0
    while i < n:
        if not word[buf[i]]:
            i += 1
            continue
        starts[k] = i
        while True:
            while i < n and word[buf[i]]:
                i += 1
            if i + 1 < n and buf[i] == 39 and word[buf[i + 1]]:  # 39: "'"
                i += 1
            else:
                break
        ends[k] = i
        k += 1
    return starts[:k], ends[:k]


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of sentences: paragraphs first, then sentence punctuation."""
    return [(s, e) for s, e in _all_sentence_spans(text) if text[s:e].strip()]


def _all_sentence_spans(text: str) -> list[tuple[int, int]]:
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
    return spans


def content_tokens(text: str) -> tuple[list[str], list[int], list[int]]:
    """`tokenize` without the tokens that start inside wire furniture."""
    tokens, starts, ends = tokenize(text)
    for lo, hi in reversed(boilerplate_spans(text)):  # sorted and disjoint
        first, last = bisect_left(starts, lo), bisect_left(starts, hi)
        del tokens[first:last], starts[first:last], ends[first:last]
    return tokens, starts, ends


def sentence_ranges(text: str, starts: list[int]) -> list[tuple[int, int, int, int]]:
    """(start, end, first token, end token) of each sentence with tokens, given the tokens' starts."""
    out = []
    # a span without tokens is dropped here, so sentence_spans' test for blank spans is not needed
    for s, e in _all_sentence_spans(text):
        t0 = bisect_left(starts, s)
        t1 = bisect_left(starts, e, t0)
        if t1 > t0:
            out.append((s, e, t0, t1))
    return out


def content_hash(tokens: list[str]) -> str:
    """Hash of the folded words: equal for texts that differ only in case, spacing or furniture."""
    return hashlib.sha1(" ".join(tokens).encode("utf-8")).hexdigest()


def normalize(doc: Document) -> Normalized:
    """Tokens (folded), their offsets, and sentences of one document.

    >>> n = normalize(Document("a", "Storm hits coast. Ferries halted."))
    >>> n.tokens, len(n.sentences)
    (('storm', 'hits', 'coast', 'ferries', 'halted'), 2)
    """
    tokens, starts, ends = content_tokens(doc.text)
    sentences = tuple(starmap(Sentence, sentence_ranges(doc.text, starts)))  # fields in that order
    return Normalized(doc=doc, tokens=tuple(tokens), starts=tuple(starts), ends=tuple(ends),
                      sentences=sentences, content_hash=content_hash(tokens))
