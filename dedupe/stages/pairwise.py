"""The verify stage: features of many candidate pairs at once, and the verifier's decision.

Every document's sentences are turned into TF-IDF rows in one ``vectorizer.transform``
call, and one compiled kernel computes, for every pair, the shingle intersection, the
TF-IDF cosine, the IDF-weighted share of each text's words found in the other, and the
order-preserving sentence alignment (float32 products summed in scipy's order, numpy's
pairwise sum for the cosine, float64 alignment scores: tests/reference/pair_features.py
computes the same numbers one pair at a time, and tests/test_pairwise.py holds the kernel
to it).  `features.pair_columns` adds the rarity-weighted features, and
`verifier.Verifier` decides.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import TYPE_CHECKING

import numba
import numpy as np
import scipy.sparse as sp

from ..config import VerifyOptions
from ..text.fingerprint import Fingerprints, IdRows, Stemmer, transform_rows
from ..model import Match, Normalized, Scores
from .features import count_shared, number_set

if TYPE_CHECKING:
    from .features import CorpusStats
    from .verifier import Verifier


class SentenceRows:
    """TF-IDF rows of the sentences of many documents, made in one batch.

    Document i's sentences are rows ``offsets[i]:offsets[i + 1]`` of `matrix`;
    `sizes` holds each sentence's token count.  Rows equal those of
    `tests/reference/pair_features.SentenceVectors` (the vectorizer's transform is row by row).
    """

    def __init__(self, docs: Sequence[Normalized], fp: Fingerprints, stemmer: Stemmer,
                 only: np.ndarray | None = None) -> None:
        wanted = np.zeros(len(docs), dtype=bool)
        wanted[slice(None) if only is None else only] = True
        counts = np.zeros(len(docs) + 1, dtype=np.int64)
        words: list[list[str]] = []
        sizes: list[int] = []
        for i in np.flatnonzero(wanted).tolist():
            doc = docs[i]
            tokens = doc.tokens
            for s in doc.sentences:
                words.append(stemmer(tokens[s.tok_start:s.tok_end]))
                sizes.append(s.tok_end - s.tok_start)
            counts[i + 1] = len(doc.sentences)
        self._set(words, np.cumsum(counts), np.array(sizes, dtype=np.float64), fp)

    @classmethod
    def from_id_rows(cls, words: IdRows, offsets: np.ndarray, sizes: np.ndarray,
                     fp: Fingerprints) -> "SentenceRows":
        """Rows from each sentence's stems as numbered in the rows `fp` was fitted on (see
        `digest.sentence_rows`)."""
        rows = cls.__new__(cls)
        rows._set(words, offsets, sizes, fp)
        return rows

    def _set(self, words: list[list[str]] | IdRows, offsets: np.ndarray, sizes: np.ndarray,
             fp: Fingerprints) -> None:
        self.offsets = offsets
        self.sizes = sizes
        vocabulary = fp.terms.shape[1]
        if len(words) and vocabulary:
            matrix = transform_rows(fp.vectorizer, words) if isinstance(words, IdRows) else fp.vectorizer.transform(words)
            self.matrix = matrix.tocsr()
        else:
            self.matrix = sp.csr_matrix((len(words), vocabulary), dtype=np.float32)
        self.matrix.sort_indices()


def pair_feature_arrays(pairs: np.ndarray, fp: Fingerprints, rows: SentenceRows | None,
                        sentence_match: float, jobs: int = 1) -> tuple[np.ndarray, ...]:
    """(intersection, cosine, aligned_a, aligned_b, terms_ab, terms_ba) arrays for all pairs, as
    `tests/reference/pair_features.pair_features` computes them.  Without `rows` the sentence alignment is skipped
    (aligned_a and aligned_b stay 0): everything else costs a fraction of it."""
    k = len(pairs)
    inter = np.zeros(k, dtype=np.int64)
    cosine = np.zeros(k, dtype=np.float32)
    aligned_a = np.zeros(k, dtype=np.float64)
    aligned_b = np.zeros(k, dtype=np.float64)
    terms_ab = np.zeros(k, dtype=np.float32)
    terms_ba = np.zeros(k, dtype=np.float32)
    if not k:
        return inter, cosine, aligned_a, aligned_b, terms_ab, terms_ba
    # scipy's row product and np.intersect1d yield the common columns in ascending order,
    # whatever order sklearn left them in, so merge sorted rows -- of a copy: the caller's
    # matrix is not touched.  The IDF totals of each row are summed in the stored order, as
    # the reference `term_containment` does.
    stored = fp.terms.tocsr()
    terms = sp.csr_matrix((stored.data.copy(), stored.indices.copy(), stored.indptr.copy()), shape=stored.shape)
    terms.has_sorted_indices = False  # never trust a flag carried over: really sort
    terms.sort_indices()
    idf = np.asarray(fp.vectorizer.idf_, dtype=np.float32) if terms.shape[1] else np.zeros(0, np.float32)
    values, offsets = fp.shingle_values, fp.shingle_offsets
    if values is None:  # fingerprints built by hand: flatten the sets
        offsets = np.zeros(len(fp.shingle_sets) + 1, dtype=np.int64)
        np.cumsum([len(s) for s in fp.shingle_sets], out=offsets[1:])
        values = np.concatenate(fp.shingle_sets) if len(fp.shingle_sets) else np.empty(0, np.uint32)
    align = rows is not None
    if not align:
        rows = SentenceRows.from_id_rows(IdRows(np.empty(0, np.int32), np.zeros(1, np.int64), []),
                                         np.zeros(len(offsets), dtype=np.int64), np.empty(0), fp)  # none
    sent = rows.matrix
    # numpy >= 2 compares a float32 array with a Python float in float32 (NEP 50)
    threshold = np.float32(sentence_match)
    left = np.ascontiguousarray(pairs[:, 0], dtype=np.int64)
    right = np.ascontiguousarray(pairs[:, 1], dtype=np.int64)
    has_terms = terms.shape[1] > 0

    # converted once, shared by the threads (at a million articles each array is hundreds of MB)
    arrays = (np.asarray(terms.indptr, dtype=np.int64), np.asarray(terms.indices, dtype=np.int64),
              np.asarray(terms.data, dtype=np.float32), np.asarray(stored.indices, dtype=np.int64), idf,
              has_terms, align, np.asarray(sent.indptr, dtype=np.int64), np.asarray(sent.indices, dtype=np.int64),
              np.asarray(sent.data, dtype=np.float32), rows.offsets, rows.sizes, threshold)
    del terms  # the kernel holds what it needs

    def run(lo: int, hi: int) -> None:
        _pair_kernel(left[lo:hi], right[lo:hi], values, offsets, *arrays,
                     inter[lo:hi], cosine[lo:hi], aligned_a[lo:hi], aligned_b[lo:hi],
                     terms_ab[lo:hi], terms_ba[lo:hi])

    parts = min(max(jobs, 1), max(k // 1000, 1))
    bounds = [k * p // parts for p in range(parts + 1)]
    if parts == 1:
        run(0, k)
    else:
        run(0, 0)  # compile (or load the cached kernel) before threads race to do it
        with ThreadPoolExecutor(parts) as pool:
            list(pool.map(lambda p: run(bounds[p], bounds[p + 1]), range(parts)))
    return inter, cosine, aligned_a, aligned_b, terms_ab, terms_ba


def verify_batch(pairs: np.ndarray, fp: Fingerprints, docs: Sequence[Normalized], stemmer: Stemmer,
                 verifier: "Verifier", options: VerifyOptions = VerifyOptions(), jobs: int = 1,
                 stats: "CorpusStats | None" = None) -> list[Match]:
    """`verify_pairs` for normalized documents (their figures, dates and sentences read from them)."""
    from .features import corpus_stats

    if not len(pairs):
        return []
    if stats is None:
        stats = corpus_stats(fp, [number_set(d) for d in docs], [d.doc.published for d in docs], docs)
    return verify_pairs(pairs, fp, lambda only: SentenceRows(docs, fp, stemmer, only=only), stats, verifier,
                        options, partial(pair_feature_arrays, jobs=jobs))


Features = Callable[[np.ndarray, Fingerprints, "SentenceRows | None", float], tuple[np.ndarray, ...]]
"""`pair_feature_arrays`' signature: an executor's way of computing it (threads, a cluster)."""


def verify_pairs(pairs: np.ndarray, fp: Fingerprints, make_rows: Callable[[np.ndarray], SentenceRows],
                 stats: "CorpusStats", verifier: "Verifier", options: VerifyOptions = VerifyOptions(),
                 features: Features = pair_feature_arrays) -> list[Match]:
    """The candidate pairs the verifier links, as Matches in pair order.

    `make_rows` makes the sentence rows of chosen documents; the sentence alignment (most of
    the cost) is computed only for the pairs past the verifier's gate.  `features` computes
    the kernel's pair features (this process, by default; an executor passes its own
    scheduling of `pair_feature_arrays`)."""
    from .features import feature_matrix, pair_columns

    if not len(pairs):
        return []
    columns = pair_columns(pairs, fp, stats, make_rows, options.sentence_match, features, gate=verifier.gate)
    linked = np.flatnonzero(verifier.decide(feature_matrix(columns, verifier.features)))
    return [Match(a=i, b=j,
                  scores=Scores(cosine=float(columns["cosine"][p]), containment=float(columns["contain_max"][p]),
                                jaccard=float(columns["jaccard"][p]), coverage=float(columns["aligned_max"][p])),
                  contain_ab=float(columns["contain_ab"][p]), contain_ba=float(columns["contain_ba"][p]),
                  aligned_a=float(columns["aligned_a"][p]), aligned_b=float(columns["aligned_b"][p]))
            for p, (i, j) in zip(linked.tolist(), pairs[linked].tolist())]


@numba.njit(cache=True, nogil=True)
def _block_sum32(a, lo, n):
    """numpy's float32 sum of at most 128 values: eight running sums, then the tail."""
    if n < 8:
        res = np.float32(0.0)
        for i in range(n):
            res = np.float32(res + a[lo + i])
        return res
    r = np.empty(8, dtype=np.float32)
    for u in range(8):
        r[u] = a[lo + u]
    i = 8
    m = n - (n % 8)
    while i < m:
        for u in range(8):
            r[u] = np.float32(r[u] + a[lo + i + u])
        i += 8
    res = np.float32(np.float32(np.float32(r[0] + r[1]) + np.float32(r[2] + r[3]))
                     + np.float32(np.float32(r[4] + r[5]) + np.float32(r[6] + r[7])))
    while i < n:
        res = np.float32(res + a[lo + i])
        i += 1
    return res


@numba.njit(cache=True, nogil=True)
def _pairwise_sum32(a, lo, n):
    """numpy's pairwise summation of float32 (what ``ndarray.sum`` does), bit for bit.

    numpy recurses (halves rounded to multiples of 8 down to blocks of 128); the
    recursion is run here on explicit stacks, as numba cannot cache recursive functions."""
    if n <= 128:  # lo as int64: callers pass a literal 0, and a literal would compile another _block_sum32
        return _block_sum32(a, np.int64(lo), n)
    task_lo = np.empty(128, dtype=np.int64)
    task_n = np.empty(128, dtype=np.int64)  # -1 marks "add the two top values"
    done = np.empty(128, dtype=np.float32)
    tasks = 1
    values = 0
    task_lo[0] = lo
    task_n[0] = n
    while tasks:
        tasks -= 1
        tlo = task_lo[tasks]
        tn = task_n[tasks]
        if tn < 0:
            values -= 1
            done[values - 1] = np.float32(done[values - 1] + done[values])
        elif tn <= 128:
            done[values] = _block_sum32(a, tlo, tn)
            values += 1
        else:
            half = tn // 2
            half -= half % 8
            task_lo[tasks] = 0
            task_n[tasks] = -1
            task_lo[tasks + 1] = tlo + half
            task_n[tasks + 1] = tn - half
            task_lo[tasks + 2] = tlo
            task_n[tasks + 2] = half
            tasks += 3
    return done[0]


@numba.njit(cache=True, nogil=True)
def _sparse_dot32(ip, ix, data, ra, rb):
    """Row ra . row rb of a sorted CSR matrix as scipy's sparse matmul computes it:
    float32 products added one by one in ascending column order."""
    p = ip[ra]
    pe = ip[ra + 1]
    q = ip[rb]
    qe = ip[rb + 1]
    acc = np.float32(0.0)
    while p < pe and q < qe:
        if ix[p] == ix[q]:
            acc = np.float32(acc + np.float32(data[p] * data[q]))
            p += 1
            q += 1
        elif ix[p] < ix[q]:
            p += 1
        else:
            q += 1
    return acc


@numba.njit(cache=True, nogil=True)
def _pair_kernel(left, right, values, offsets, tp, tx, td, stored_x, idf, has_terms, align, sp_, sx, sd, sent_offsets,
                 sizes, threshold, inter_out, cosine_out, aligned_a_out, aligned_b_out, terms_ab_out, terms_ba_out):
    scratch = np.empty(16, dtype=np.float32)
    shared_idf = np.empty(16, dtype=np.float32)
    row_idf = np.empty(16, dtype=np.float32)
    for p in range(len(left)):
        i = left[p]
        j = right[p]
        # shingle intersection (both sets sorted and distinct)
        inter_out[p] = count_shared(values, offsets[i], offsets[i + 1], values, offsets[j], offsets[j + 1])
        # cosine: element-wise product of the two rows (common columns in ascending order),
        # then numpy's sum of the products
        if has_terms:
            need = min(tp[i + 1] - tp[i], tp[j + 1] - tp[j])
            if need > len(scratch):
                scratch = np.empty(need * 2, dtype=np.float32)
                shared_idf = np.empty(need * 2, dtype=np.float32)
            n = 0
            common = 0
            a = tp[i]
            b = tp[j]
            while a < tp[i + 1] and b < tp[j + 1]:
                if tx[a] == tx[b]:
                    shared_idf[common] = idf[tx[a]]
                    common += 1
                    v = np.float32(td[a] * td[b])
                    if v != 0:
                        scratch[n] = v
                        n += 1
                    a += 1
                    b += 1
                elif tx[a] < tx[b]:
                    a += 1
                else:
                    b += 1
            cosine_out[p] = _pairwise_sum32(scratch, 0, n)
            # term containment: IDF of the common words over IDF of each row's words
            shared = _pairwise_sum32(shared_idf, 0, common)
            longest = max(tp[i + 1] - tp[i], tp[j + 1] - tp[j])
            if longest > len(row_idf):
                row_idf = np.empty(longest * 2, dtype=np.float32)
            for side in range(2):
                row = i if side == 0 else j
                width = tp[row + 1] - tp[row]
                for q in range(width):
                    row_idf[q] = idf[stored_x[tp[row] + q]]
                total = _pairwise_sum32(row_idf, 0, width)
                share = np.float32(np.float64(shared) / np.float64(total)) if total != 0 else np.float32(0.0)
                if side == 0:
                    terms_ab_out[p] = share
                else:
                    terms_ba_out[p] = share
        # order-preserving sentence alignment (the reference monotone_alignment)
        if not align:
            continue
        s0 = sent_offsets[i]
        na = sent_offsets[i + 1] - s0
        t0 = sent_offsets[j]
        nb = sent_offsets[j + 1] - t0
        total_a = 0.0
        for x in range(na):
            total_a += sizes[s0 + x]
        total_b = 0.0
        for y in range(nb):
            total_b += sizes[t0 + y]
        got_a = 0.0
        got_b = 0.0
        if na > 0 and nb > 0:
            gain = np.zeros((na, nb), dtype=np.float64)
            for x in range(na):
                for y in range(nb):
                    s = _sparse_dot32(sp_, sx, sd, s0 + x, t0 + y)
                    if s >= threshold:
                        gain[x, y] = np.float64(s)
            score = np.zeros((na + 1, nb + 1), dtype=np.float64)
            for x in range(1, na + 1):
                for y in range(1, nb + 1):
                    g = gain[x - 1, y - 1]
                    best = score[x - 1, y - 1] + g if g > 0 else score[x - 1, y - 1]
                    score[x, y] = max(best, score[x - 1, y], score[x, y - 1])
            # trace back; verify sums the aligned sizes in increasing order, so collect first
            xs = np.empty(min(na, nb), dtype=np.int64)
            ys = np.empty(min(na, nb), dtype=np.int64)
            m = 0
            x = na
            y = nb
            while x > 0 and y > 0:
                g = gain[x - 1, y - 1]
                if g > 0 and score[x, y] == score[x - 1, y - 1] + g:
                    xs[m] = x - 1
                    ys[m] = y - 1
                    m += 1
                    x -= 1
                    y -= 1
                elif score[x, y] == score[x - 1, y]:
                    x -= 1
                else:
                    y -= 1
            for r in range(m - 1, -1, -1):
                got_a += sizes[s0 + xs[r]]
                got_b += sizes[t0 + ys[r]]
        aligned_a_out[p] = got_a / max(total_a, 1.0)
        aligned_b_out[p] = got_b / max(total_b, 1.0)
