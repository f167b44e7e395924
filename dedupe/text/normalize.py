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
from collections.abc import Sequence
from itertools import accumulate, starmap
from typing import NamedTuple

import numba
import numpy as np

from ..model import Document, Normalized, Sentence
from .sentences import _sentence_token_ranges, sentence_ranges, text_codes

# A token is a run of word characters (Python's \w) joined by single apostrophes (' or ’) that
# have a word character on both sides: the regex \w+(?:['’]\w+)* (tests/reference/text.py holds
# it), found by `_token_bounds`.  _ASCII_WORD is \w on ASCII (a test checks every character);
# `_word_table` adds a text's other characters, asking \w itself of each distinct one.
_ASCII_WORD = np.zeros(128, dtype=np.bool_)
_ASCII_WORD[list(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")] = True
_WORD_CHARACTER = re.compile(r"\w")
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
# Sentences (`_sentence_scan`): paragraphs end at a blank line, at a PA "<" line end, or at a line
# end after . ! ? : " ” ’ ); within a paragraph a sentence ends at . ! ? (and closing quotes or
# brackets) before whitespace and a capital, a digit or an opening quote.  tests/reference/text.py
# writes both rules as regexes, the definition the scan is tested against.


def fold_token(token: str) -> str:
    """Case-, width- and apostrophe-insensitive form of a token."""
    if token.isascii():
        # NFKC leaves ASCII alone and casefold() is lower() on it (a test checks every
        # ASCII character); most tokens are ASCII, and this skips two string copies.
        return token.lower()
    return unicodedata.normalize("NFKC", token).casefold().replace("’", "'")


def boilerplate_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of lines that are wire furniture."""
    if text.isascii():
        return _ascii_boilerplate_spans(text, text_codes(text))
    lines = text.splitlines(keepends=True)
    # the pattern is tried on the lines in one C loop (long lines as "", which it cannot match:
    # furniture is short, and runs of spaces make the pattern backtrack); only hits are looked at
    hits = list(map(BOILERPLATE_LINE.match, [line.rstrip("\r\n") if len(line) < 120 else "" for line in lines]))
    if not any(hits):
        return []
    ends = list(accumulate(map(len, lines)))
    return [(end - len(line), end) for line, end, hit in zip(lines, ends, hits) if hit and line.strip()]


def _ascii_boilerplate_spans(text: str, buf: np.ndarray) -> list[tuple[int, int]]:
    """`boilerplate_spans` of an ASCII text, given its bytes: a compiled scan finds the few lines
    that could match (see `_furniture_candidates`), and only those are tried, with the same
    tests as for other texts."""
    starts, ends = _furniture_candidates(buf, np.array([0, len(buf)], dtype=np.int64))
    lines = map(text.__getitem__, map(slice, starts.tolist(), ends.tolist()))
    return [(s, e) for s, e, line in zip(starts.tolist(), ends.tolist(), lines)
            if BOILERPLATE_LINE.match(line.rstrip("\r\n")) and line.strip()]


@numba.njit(cache=True, nogil=True)
def _furniture_candidates(buf, bounds):
    """(starts, ends), as offsets into buf, of the lines of each ASCII text
    buf[bounds[i]:bounds[i + 1]] (as str.splitlines(keepends=True) cuts them) that
    BOILERPLATE_LINE could match: shorter than 120 characters, and after the leading blanks and control characters either nothing or the start of one of its
    alternatives -- a rule character or "<", a digit then a digit or ":", "(w" or "(s",
    "en", "mo" or "mf", "by" (in any case).  Tests compare the result with trying every line."""
    starts = np.empty(len(buf), dtype=np.int64)  # a line per character at most
    ends = np.empty(len(buf), dtype=np.int64)
    k = 0
    for d in range(len(bounds) - 1):
        s = bounds[d]
        n = bounds[d + 1]
        while s < n:
            e = s  # the line's text is buf[s:e], its terminator buf[e:end]
            while e < n:
                c = buf[e]
                if c == 10 or c == 13 or c == 11 or c == 12 or c == 28 or c == 29 or c == 30:
                    break
                e += 1
            end = e
            if end < n:
                end += 2 if buf[end] == 13 and end + 1 < n and buf[end + 1] == 10 else 1
            if end - s < 120:
                stripped = e  # rstrip("\r\n") can only remove the terminator, and keeps \v \f \x1c-\x1e
                if stripped < end and (buf[stripped] == 11 or buf[stripped] == 12 or buf[stripped] >= 28):
                    stripped = end
                p = s
                while p < stripped and buf[p] <= 32:  # [\s\x00-\x1f]*
                    p += 1
                if p == stripped:
                    ok = True
                else:
                    c = buf[p] | 32 if 65 <= buf[p] <= 90 else buf[p]  # lower case
                    c2 = buf[p + 1] if p + 1 < stripped else 0
                    c2 = c2 | 32 if 65 <= c2 <= 90 else c2
                    ok = (c == 45 or c == 61 or c == 95 or c == 42 or c == 126 or c == 35 or c == 60  # -=_*~#<
                          or (48 <= c <= 57 and (48 <= c2 <= 57 or c2 == 58))
                          or (c == 40 and (c2 == 119 or c2 == 115))  # (w (s
                          or (c == 101 and c2 == 110)  # en
                          or (c == 109 and (c2 == 111 or c2 == 102))  # mo mf
                          or (c == 98 and c2 == 121))  # by
                if ok:
                    starts[k] = s
                    ends[k] = end
                    k += 1
            s = end
    return starts[:k], ends[:k]


def tokenize(text: str) -> tuple[list[str], list[int], list[int]]:
    """Folded tokens of a text, with their start and end offsets (wire furniture included).

    >>> tokenize("Ministers’ plan FAILS")
    (['ministers', 'plan', 'fails'], [0, 11, 16], [9, 15, 21])
    """
    if text.isascii():
        # lower() keeps an ASCII text's length and its word characters, so the tokens of
        # the lowered text are the folded tokens, at the same offsets
        lowered = text.lower()
        first, last = _token_bounds(text_codes(lowered), _ASCII_WORD)
        starts, ends = first.tolist(), last.tolist()
        return list(map(lowered.__getitem__, map(slice, starts, ends))), starts, ends
    codes = text_codes(text)
    first, last = _token_bounds(codes, _word_table(text, codes))
    starts, ends = first.tolist(), last.tolist()
    return list(map(fold_token, map(text.__getitem__, map(slice, starts, ends)))), starts, ends


def _word_table(text: str, codes: np.ndarray) -> np.ndarray:
    """For each code point up to the text's largest: is it \\w?  (Only the text's own
    characters are asked; the others stay False.)"""
    table = np.zeros(int(codes.max()) + 1, dtype=np.bool_)
    table[:128] = _ASCII_WORD
    wide = [c for c in set(text) if c >= "\x80"]
    table[[ord(c) for c in wide if _WORD_CHARACTER.match(c)]] = True
    return table


@numba.njit(cache=True, nogil=True)
def _token_bounds(buf, word):
    """Starts and ends of the tokens of a text's code points (`text_codes`): runs of word
    characters (``word[c]``) joined by single apostrophes (' or ’) that have a word character
    on both sides."""
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
            if i + 1 < n and (buf[i] == 39 or buf[i] == 0x2019) and word[buf[i + 1]]:  # ' or ’
                i += 1
            else:
                break
        ends[k] = i
        k += 1
    return starts[:k], ends[:k]


def _ascii_content_tokens(text: str, codes: np.ndarray) -> tuple[list[str], np.ndarray, np.ndarray]:
    """`content_tokens` of an ASCII text, given its bytes, with the starts and ends as arrays.

    The compiled scans find the tokens and the furniture; then every byte outside the kept
    tokens becomes a space (`_lowered_tokens_only`) and str.split cuts the lowered tokens apart
    (tokens hold no whitespace, and two tokens never touch), so no Python step is taken per token."""
    first, last = _token_bounds(codes, _ASCII_WORD)
    spans = _ascii_boilerplate_spans(text, codes)
    if spans:
        keep = np.ones(len(first), dtype=np.bool_)
        for lo, hi in spans:  # the tokens that start inside [lo, hi), as bisect_left finds them
            keep[np.searchsorted(first, lo):np.searchsorted(first, hi)] = False
        first, last = first[keep], last[keep]
    return _lowered_tokens_only(codes, first, last).tobytes().decode("ascii").split(), first, last


@numba.njit(cache=True, nogil=True)
def _lowered_tokens_only(buf, first, last):
    """The ASCII bytes with the tokens buf[first[i]:last[i]] lower-cased and every other byte a space."""
    out = np.full(len(buf), 32, dtype=np.uint8)
    for i in range(len(first)):
        for p in range(first[i], last[i]):
            c = buf[p]
            out[p] = c + 32 if 65 <= c <= 90 else c
    return out


def content_tokens(text: str) -> tuple[list[str], list[int], list[int]]:
    """`tokenize` without the tokens that start inside wire furniture."""
    if text.isascii():
        tokens, first, last = _ascii_content_tokens(text, text_codes(text))
        return tokens, first.tolist(), last.tolist()
    tokens, starts, ends = tokenize(text)
    for lo, hi in reversed(boilerplate_spans(text)):  # sorted and disjoint
        first, last = bisect_left(starts, lo), bisect_left(starts, hi)
        del tokens[first:last], starts[first:last], ends[first:last]
    return tokens, starts, ends


def content_tokens_joined(text: str) -> tuple[bytes, int, np.ndarray, str]:
    """`content_tokens`' tokens joined by spaces and encoded (utf-8), their count, their
    starts (as an array) and their `content_hash`.

    The joined bytes are all a digest needs of the tokens (it numbers them from the bytes,
    see `numbering`); `ascii_contents` gives the same for many ASCII texts at once.  (NFKC
    folds a few ligatures to words with spaces, so a non-ASCII text's joined bytes may hold
    more spaces than its tokens have gaps.)"""
    tokens, starts, _ = content_tokens(text)
    joined = " ".join(tokens).encode("utf-8")
    return joined, len(tokens), np.array(starts, dtype=np.int64), hashlib.sha1(joined).hexdigest()


class AsciiContents(NamedTuple):
    """`content_tokens_joined` and the sentences' token ranges of many ASCII texts (see
    `ascii_contents`): text i's joined tokens are joined[at[i]:at[i] + sizes[i]] (a
    space follows each text's tokens, so joined[:-1] is all texts' tokens joined by
    spaces), and its sentences are rows sentence_at[i]:sentence_at[i + 1] of `ranges`
    ((first token, end token) in the text's tokens, as `_sentence_token_ranges`)."""

    joined: bytes
    at: list[int]
    sizes: list[int]
    counts: list[int]  # tokens of each text
    hashes: list[str]  # `content_hash` of each text
    ranges: np.ndarray
    sentence_at: list[int]


def ascii_contents(texts: Sequence[str]) -> AsciiContents:
    """What `content_tokens_joined` and `_sentence_token_ranges` give for each of `texts`
    (all ASCII), in two compiled calls for them all instead of several per text: for a
    batch of short articles the calls' overhead was as large as their work."""
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    bounds = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum(lengths, out=bounds[1:])
    whole = "".join(texts)
    buf = text_codes(whole)
    # wire furniture: the few candidate lines are tried by the regex, as `boilerplate_spans` does
    starts, ends = _furniture_candidates(buf, bounds)
    lines = map(whole.__getitem__, map(slice, starts.tolist(), ends.tolist()))
    hits = [line.strip() != "" and BOILERPLATE_LINE.match(line.rstrip("\r\n")) is not None for line in lines]
    hit = np.array(hits, dtype=np.bool_)
    joined, at, sizes, counts, ranges, sentence_at = _ascii_batch_join(buf, bounds, starts[hit], ends[hit], _ASCII_WORD)
    joined = joined.tobytes()
    view = memoryview(joined)
    at, sizes = at.tolist(), sizes.tolist()
    hashes = [hashlib.sha1(view[a:a + n]).hexdigest() for a, n in zip(at, sizes)]
    return AsciiContents(joined, at, sizes, counts.tolist(), hashes, ranges, sentence_at.tolist())


@numba.njit(cache=True, nogil=True)
def _ascii_batch_join(buf, bounds, drop_starts, drop_ends, word):
    """For each text buf[bounds[i]:bounds[i + 1]]: its tokens not starting in a dropped
    span (sorted, disjoint, offsets into buf), lower-cased and joined by spaces with a
    space after the last, and its sentences' token ranges (see `ascii_contents`)."""
    texts = len(bounds) - 1
    joined = np.empty(len(buf) + texts, dtype=np.uint8)
    at = np.empty(texts, dtype=np.int64)
    sizes = np.empty(texts, dtype=np.int64)
    counts = np.empty(texts, dtype=np.int64)
    sentence_at = np.zeros(texts + 1, dtype=np.int64)
    ranges = np.empty((texts + 16, 2), dtype=np.int64)  # grown as needed
    k = 0
    j = 0  # the next dropped span
    for d in range(texts):
        lo = bounds[d]
        text = buf[lo:bounds[d + 1]]
        first, last = _token_bounds(text, word)
        keep = np.ones(len(first), dtype=np.bool_)
        for t in range(len(first)):
            while j < len(drop_starts) and drop_ends[j] <= first[t] + lo:
                j += 1
            if j < len(drop_starts) and drop_starts[j] <= first[t] + lo:
                keep[t] = False
        while j < len(drop_starts) and drop_starts[j] < bounds[d + 1]:  # spans without tokens
            j += 1
        first, last = first[keep], last[keep]
        at[d] = k
        for t in range(len(first)):
            for p in range(first[t], last[t]):
                c = text[p]
                joined[k] = c + 32 if 65 <= c <= 90 else c
                k += 1
            joined[k] = 32
            k += 1
        sizes[d] = k - at[d] - 1 if len(first) else 0
        counts[d] = len(first)
        rows = _sentence_token_ranges(text, first)
        m = sentence_at[d]
        if m + len(rows) > len(ranges):
            grown = np.empty((2 * (m + len(rows)), 2), dtype=np.int64)
            for r in range(m):  # loops, not slice assignment: cheaper to compile
                grown[r, 0] = ranges[r, 0]
                grown[r, 1] = ranges[r, 1]
            ranges = grown
        for r in range(len(rows)):
            ranges[m + r, 0] = rows[r, 2]
            ranges[m + r, 1] = rows[r, 3]
        sentence_at[d + 1] = m + len(rows)
    return joined[:k], at, sizes, counts, ranges[:sentence_at[texts]].copy(), sentence_at


def content_hash(tokens: list[str]) -> str:
    """Hash of the folded words: equal for texts that differ only in case, spacing or furniture."""
    return hashlib.sha1(" ".join(tokens).encode("utf-8")).hexdigest()


def normalize(doc: Document) -> Normalized:
    """Tokens (folded), their offsets, and sentences of one document.

    >>> n = normalize(Document("a", "Storm hits coast. Ferries halted."))
    >>> n.tokens, len(n.sentences)
    (('storm', 'hits', 'coast', 'ferries', 'halted'), 2)
    """
    text = doc.text
    if text.isascii():  # the compiled scans on the text's bytes, starts and ends kept as arrays
        codes = text_codes(text)
        tokens, first, last = _ascii_content_tokens(text, codes)
        ranges = _sentence_token_ranges(codes, first).tolist()
        starts, ends = first.tolist(), last.tolist()
    else:
        tokens, starts, ends = content_tokens(text)
        ranges = sentence_ranges(text, starts)
    return Normalized(doc=doc, tokens=tuple(tokens), starts=tuple(starts), ends=tuple(ends),
                      sentences=tuple(starmap(Sentence, ranges)),  # fields in that order
                      content_hash=content_hash(tokens))
