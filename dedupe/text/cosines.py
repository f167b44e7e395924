"""TF-IDF cosines of the sentences of one pair of texts, without building matrices: the numbers
``term_vectorizer().fit(rows_a + rows_b)`` and a sparse product would give, bit for bit (the
diff asks for them once per pair of texts, on a few dozen sentences)."""
from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from itertools import chain

import numba
import numpy as np

from .tfidf import _idf_of_df, _weigh_counts


def pair_cosines(rows_a: Sequence[Sequence[str]], rows_b: Sequence[Sequence[str]]) -> np.ndarray:
    """Cosine of every (row of `rows_a`, row of `rows_b`) under TF-IDF fitted on all the rows: the
    dense float32 ``(v.transform(rows_a) @ v.transform(rows_b).T).toarray()`` for
    ``v = term_vectorizer().fit(rows_a + rows_b)``, bit for bit.

    The diffs need one per pair of texts, on a few dozen sentences: building the sparse
    matrices costs far more than the arithmetic, so a compiled kernel (`tfidf_cosines`)
    does the same float32 operations in the same order on the words' alphabetical ranks.

    >>> pair_cosines([["storm", "coast"]], [["coast", "storm"], ["ferri"]]).round(3).tolist()
    [[1.0, 0.0]]
    """
    rows = [*rows_a, *rows_b]
    terms = sorted(set(chain.from_iterable(rows)))
    if not terms:
        raise ValueError("empty vocabulary; perhaps the documents only contain stop words")
    rank = dict(zip(terms, range(len(terms))))
    lengths = np.fromiter(map(len, rows), dtype=np.int64, count=len(rows))
    bounds = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum(lengths, out=bounds[1:])
    ranks = np.fromiter(map(rank.__getitem__, chain.from_iterable(rows)), dtype=np.int64, count=int(bounds[-1]))
    spans = np.stack((bounds[:-1], bounds[1:]), axis=1)
    return tfidf_cosines(ranks, spans[:len(rows_a)], spans[len(rows_a):], tf_weights(int(lengths.max())),
                         smooth_idf_table(len(rows)), np.zeros(len(terms), dtype=np.int64))


def tf_weights(most: int) -> np.ndarray:
    """``1 + log(tf)`` in float32 for tf = 0 .. `most` (entry 0 unused), by the same numpy
    operations as `_weigh_counts` (numpy's float32 log, which kernels do not call).  A new
    table each call: a few microseconds, once per diff group or pair."""
    table = np.arange(max(most, 1) + 1, dtype=np.float32)
    table[0] = 1.0
    _weigh_counts(table, np.ones(len(table), dtype=np.float32))
    return table


@lru_cache(maxsize=1024)
def smooth_idf_table(rows: int) -> np.ndarray:
    """`_smooth_idf` of a fit on `rows` rows for every document frequency 0 .. rows (entry df),
    by its numpy operations."""
    return _idf_of_df(np.arange(rows + 1, dtype=np.float32), rows)


@numba.njit(cache=True, nogil=True)
def tfidf_cosines(terms, rows_a, rows_b, tf_weight, idf, df):
    """The cosines of `pair_cosines` from integer terms.

    The rows of each side are (start, end) pairs: the row is ``terms[start:end]``, term numbers
    in alphabetical order of the words.  `tf_weight` and `idf` are `tf_weights` and
    `smooth_idf_table(rows)`; `df` is zeros, one per term number, and is left so.

    (A kernel in another module that called this one would keep its cached machine code when
    this one changes: numba does not follow calls across files.  Call it from Python.)

    As scikit-learn: weights ``(1 + log tf) * idf`` in float32; each row divided (in float64,
    rounded back to float32) by the square root of the float64 sum of its float32 squares, taken
    in term order (`inplace_csr_row_normalize_l2`); each cosine the float32 sum of the float32
    products of the terms both rows have, in term order (scipy's ``csr_matmat``).
    """
    split = len(rows_a)
    rows = split + len(rows_b)
    starts = np.concatenate((rows_a[:, 0], rows_b[:, 0]))
    ends = np.concatenate((rows_a[:, 1], rows_b[:, 1]))
    size = 0
    for r in range(rows):
        size += ends[r] - starts[r]
    width = len(df)
    keys = np.empty(size, dtype=np.int64)  # row * width + term: sorted, the (row, term) entries in CSR order
    k = 0
    for r in range(rows):
        for p in range(starts[r], ends[r]):
            keys[k] = r * width + terms[p]
            k += 1
    keys.sort()
    entry_term = np.empty(size, dtype=np.int64)
    entry_count = np.empty(size, dtype=np.int64)
    entry_bounds = np.zeros(rows + 1, dtype=np.int64)
    k = 0
    i = 0
    while i < size:
        j = i + 1
        while j < size and keys[j] == keys[i]:
            j += 1
        row, term = keys[i] // width, keys[i] % width
        entry_term[k] = term
        entry_count[k] = j - i
        entry_bounds[row + 1] = k + 1
        df[term] += 1
        k += 1
        i = j
    for r in range(rows):  # rows without terms end where the row before them does
        entry_bounds[r + 1] = max(entry_bounds[r + 1], entry_bounds[r])
    weight = np.empty(k, dtype=np.float32)
    for r in range(rows):
        squares = 0.0
        for e in range(entry_bounds[r], entry_bounds[r + 1]):
            w = np.float32(tf_weight[entry_count[e]] * idf[df[entry_term[e]]])
            weight[e] = w
            squares += np.float64(np.float32(w * w))
        norm = np.sqrt(squares) if squares != 0.0 else 1.0
        for e in range(entry_bounds[r], entry_bounds[r + 1]):
            weight[e] = np.float32(np.float64(weight[e]) / norm)
    for e in range(k):
        df[entry_term[e]] = 0
    out = np.zeros((split, rows - split), dtype=np.float32)
    for a in range(split):
        for b in range(split, rows):
            i, i_end = entry_bounds[a], entry_bounds[a + 1]
            j, j_end = entry_bounds[b], entry_bounds[b + 1]
            total = np.float32(0.0)
            while i < i_end and j < j_end:
                ta, tb = entry_term[i], entry_term[j]
                if ta == tb:
                    total = np.float32(total + np.float32(weight[i] * weight[j]))
                    i += 1
                    j += 1
                elif ta < tb:
                    i += 1
                else:
                    j += 1
            out[a, b - split] = total
    return out
