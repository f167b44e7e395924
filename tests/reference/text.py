"""normalize.py's rules written plainly: the token, paragraph and sentence regexes and a
per-match normalize().  The compiled scans of dedupe.text.normalize are tested against these."""
from __future__ import annotations

import bisect
import hashlib
import re
import unicodedata

from dedupe.model import Sentence
from dedupe.text.normalize import BOILERPLATE_LINE

TOKEN = re.compile(r"\w+(?:['’]\w+)*")
# A sentence ends at . ! ? (optionally followed by closing quotes/brackets) before
# whitespace and a capital, a digit or an opening quote.
SENTENCE_END = re.compile(r"""[.!?]["'”’)\]]*\s+(?=["'“‘(\[]?[A-Z0-9\u00C0-\u024F])""")
PARAGRAPH_BREAK = re.compile(r"\n[ \t\u00a0]*\n+|<[ \t]*\r?\n|(?<=[.!?:\"”’)])[ \t]*\r?\n")


def reference_fold(token):
    return unicodedata.normalize("NFKC", token).casefold().replace("’", "'")


def reference_boilerplate_spans(text):
    spans, pos = [], 0
    for line in text.splitlines(keepends=True):
        if line.strip() and len(line) < 120 and BOILERPLATE_LINE.match(line.rstrip("\r\n")):
            spans.append((pos, pos + len(line)))
        pos += len(line)
    return spans


def reference_sentence_spans(text):
    """sentence_spans as first written: PARAGRAPH_BREAK, then SENTENCE_END in each paragraph."""
    spans, start = [], 0
    for para_end in [m.end() for m in PARAGRAPH_BREAK.finditer(text)] + [len(text)]:
        for m in SENTENCE_END.finditer(text, start, para_end):
            spans.append((start, m.start() + 1))
            start = m.end()
        if start < para_end:
            spans.append((start, para_end))
        start = para_end
    return [(s, e) for s, e in spans if text[s:e].strip()]


def reference_normalize(text):
    """normalize() as first written: one regex match at a time, every token folded in full."""
    skip = reference_boilerplate_spans(text)
    tokens, starts, ends = [], [], []
    skip_i = 0
    for m in TOKEN.finditer(text):
        while skip_i < len(skip) and skip[skip_i][1] <= m.start():
            skip_i += 1
        if skip_i < len(skip) and skip[skip_i][0] <= m.start() < skip[skip_i][1]:
            continue
        tokens.append(reference_fold(m.group()))
        starts.append(m.start())
        ends.append(m.end())
    sentences = []
    for s, e in reference_sentence_spans(text):
        t0, t1 = bisect.bisect_left(starts, s), bisect.bisect_left(starts, e)
        if t1 > t0:
            sentences.append(Sentence(start=s, end=e, tok_start=t0, tok_end=t1))
    digest = hashlib.sha1(" ".join(tokens).encode("utf-8")).hexdigest()
    return tuple(tokens), tuple(starts), tuple(ends), tuple(sentences), digest
