"""Sentences of a text, with offsets into it: paragraph breaks split the text, then sentence
punctuation splits each paragraph; one compiled pass over the text's code points runs both
(`tests/reference/text.py` holds the regexes it is tested against)."""
from __future__ import annotations

import numba
import numpy as np


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of sentences: paragraphs first, then sentence punctuation."""
    return [(s, e) for s, e in _all_sentence_spans(text) if text[s:e].strip()]


def _all_sentence_spans(text: str) -> list[tuple[int, int]]:
    # paragraph breaks split the text, then sentence ends each paragraph; `_sentence_scan`
    # runs both patterns in one compiled pass (tests compare it with the regexes)
    starts, ends = _sentence_scan(text_codes(text))
    return list(zip(starts.tolist(), ends.tolist()))


def text_codes(text: str) -> np.ndarray:
    """The text's code points as a uint32 array, indexed like the str.

    uint32 for ASCII texts too: the scans then compile for one array type, not two (each
    type is a compile of its own, seconds on a first run), and run as fast on either."""
    if text.isascii():
        return np.frombuffer(text.encode("ascii"), dtype=np.uint8).astype(np.uint32)
    # a writable copy, as astype gives above: numba compiles read-only arrays as another type
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).copy()


@numba.njit(cache=True, nogil=True, inline="always")
def _is_space(c):
    """Python re's \\s on a code point (a test checks every code point)."""
    if c <= 32:
        return c == 32 or 9 <= c <= 13 or 28 <= c <= 31
    if c < 0x85:
        return False
    return (c == 0x85 or c == 0xA0 or c == 0x1680 or 0x2000 <= c <= 0x200A or c == 0x2028 or c == 0x2029
            or c == 0x202F or c == 0x205F or c == 0x3000)


@numba.njit(cache=True, nogil=True, inline="always")
def _paragraph_break_end(t, p):
    """End of a paragraph break starting at position p, or -1: a newline, blanks and more
    newlines; a "<", blanks and a line end; or blanks and a line end after . ! ? : " ” ’ )."""
    n = len(t)
    c = t[p]
    if c == 10:  # \n[ \t\u00a0]*\n+
        q = p + 1
        while q < n and (t[q] == 32 or t[q] == 9 or t[q] == 0xA0):
            q += 1
        if q < n and t[q] == 10:
            while q < n and t[q] == 10:
                q += 1
            return q
    if c == 60:  # <[ \t]*\r?\n
        end = _blanks_then_newline(t, p + 1)
        if end >= 0:
            return end
    if p > 0:  # (?<=[.!?:"”’)])[ \t]*\r?\n
        b = t[p - 1]
        if b == 46 or b == 33 or b == 63 or b == 58 or b == 34 or b == 0x201D or b == 0x2019 or b == 41:
            return _blanks_then_newline(t, p)
    return -1


@numba.njit(cache=True, nogil=True, inline="always")
def _blanks_then_newline(t, q):
    """End of a ``[ \t]*\r?\n`` match at position q, or -1."""
    n = len(t)
    while q < n and (t[q] == 32 or t[q] == 9):
        q += 1
    if q < n and t[q] == 13:
        q += 1
    if q < n and t[q] == 10:
        return q + 1
    return -1


@numba.njit(cache=True, nogil=True, inline="always")
def _sentence_end_at(t, p, end):
    """End of a sentence end at position p of t[:end] (what follows it is looked at no further),
    or -1: . ! ?, closing quotes or brackets, whitespace, then (not taken) an optional opening
    quote or bracket and a capital, a digit or a letter U+00C0-U+024F."""
    c = t[p]
    if not (c == 46 or c == 33 or c == 63):  # [.!?]
        return -1
    q = p + 1
    while q < end:  # ["'”’)\]]*
        c = t[q]
        if c == 34 or c == 39 or c == 0x201D or c == 0x2019 or c == 41 or c == 93:
            q += 1
        else:
            break
    w = q
    while q < end and _is_space(t[q]):  # \s+
        q += 1
    if q == w:
        return -1
    r = q  # (?=["'“‘(\[]?[A-Z0-9\u00C0-\u024F])
    if r < end:
        c = t[r]
        if c == 34 or c == 39 or c == 0x201C or c == 0x2018 or c == 40 or c == 91:
            r += 1
    if r < end:
        c = t[r]
        if 65 <= c <= 90 or 48 <= c <= 57 or 0xC0 <= c <= 0x24F:
            return q
    return -1


@numba.njit(cache=True, nogil=True)
def _sentence_scan(t):
    """(starts, ends) of `_all_sentence_spans`: paragraph breaks end paragraphs, and
    within each paragraph sentence ends (found left to right, not overlapping) end
    sentences -- the same spans as the regexes' finditer loops."""
    n = len(t)
    starts = np.empty(n + 1, dtype=np.int64)
    ends = np.empty(n + 1, dtype=np.int64)
    k = 0
    start = 0
    p = 0  # where the search for the next paragraph break goes on
    while True:
        para_end = -1
        while p < n:
            c = t[p]
            if c == 10 or c == 60 or c == 32 or c == 9 or c == 13:  # where a match can begin
                para_end = _paragraph_break_end(t, p)
                if para_end >= 0:
                    break
            p += 1
        last = para_end < 0
        if last:
            para_end = n
        q = start
        while q < para_end:
            c = t[q]
            e = _sentence_end_at(t, q, para_end) if c == 46 or c == 33 or c == 63 else -1
            if e >= 0:
                starts[k] = start
                ends[k] = q + 1
                k += 1
                start = e
                q = e
            else:
                q += 1
        if start < para_end:
            starts[k] = start
            ends[k] = para_end
            k += 1
        if last:
            break
        start = p = para_end
    return starts[:k], ends[:k]


@numba.njit(cache=True, nogil=True)
def _sentence_token_ranges(t, token_starts):
    """(start, end, first token, end token) rows of the sentences that hold tokens, as
    `sentence_ranges` (token_starts ascending; the spans are ascending and disjoint, so
    one merge replaces the two bisections per span)."""
    s, e = _sentence_scan(t)
    m = len(s)
    out = np.empty((m, 4), dtype=np.int64)
    k = 0
    i = 0
    n = len(token_starts)
    for j in range(m):
        while i < n and token_starts[i] < s[j]:  # bisect_left(starts, s)
            i += 1
        t0 = i
        while i < n and token_starts[i] < e[j]:  # bisect_left(starts, e)
            i += 1
        if i > t0:
            out[k, 0] = s[j]
            out[k, 1] = e[j]
            out[k, 2] = t0
            out[k, 3] = i
            k += 1
    return out[:k]


def sentence_ranges(text: str, starts: list[int]) -> list[tuple[int, int, int, int]]:
    """(start, end, first token, end token) of each sentence with tokens, given the tokens' starts."""
    # a span without tokens is dropped here, so sentence_spans' test for blank spans is not needed
    ranges = _sentence_token_ranges(text_codes(text), np.array(starts, dtype=np.int64))
    return list(map(tuple, ranges.tolist()))
