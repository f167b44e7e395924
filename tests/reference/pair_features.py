"""Reference: the pair features of one pair at a time, with scipy matrices and a Python alignment.

`dedupe.stages.pairwise.pair_feature_arrays` computes the same numbers for many pairs in one
compiled kernel; tests/test_pairwise.py holds it to these, bit for bit.

"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from dedupe.config import VerifyOptions
from dedupe.text.fingerprint import Fingerprints, Stemmer
from dedupe.model import Match, Normalized, Scores


@dataclass(frozen=True)
class PairFeatures:
    cosine: float
    contain_ab: float
    contain_ba: float
    jaccard: float
    aligned_a: float
    aligned_b: float
    terms_ab: float  # IDF-weighted share of a's content words found in b
    terms_ba: float
    numbers: float | None  # share of the smaller set of numbers found in both texts


def number_agreement(a: frozenset[str], b: frozenset[str], min_numbers: int) -> float | None:
    if min(len(a), len(b)) < min_numbers:
        return None
    return len(a & b) / min(len(a), len(b))


class SentenceVectors:
    """TF-IDF vectors of each document's sentences, made on first use."""

    def __init__(self, docs: Sequence[Normalized], fingerprints: Fingerprints, stemmer: Stemmer) -> None:
        self.docs = docs
        self._fp = fingerprints
        self._stemmer = stemmer
        self._cache: dict[int, tuple[sp.csr_matrix, np.ndarray]] = {}

    def __call__(self, i: int) -> tuple[sp.csr_matrix, np.ndarray]:
        """(sentence x term matrix, token count of each sentence) of document i."""
        hit = self._cache.get(i)
        if hit is None:
            doc = self.docs[i]
            words = [self._stemmer(doc.tokens[s.tok_start:s.tok_end]) for s in doc.sentences]
            if words and self._fp.terms.shape[1]:
                matrix = self._fp.vectorizer.transform(words).tocsr()
            else:
                matrix = sp.csr_matrix((len(words), self._fp.terms.shape[1]), dtype=np.float32)
            sizes = np.array([s.tok_end - s.tok_start for s in doc.sentences], dtype=np.float64)
            hit = self._cache[i] = (matrix, sizes)
        return hit


def monotone_alignment(sims: np.ndarray, threshold: float) -> list[tuple[int, int]]:
    """The in-order sentence pairs (i, j) with the largest total similarity.

    Copies and rewrites keep the story's order; independent reports of the same
    event do not, so an order-preserving alignment separates them better than
    each sentence's best match.  Pairs below `threshold` are never used.
    """
    na, nb = sims.shape
    if na == 0 or nb == 0:
        return []
    gain = np.where(sims >= threshold, sims, 0.0)
    score = np.zeros((na + 1, nb + 1))
    for i in range(1, na + 1):
        row_gain = gain[i - 1]
        prev = score[i - 1]
        cur = score[i]
        for j in range(1, nb + 1):
            g = row_gain[j - 1]
            best = prev[j - 1] + g if g > 0 else prev[j - 1]
            cur[j] = max(best, prev[j], cur[j - 1])
    pairs = []
    i, j = na, nb
    while i > 0 and j > 0:
        g = gain[i - 1, j - 1]
        if g > 0 and score[i, j] == score[i - 1, j - 1] + g:
            pairs.append((i - 1, j - 1))
            i, j = i - 1, j - 1
        elif score[i, j] == score[i - 1, j]:
            i -= 1
        else:
            j -= 1
    return pairs[::-1]


def alignment(sent_a: sp.csr_matrix, sent_b: sp.csr_matrix, threshold: float) -> list[tuple[int, int]]:
    """Order-preserving sentence alignment of two documents' sentence vectors."""
    if sent_a.shape[0] == 0 or sent_b.shape[0] == 0:
        return []
    return monotone_alignment((sent_a @ sent_b.T).toarray(), threshold)


def term_containment(fp: Fingerprints, i: int, j: int) -> tuple[float, float]:
    """IDF-weighted share of each text's distinct content words that the other text also uses.

    Rare words (names, details) weigh most: a newspaper story written from wire
    copy reuses the wire's specific vocabulary even where it rewords every sentence.
    """
    if not fp.terms.shape[1]:
        return 0.0, 0.0
    idf = fp.vectorizer.idf_
    ti, tj = fp.terms[i].indices, fp.terms[j].indices
    shared = idf[np.intersect1d(ti, tj, assume_unique=True)].sum()
    wi, wj = idf[ti].sum(), idf[tj].sum()
    return (float(shared / wi) if wi else 0.0, float(shared / wj) if wj else 0.0)


def pair_features(i: int, j: int, fp: Fingerprints, sentences: SentenceVectors,
                  options: VerifyOptions, numbers: Sequence[frozenset[str]]) -> PairFeatures:
    si, sj = fp.shingle_sets[i], fp.shingle_sets[j]
    inter = len(np.intersect1d(si, sj, assume_unique=True))
    union = len(si) + len(sj) - inter
    cosine = float(fp.terms[i].multiply(fp.terms[j]).sum()) if fp.terms.shape[1] else 0.0
    mat_i, size_i = sentences(i)
    mat_j, size_j = sentences(j)
    terms_ij, terms_ji = term_containment(fp, i, j)
    pairs = alignment(mat_i, mat_j, options.sentence_match)
    aligned_i = float(sum(size_i[p] for p, _ in pairs) / max(size_i.sum(), 1))
    aligned_j = float(sum(size_j[q] for _, q in pairs) / max(size_j.sum(), 1))
    return PairFeatures(
        cosine=cosine,
        contain_ab=inter / len(si) if len(si) else 0.0,
        contain_ba=inter / len(sj) if len(sj) else 0.0,
        jaccard=inter / union if union else 0.0,
        aligned_a=aligned_i,
        aligned_b=aligned_j,
        terms_ab=terms_ij,
        terms_ba=terms_ji,
        numbers=number_agreement(numbers[i], numbers[j], 4),
    )


def match_from_features(i: int, j: int, f: PairFeatures) -> Match:
    """The Match recorded for a linked pair."""
    return Match(
        a=i, b=j,
        scores=Scores(cosine=f.cosine, containment=max(f.contain_ab, f.contain_ba),
                      jaccard=f.jaccard, coverage=max(f.aligned_a, f.aligned_b)),
        contain_ab=f.contain_ab, contain_ba=f.contain_ba,
        aligned_a=f.aligned_a, aligned_b=f.aligned_b,
    )


def quoted(text: str) -> np.ndarray:
    """True for each character inside quotation marks, read character by character
    (`dedupe.features.quoted` visits only the marks)."""
    inside = np.zeros(len(text), dtype=bool)
    state = False
    for i, c in enumerate(text):
        before = text[i - 1] if i else " "
        after = text[i + 1] if i + 1 < len(text) else " "
        if c == "\n" and after == "\n":
            state = False
        if not state and (c in '"“' or (c in "‘'`" and not before.isalnum())) and (after.isalnum() or after in " `"):
            state = True
            continue
        if state and (c in '"”' or (c in "’'" and not after.isalnum() and (before.isalnum() or before in ".,!?"))):
            state = False
            continue
        inside[i] = state
    return inside


def unquoted_share(a: Normalized, b: Normalized, k: int = 3) -> float:
    """Share of the word k-grams both texts have that each also has with all its words outside
    quotation marks (`quoted`), as tuples of words rather than hashes; 0 when they share none."""
    def grams(doc: Normalized) -> tuple[set, set]:
        mask = quoted(doc.text)
        outside = [not mask[s] for s in doc.starts]
        every, free = set(), set()
        for i in range(len(doc.tokens) - k + 1):
            gram = tuple(doc.tokens[i:i + k])
            every.add(gram)
            if all(outside[i:i + k]):
                free.add(gram)
        return every, free

    every_a, free_a = grams(a)
    every_b, free_b = grams(b)
    shared = every_a & every_b
    return len(shared & free_a & free_b) / len(shared) if shared else 0.0
