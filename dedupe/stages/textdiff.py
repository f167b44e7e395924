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

from collections.abc import Iterable, Sequence
from itertools import chain, count

import numba
import numpy as np

from ..text.fingerprint import Stemmer
from ..text.cosines import pair_cosines, smooth_idf_table, tf_weights, tfidf_cosines
from ..model import SEGMENT_KINDS, Diff, Normalized, Segment, Span

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
    """``shared_ngram_mask(a, b, n), shared_ngram_mask(b, a, n)``."""
    number = dict(zip(dict.fromkeys(chain(a, b)), count()))
    ids_a = np.fromiter(map(number.__getitem__, a), dtype=np.int64, count=len(a))
    ids_b = np.fromiter(map(number.__getitem__, b), dtype=np.int64, count=len(b))
    return _shared_masks(ids_a, ids_b, n)


COPY_KINDS = SEGMENT_KINDS  # the kinds a copy's words are marked with, as the diff codes them (0, 1, 2)
ORIGINAL_KINDS = ("kept", "other", "removed")


def _runs(doc: Normalized, labels: Sequence[str]) -> list[tuple[int, int, str]]:
    """Merge consecutive tokens with one label into character runs.

    A run stays open across punctuation and spaces but closes at a sentence end,
    so a segment never spans two paragraphs of different fate."""
    kinds = tuple(dict.fromkeys(labels))
    code = {kind: i for i, kind in enumerate(kinds)}
    codes = np.fromiter(map(code.__getitem__, labels), dtype=np.int64, count=len(labels))
    sentences = np.array([(s.tok_start, s.tok_end) for s in doc.sentences], dtype=np.int64).reshape(-1, 2)
    starts, ends = doc.starts, doc.ends
    return [(starts[a], ends[b - 1], kinds[c])
            for a, b, c in _code_runs(codes, sentences, max(len(kinds), 1)).tolist()]


class Differ:
    """`diff_documents` for the texts of one cluster, each text prepared once: a parent is
    compared with each of its copies, and the per-text work (token numbers, stems of each
    sentence) costs as much as the comparison itself.

    Tokens are numbered in order of first sight and stems by alphabetical rank over all the
    texts, so that the compiled kernel (`_marks`) works on integers alone and sums each sentence
    cosine in the order scikit-learn does (see `cosines.tfidf_cosines`).
    """

    def __init__(self, docs: Iterable[Normalized], stemmer: Stemmer | None = None) -> None:
        stemmer = stemmer or Stemmer()
        self._docs = list({id(d): d for d in docs}.values())  # held, so that the ids stay theirs
        self._slot = {id(d): k for k, d in enumerate(self._docs)}
        token_lists = [d.tokens for d in self._docs]
        distinct = list(dict.fromkeys(chain.from_iterable(token_lists)))
        number = dict(zip(distinct, count()))
        self._tokens = np.fromiter(map(number.__getitem__, chain.from_iterable(token_lists)), dtype=np.int64,
                                   count=sum(map(len, token_lists)))
        self._token_bounds = np.cumsum([0, *map(len, token_lists)], dtype=np.int64)
        self._sentence_counts = [len(d.sentences) for d in self._docs]
        self._sentence_bounds = np.cumsum([0, *self._sentence_counts], dtype=np.int64)
        self._sentence_tokens = np.array([(s.tok_start, s.tok_end) for d in self._docs for s in d.sentences],
                                         dtype=np.int64).reshape(-1, 2)
        # A token's stem depends on the token alone: each distinct token is stemmed once, and
        # the stems of every sentence are its tokens' stems (a token without one left out).
        stems = _stems_of(distinct, stemmer)
        rank = dict(zip(sorted(set(filter(None, stems))), count()))
        stem_of = np.fromiter([rank[stem] if stem else -1 for stem in stems], dtype=np.int64, count=len(stems))
        self._stems, self._sentence_stems, has_stems, longest = _sentence_stem_rows(
            self._tokens, stem_of, self._token_bounds, self._sentence_tokens, self._sentence_bounds)
        self._has_stems = has_stems.tolist()
        self._tf_weight = tf_weights(int(longest))
        self._df = np.zeros(len(rank), dtype=np.int64)  # scratch of the kernel, left zero
        self._seen = np.zeros(len(number), dtype=np.bool_)  # scratch of the kernel, left False
        self._stemmer = stemmer

    def __call__(self, original: Normalized, copy: Normalized, threshold: float = 0.20) -> Diff:
        """Marks of `copy` against `original` (see the module docstring)."""
        slot = self._slot
        if id(original) not in slot or id(copy) not in slot:
            return Differ((original, copy), self._stemmer)(original, copy, threshold)
        o, c = slot[id(original)], slot[id(copy)]
        if self._has_stems[o] and self._has_stems[c]:
            bounds = self._sentence_bounds
            sims = tfidf_cosines(self._stems, self._sentence_stems[bounds[o]:bounds[o + 1]],
                                 self._sentence_stems[bounds[c]:bounds[c + 1]], self._tf_weight,
                                 smooth_idf_table(self._sentence_counts[o] + self._sentence_counts[c]),
                                 self._df)
            zero = False
        else:
            sims = np.zeros((self._sentence_counts[o], self._sentence_counts[c]), dtype=np.float32)
            zero = True
        runs, removed, facts = _marks(
            self._tokens, self._token_bounds, self._sentence_tokens, self._sentence_bounds, o, c, KEPT_NGRAM,
            sims, zero, np.float32(threshold), 0.0 >= threshold, self._seen)
        starts, ends = copy.starts, copy.ends
        segments = tuple([Segment(starts[a], ends[b - 1], COPY_KINDS[k]) for a, b, k in runs.tolist()])
        starts_o, ends_o = original.starts, original.ends
        spans = tuple([Span(starts_o[a], ends_o[b - 1]) for a, b in removed.tolist()])
        return Diff(segments=segments, removed=spans, new_facts=_new_facts(copy, facts.tolist()))


def diff_documents(original: Normalized, copy: Normalized, threshold: float = 0.20,
                   stemmer: Stemmer | None = None) -> Diff:
    """Marks of `copy` against `original` (see the module docstring); `Differ` does many pairs."""
    return Differ((original, copy), stemmer)(original, copy, threshold)


def _stems_of(tokens: Sequence[str], stemmer: Stemmer) -> list[str | None]:
    """Each token's stem, or None for a token the stemmer drops.  Any other callable is taken to
    stem token by token, as `Stemmer` does, and is asked about each token alone."""
    if isinstance(stemmer, Stemmer):
        return stemmer.lookup(tokens)
    return [next(iter(stemmer([token])), None) for token in tokens]


# ---------------------------------------------------------------------------
# Kernels (numba, cached like fingerprint's).  The tests compare them with the
# straightforward word-by-word definitions.

@numba.njit(cache=True, nogil=True)
def _sentence_stem_rows(tokens, stem_of, token_bounds, sentence_tokens, sentence_bounds):
    """The stems of the texts' tokens in order (`stem_of` each token number's stem, -1 for none),
    each sentence's (start, end) in them, whether each text has a stem in a sentence, and the
    most stems a sentence has.  Text d's tokens are ``tokens[token_bounds[d]:token_bounds[d + 1]]``
    and its sentences the rows ``sentence_bounds[d]:sentence_bounds[d + 1]`` of `sentence_tokens`
    (token ranges in the text)."""
    n = len(tokens)
    stems = np.empty(n, dtype=np.int64)
    before = np.empty(n + 1, dtype=np.int64)  # stems before each token position
    k = 0
    for t in range(n):
        before[t] = k
        stem = stem_of[tokens[t]]
        if stem >= 0:
            stems[k] = stem
            k += 1
    before[n] = k
    rows = np.empty((len(sentence_tokens), 2), dtype=np.int64)
    has_stems = np.zeros(len(token_bounds) - 1, dtype=np.bool_)
    longest = 0
    for d in range(len(token_bounds) - 1):
        for r in range(sentence_bounds[d], sentence_bounds[d + 1]):
            start = before[token_bounds[d] + sentence_tokens[r, 0]]
            end = before[token_bounds[d] + sentence_tokens[r, 1]]
            rows[r, 0] = start
            rows[r, 1] = end
            if end > start:
                has_stems[d] = True
                longest = max(longest, end - start)
    return stems[:k], rows, has_stems, longest


@numba.njit(cache=True, nogil=True)
def _gram_table(ids, n):
    """Open-addressing hash table of the n-grams of `ids`: slot -> first position + 1 (0: empty)."""
    count = len(ids) - n + 1
    size = 16
    while size < 2 * count:
        size *= 2
    table = np.zeros(size, dtype=np.int64)
    hashes = np.empty(count, dtype=np.uint64)
    for p in range(count):
        h = _gram_hash(ids, p, n)
        hashes[p] = h
        slot = h & np.uint64(size - 1)
        while table[slot] != 0:
            if _same_gram(ids, table[slot] - 1, ids, p, n):
                break
            slot = (slot + np.uint64(1)) & np.uint64(size - 1)
        if table[slot] == 0:
            table[slot] = p + 1
    return table, hashes


@numba.njit(cache=True, nogil=True, inline="always")
def _gram_hash(ids, p, n):
    h = np.uint64(0xCBF29CE484222325)
    for q in range(n):
        h = (h ^ np.uint64(ids[p + q])) * np.uint64(0x100000001B3)
        h ^= h >> np.uint64(29)
    return h


@numba.njit(cache=True, nogil=True, inline="always")
def _same_gram(a, p, b, q, n):
    for i in range(n):
        if a[p + i] != b[q + i]:
            return False
    return True


@numba.njit(cache=True, nogil=True)
def _mark_shared(ids, hashes, other, table, n, mask):
    """Set mask[t] for each token t of `ids` inside an n-gram that `other` has too (`table`:
    `_gram_table` of `other`; hashes only find candidates, the words are compared)."""
    size = len(table)
    for p in range(len(hashes)):
        slot = hashes[p] & np.uint64(size - 1)
        while table[slot] != 0:
            if _same_gram(other, table[slot] - 1, ids, p, n):
                for q in range(n):  # the n-gram at position p covers tokens p .. p + n - 1
                    mask[p + q] = True
                break
            slot = (slot + np.uint64(1)) & np.uint64(size - 1)


@numba.njit(cache=True, nogil=True)
def _shared_masks(a, b, n):
    """True for each token of `a` (of `b`) inside an n-gram also found in `b` (in `a`); texts
    shorter than n words count as one n-gram."""
    mask_a = np.zeros(len(a), dtype=np.bool_)
    mask_b = np.zeros(len(b), dtype=np.bool_)
    if len(a) == 0 or len(b) == 0:
        return mask_a, mask_b
    n = min(n, len(a), len(b))
    table_a, hashes_a = _gram_table(a, n)
    table_b, hashes_b = _gram_table(b, n)
    _mark_shared(a, hashes_a, b, table_b, n, mask_a)
    _mark_shared(b, hashes_b, a, table_a, n, mask_b)
    return mask_a, mask_b


@numba.njit(cache=True, nogil=True)
def _code_runs(codes, sentences, kinds):
    """Runs (first token, end token, code) of equal codes within one sentence: `_runs` on codes.

    Tokens outside every sentence count as sentence 0 (as they always have)."""
    size = len(codes)
    sentence_of = np.zeros(size, dtype=np.int64)
    for k in range(len(sentences)):
        for t in range(sentences[k, 0], min(sentences[k, 1], size)):
            sentence_of[t] = k
    out = np.empty((size, 3), dtype=np.int64)
    runs = 0
    first = 0
    for t in range(1, size + 1):
        if t == size or sentence_of[t] * kinds + codes[t] != sentence_of[first] * kinds + codes[first]:
            out[runs, 0] = first
            out[runs, 1] = t
            out[runs, 2] = codes[first]
            runs += 1
            first = t
    return out[:runs]


@numba.njit(cache=True, nogil=True)
def _marks(tokens, token_bounds, sentence_tokens, sentence_bounds, o, c, n, sims, zero, threshold, zero_aligned,
           seen):
    """The diff of text `c` against text `o`: (runs of the copy's codes into COPY_KINDS,
    runs of the original's removed tokens, the copy's added tokens the original lacks).

    Text d's tokens are ``tokens[token_bounds[d]:token_bounds[d + 1]]``, its sentences the rows
    ``sentence_bounds[d]:sentence_bounds[d + 1]`` of `sentence_tokens` (token range in the
    text).  `sims` are the sentence cosines; when they are `zero` (a text without stems), a
    sentence is aligned when `zero_aligned` (0.0 >= the threshold, compared in float64).
    `seen` is False for every token number and left so."""
    ids_o = tokens[token_bounds[o]:token_bounds[o + 1]]
    ids_c = tokens[token_bounds[c]:token_bounds[c + 1]]
    sent_o = sentence_tokens[sentence_bounds[o]:sentence_bounds[o + 1]]
    sent_c = sentence_tokens[sentence_bounds[c]:sentence_bounds[c + 1]]
    rows_o, rows_c = len(sent_o), len(sent_c)
    # 1. each sentence's best match on the other side (many-to-one), aligned when it reaches
    # the threshold (float32 cosines against the threshold in float32, as numpy compares them)
    aligned_c = np.zeros(rows_c, dtype=np.bool_)
    best_o = np.zeros(rows_c, dtype=np.int64)  # the first best (argmax)
    for j in range(rows_c):
        top = np.float32(0.0)  # cosines are never negative
        for i in range(rows_o):
            if sims[i, j] > top:
                top = sims[i, j]
                best_o[j] = i
        aligned_c[j] = zero_aligned if zero else top >= threshold
    aligned_o = np.zeros(rows_o, dtype=np.bool_)
    for i in range(rows_o):
        top = np.float32(0.0)
        for j in range(rows_c):
            top = max(top, sims[i, j])
        aligned_o[i] = zero_aligned if zero else top >= threshold
    # 2. kept: in an n-gram both texts have, or (inside a sentence aligned to one of the
    # original's) a word its best match has too
    kept_c, kept_o = _shared_masks(ids_c, ids_o, n)
    if rows_o and rows_c:
        for j in range(rows_c):
            if aligned_c[j]:
                i = best_o[j]
                for t in range(sent_o[i, 0], sent_o[i, 1]):
                    seen[ids_o[t]] = True
                for t in range(sent_c[j, 0], sent_c[j, 1]):
                    if seen[ids_c[t]]:
                        kept_c[t] = True
                for t in range(sent_o[i, 0], sent_o[i, 1]):
                    seen[ids_o[t]] = False
    # 3. the copy's codes (COPY_KINDS) and the original's (ORIGINAL_KINDS)
    codes_c = np.full(len(ids_c), 2, dtype=np.int64)  # added
    for j in range(rows_c):
        if aligned_c[j]:
            codes_c[sent_c[j, 0]:sent_c[j, 1]] = 1  # reworded
    for t in range(len(ids_c)):
        if kept_c[t]:
            codes_c[t] = 0
    unaligned = np.zeros(len(ids_o), dtype=np.bool_)
    for i in range(rows_o):
        if not aligned_o[i]:
            unaligned[sent_o[i, 0]:sent_o[i, 1]] = True
    codes_o = np.empty(len(ids_o), dtype=np.int64)
    for t in range(len(ids_o)):
        codes_o[t] = 0 if kept_o[t] else (2 if unaligned[t] else 1)  # kept, else removed or other
    runs_o = _code_runs(codes_o, sent_o, 3)
    removed = np.empty((len(runs_o), 2), dtype=np.int64)
    k = 0
    for r in range(len(runs_o)):
        if runs_o[r, 2] == 2:
            removed[k, 0] = runs_o[r, 0]
            removed[k, 1] = runs_o[r, 1]
            k += 1
    # 4. added words of the copy that the original never uses: candidates for new facts
    for t in range(len(ids_o)):
        seen[ids_o[t]] = True
    facts = np.empty(len(ids_c), dtype=np.int64)
    f = 0
    for t in range(len(ids_c)):
        if codes_c[t] == 2 and not seen[ids_c[t]]:
            facts[f] = t
            f += 1
    for t in range(len(ids_o)):
        seen[ids_o[t]] = False
    return _code_runs(codes_c, sent_c, 3), removed[:k], facts[:f]


def new_facts(copy: Normalized, labels: Sequence[str], original: Normalized) -> tuple[str, ...]:
    """Names and numbers in the copy's added text that the original never mentions.

    Own reporting brings new people, places and figures; a machine rewrite's added
    filler ("This development highlights...") brings none.  A name is a capitalised
    word that does not start its sentence.
    """
    known = set(original.tokens)
    return _new_facts(copy, [t for t, label in enumerate(labels) if label == "added" and copy.tokens[t] not in known])


def _new_facts(copy: Normalized, added: Sequence[int]) -> tuple[str, ...]:
    """`new_facts` of the copy's added tokens (positions) that the original does not use."""
    if not added:
        return ()
    sentence_starts = {s.tok_start for s in copy.sentences}
    found: dict[str, None] = {}
    text = copy.text
    tokens, starts, ends = copy.tokens, copy.starts, copy.ends
    for t in added:
        token = tokens[t]
        if token in found:
            continue
        raw = text[starts[t]:ends[t]]
        # no character is both a letter and a digit: most words need no test of every character
        if ((not raw.isalpha() and any(map(str.isdigit, raw)))
                or (raw[:1].isupper() and t not in sentence_starts and len(raw) > 1)):
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
