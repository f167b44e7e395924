"""What a copy kept, reworded and added, and what it removed from its original.

1. Each sentence is matched to its most similar sentence on the other side by
   TF-IDF cosine (fitted on the sentences of the pair, so the result depends on
   the pair alone); a match needs at least `threshold`.
2. Inside the copy, a word is ``kept`` when it lies in a word n-gram that also
   occurs in the original (verbatim reuse, wherever it moved to); otherwise it
   is ``reworded`` when its sentence is aligned to a sentence of the original,
   and ``added`` when it is not.
3. Inside the original, a word is ``removed`` when it is in no shared n-gram
   and its sentence has no counterpart in the copy.
"""
from __future__ import annotations

from collections.abc import Sequence
from itertools import starmap

import numpy as np

from .fingerprint import Stemmer, pair_cosines
from .model import Diff, Normalized, Segment, Span

KEPT_NGRAM = 3


def sentence_words(doc: Normalized, stemmer: Stemmer) -> list[list[str]]:
    return [stemmer(doc.tokens[s.tok_start:s.tok_end]) for s in doc.sentences]


def sentence_similarity(original: Normalized, copy: Normalized,
                        stemmer: Stemmer | None = None) -> np.ndarray:
    """Cosine of every (original sentence, copy sentence) pair, TF-IDF fitted on the pair's sentences."""
    stemmer = stemmer or Stemmer()
    words_o = sentence_words(original, stemmer)
    words_c = sentence_words(copy, stemmer)
    if not any(words_o) or not any(words_c):
        return np.zeros((len(words_o), len(words_c)))
    return pair_cosines(words_o, words_c)


def shared_ngram_mask(tokens: Sequence[str], other: Sequence[str], n: int) -> np.ndarray:
    """True for each token of `tokens` that lies inside an n-gram also found in `other`.

    Texts shorter than n words count as one n-gram."""
    return shared_ngram_masks(tokens, other, n)[0]


def shared_ngram_masks(a: Sequence[str], b: Sequence[str], n: int) -> tuple[np.ndarray, np.ndarray]:
    """``shared_ngram_mask(a, b, n), shared_ngram_mask(b, a, n)``, each side's n-grams built once."""
    if not a or not b:
        return np.zeros(len(a), dtype=bool), np.zeros(len(b), dtype=bool)
    n = min(n, len(a), len(b))
    grams_a = list(zip(*(a[i:] for i in range(n))))
    grams_b = list(zip(*(b[i:] for i in range(n))))
    return _covered(grams_a, set(grams_b), n, len(a)), _covered(grams_b, set(grams_a), n, len(b))


def _covered(grams: list[tuple[str, ...]], known: set[tuple[str, ...]], n: int, size: int) -> np.ndarray:
    hits = np.fromiter(map(known.__contains__, grams), dtype=bool, count=len(grams))
    mask = np.zeros(size, dtype=bool)
    for i in range(n):  # the n-gram at position p covers tokens p .. p + n - 1
        mask[i:i + len(hits)] |= hits
    return mask


COPY_KINDS = ("kept", "reworded", "added")
ORIGINAL_KINDS = ("kept", "other", "removed")


def _token_codes(doc: Normalized, kept: np.ndarray, aligned_sentences: set[int]) -> np.ndarray:
    """Index into COPY_KINDS of each token of the copy."""
    codes = np.full(len(doc.tokens), 2, dtype=np.int64)  # added
    for k, sent in enumerate(doc.sentences):
        if k in aligned_sentences:
            codes[sent.tok_start:sent.tok_end] = 1  # reworded
    codes[kept] = 0  # kept
    return codes


def _runs(doc: Normalized, labels: Sequence[str]) -> list[tuple[int, int, str]]:
    """Merge consecutive tokens with one label into character runs.

    A run stays open across punctuation and spaces but closes at a sentence end,
    so a segment never spans two paragraphs of different fate."""
    kinds = tuple(dict.fromkeys(labels))
    code = {kind: i for i, kind in enumerate(kinds)}
    return _code_runs(doc, np.fromiter(map(code.__getitem__, labels), dtype=np.int64, count=len(labels)), kinds)


def _code_runs(doc: Normalized, codes: np.ndarray, kinds: Sequence[str]) -> list[tuple[int, int, str]]:
    """`_runs` of the labels ``kinds[codes[t]]``."""
    if not len(codes):
        return []
    sentence_of = np.zeros(len(doc.tokens), dtype=np.int64)
    for k, sent in enumerate(doc.sentences):
        sentence_of[sent.tok_start:sent.tok_end] = k
    key = sentence_of[:len(codes)] * len(kinds) + codes  # one value per (sentence, label)
    bounds = (np.flatnonzero(key[1:] != key[:-1]) + 1).tolist()
    firsts = [0, *bounds]
    starts, ends = doc.starts, doc.ends
    return [(starts[a], ends[b - 1], kinds[c])
            for a, b, c in zip(firsts, [*bounds, len(codes)], codes[firsts].tolist())]


def diff_documents(original: Normalized, copy: Normalized, threshold: float = 0.20,
                   stemmer: Stemmer | None = None) -> Diff:
    """Marks of `copy` against `original` (see the module docstring)."""
    sims = sentence_similarity(original, copy, stemmer)
    # Rewriters split and merge sentences, so each sentence takes its best match
    # on the other side (many-to-one), not a one-to-one alignment.
    aligned_c = set(np.flatnonzero(sims.max(axis=0, initial=0.0) >= threshold).tolist())
    aligned_o = set(np.flatnonzero(sims.max(axis=1, initial=0.0) >= threshold).tolist())
    kept_c, kept_o = shared_ngram_masks(copy.tokens, original.tokens, KEPT_NGRAM)
    if sims.size:
        # inside a sentence matched to one of the original's, any word the two
        # sentences share was kept too, even alone ("the 36-year-old star")
        best_o = sims.argmax(axis=0)
        for c in sorted(aligned_c):
            sent_c, sent_o = copy.sentences[c], original.sentences[best_o[c]]
            words_o = set(original.tokens[sent_o.tok_start:sent_o.tok_end])
            for t in range(sent_c.tok_start, sent_c.tok_end):
                if copy.tokens[t] in words_o:
                    kept_c[t] = True
    codes_c = _token_codes(copy, kept_c, aligned_c)
    segments = tuple(starmap(Segment, _code_runs(copy, codes_c, COPY_KINDS)))
    unaligned = np.zeros(len(original.tokens), dtype=bool)
    for k, sent in enumerate(original.sentences):
        if k not in aligned_o:
            unaligned[sent.tok_start:sent.tok_end] = True
    codes_o = np.where(kept_o, 0, np.where(unaligned, 2, 1))  # kept, else removed or other
    removed = tuple(Span(s, e) for s, e, kind in _code_runs(original, codes_o, ORIGINAL_KINDS) if kind == "removed")
    labels_c = list(map(COPY_KINDS.__getitem__, codes_c.tolist()))
    return Diff(segments=segments, removed=removed, new_facts=new_facts(copy, labels_c, original))


def new_facts(copy: Normalized, labels: Sequence[str], original: Normalized) -> tuple[str, ...]:
    """Names and numbers in the copy's added text that the original never mentions.

    Own reporting brings new people, places and figures; a machine rewrite's added
    filler ("This development highlights...") brings none.  A name is a capitalised
    word that does not start its sentence.
    """
    known = set(original.tokens)
    sentence_starts = {s.tok_start for s in copy.sentences}
    found: dict[str, None] = {}
    text = copy.text
    tokens, starts, ends = copy.tokens, copy.starts, copy.ends
    for t in [t for t, label in enumerate(labels) if label == "added"]:
        token = tokens[t]
        if token in known or token in found:
            continue
        raw = text[starts[t]:ends[t]]
        if any(map(str.isdigit, raw)) or (raw[:1].isupper() and t not in sentence_starts and len(raw) > 1):
            found[token] = None
    return tuple(found)


def classify(diff: Diff, same_text: bool, partial_added: float, copy_kept: float,
             partial_facts: int = 3) -> str:
    """Relation of a copy to its original from the shares of its marks.

    - ``duplicate``: the same text after normalisation;
    - ``partial``: more than `partial_added` of the copy is added, and the added
      text brings at least `partial_facts` new names or numbers (own reporting,
      not filler);
    - ``copy``: of what was taken, at least `copy_kept` is verbatim;
    - ``rewrite``: the rest, taken but mostly reworded.
    """
    if same_text:
        return "duplicate"
    added = diff.share("added")
    if added > partial_added and len(diff.new_facts) >= partial_facts:
        return "partial"
    kept = diff.share("kept")
    taken = 1.0 - added
    if taken and kept / taken >= copy_kept:
        return "copy"
    return "rewrite"
