"""Candidate pairs, from two routes that feed one verifier.

1. Copies: datasketch ``MinHashLSH`` over word-shingle signatures, banded for
   recall (64 bands x 2 rows by default) so that lightly edited and partial
   copies are proposed; the verifier supplies precision.
2. Rewrites: reworded text shares few shingles but keeps the story's rare words
   (names, numbers, unusual terms).  Documents sharing at least
   ``min_shared`` rare content words are proposed.  "Rare" means a document
   frequency of at most ``max_df`` in the batch, which both drops topical words
   and bounds the cost: each rare word costs at most ``max_df**2`` pairs.

Both routes work on whole arrays: a band's buckets are found by sorting the
band's values (exactly the buckets ``MinHashLSH`` builds from the same
signatures; `lsh_pairs_datasketch` keeps the datasketch version as a reference),
and pairs travel as int64 codes ``i * n + j`` rather than Python tuples.
"""
from __future__ import annotations

import numba
import numpy as np
import scipy.sparse as sp

from .config import CandidateOptions


def lsh_pairs(signatures: np.ndarray, bands: int, rows: int, max_bucket: int, seed: int = 1) -> set[tuple[int, int]]:
    """Pairs of rows that share at least one LSH band bucket.

    Buckets holding more than `max_bucket` documents are boilerplate (templated
    briefs, empty texts) and are left to the other route.
    """
    return _code_set(lsh_pair_codes(signatures, bands, rows, max_bucket), signatures.shape[0])


def lsh_pair_codes(signatures: np.ndarray, bands: int, rows: int, max_bucket: int) -> np.ndarray:
    """`lsh_pairs` as sorted unique codes ``i * n + j`` (i < j), computed band by band with sorts."""
    n, num_perm = signatures.shape
    if n < 2:
        return np.empty(0, dtype=np.int64)
    if bands * rows > num_perm:
        raise ValueError(f"{bands} bands x {rows} rows need {bands * rows} permutations, have {num_perm}")
    empty = np.iinfo(np.uint32).max
    rows_kept = np.flatnonzero(~(signatures == empty).all(axis=1))  # no shingles: matches nothing
    if len(rows_kept) < 2:
        return np.empty(0, dtype=np.int64)
    kept = signatures[rows_kept]
    codes = []
    for band in range(bands):
        keys = band_keys(kept[:, band * rows:(band + 1) * rows])
        order = np.argsort(keys, kind="stable")  # stable: members stay in index order
        sorted_keys = keys[order]
        starts = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
        sizes = np.diff(np.r_[starts, len(keys)])
        ok = (sizes > 1) & (sizes <= max_bucket)
        if ok.any():
            codes.append(_bucket_pair_codes(rows_kept[order], starts[ok], sizes[ok], n))
    if not codes:
        return np.empty(0, dtype=np.int64)
    return np.unique(np.concatenate(codes))


def bucket_pair_codes(bands: np.ndarray, keys: np.ndarray, members: np.ndarray, max_bucket: int,
                      n: int) -> np.ndarray:
    """Pair codes of the buckets in a bag of (band, band values, member) rows, in any order.

    The group-by half of LSH for engines that shuffle band rows between machines:
    rows with equal band and values form a bucket; buckets of 2..max_bucket members
    give all their pairs.  Sorted unique codes ``i * n + j`` (i < j)."""
    if not len(members):
        return np.empty(0, dtype=np.int64)
    order = np.lexsort((members, *keys.T[::-1], bands))
    b, k, m = bands[order], keys[order], members[order]
    new = np.r_[True, (b[1:] != b[:-1]) | (k[1:] != k[:-1]).any(axis=1)]
    starts = np.flatnonzero(new)
    sizes = np.diff(np.r_[starts, len(m)])
    ok = (sizes > 1) & (sizes <= max_bucket)
    if not ok.any():
        return np.empty(0, dtype=np.int64)
    return np.unique(_bucket_pair_codes(m.astype(np.int64), starts[ok], sizes[ok], n))


def _code_set(codes: np.ndarray, n: int) -> set[tuple[int, int]]:
    i, j = np.divmod(codes, max(n, 1))
    return set(zip(i.tolist(), j.tolist()))


def band_keys(band: np.ndarray) -> np.ndarray:
    """One sortable key per row of a band: equal keys exactly when the rows are equal."""
    if band.shape[1] == 1:
        return band[:, 0].astype(np.uint64)
    if band.shape[1] == 2:
        return (band[:, 0].astype(np.uint64) << np.uint64(32)) | band[:, 1].astype(np.uint64)
    return np.unique(band, axis=0, return_inverse=True)[1].ravel()


@numba.njit(cache=True, nogil=True)
def _bucket_pair_codes(members, starts, sizes, n):
    total = 0
    for s in sizes:
        total += s * (s - 1) // 2
    out = np.empty(total, dtype=np.int64)
    k = 0
    for g in range(len(starts)):
        lo = starts[g]
        for x in range(lo, lo + sizes[g]):
            for y in range(x + 1, lo + sizes[g]):
                out[k] = members[x] * n + members[y]
                k += 1
    return out


def lsh_pairs_datasketch(signatures: np.ndarray, bands: int, rows: int, max_bucket: int,
                         seed: int = 1) -> set[tuple[int, int]]:
    """Reference for `lsh_pairs`: the same buckets built by datasketch's ``MinHashLSH``."""
    # imported here: datasketch.lsh loads scipy.integrate and scipy.stats (~0.4 s), and
    # the scan itself never needs it
    from datasketch import LeanMinHash, MinHashLSH

    n, num_perm = signatures.shape
    if n < 2:
        return set()
    lsh = MinHashLSH(num_perm=num_perm, params=(bands, rows))
    empty = np.iinfo(np.uint32).max
    with lsh.insertion_session() as session:
        for i in range(n):
            if signatures[i, 0] == empty and (signatures[i] == empty).all():
                continue  # no shingles: matches nothing
            session.insert(i, LeanMinHash(seed=seed, hashvalues=signatures[i], scheme="affine32"),
                           check_duplication=False)
    pairs: set[tuple[int, int]] = set()
    for table in lsh.hashtables:
        for key in table.keys():
            bucket = table.get(key)
            if 1 < len(bucket) <= max_bucket:
                members = sorted(bucket)
                for x, i in enumerate(members):
                    for j in members[x + 1:]:
                        pairs.add((i, j))
    return pairs


def rare_term_pairs(terms: sp.csr_matrix, max_df: int, min_shared: int, min_share: float) -> set[tuple[int, int]]:
    """Pairs of rows sharing at least `min_shared` columns of document frequency <= max_df,
    and at least `min_share` of the smaller row's rare columns."""
    return _code_set(rare_term_pair_codes(terms, max_df, min_shared, min_share), terms.shape[0])


def rare_term_pair_codes(terms: sp.csr_matrix, max_df: int, min_shared: int, min_share: float) -> np.ndarray:
    """`rare_term_pairs` as sorted unique codes ``i * n + j`` (i < j).

    Runs on the CSR arrays themselves, in one compiled pass: the rare columns'
    postings are built once, then each row counts, per later row, the rare columns
    they share.  This gives exactly the pairs (and counts) of the sparse product
    ``rare @ rare.T`` without copying the matrix or materialising the product
    (a row's stored entries all count, as in the binarised product)."""
    n = terms.shape[0]
    if n < 2:
        return np.empty(0, dtype=np.int64)
    terms = terms.tocsr()
    return _rare_pair_codes(terms.indptr, terms.indices, n, terms.shape[1], max_df, min_shared, float(min_share))


@numba.njit(cache=True, nogil=True)
def _rare_pair_codes(indptr, indices, n, n_cols, max_df, min_shared, min_share):
    """Memory is O(columns + rows + rare entries + pairs): no copy of the matrix, no product."""
    # document frequency of each column (stored entries, as the binarised matrix counts them)
    df = np.zeros(n_cols, dtype=np.int64)
    for p in range(indptr[n]):
        df[indices[p]] += 1
    # postings of the rare columns (2 <= df <= max_df), rows ascending; sizes = rare entries per row
    starts = np.zeros(n_cols + 1, dtype=np.int64)
    for c in range(n_cols):
        starts[c + 1] = starts[c] + (df[c] if 2 <= df[c] <= max_df else 0)
    postings = np.empty(starts[n_cols], dtype=np.int32)
    fill = starts[:-1].copy()
    sizes = np.zeros(n, dtype=np.int64)
    for i in range(n):
        for p in range(indptr[i], indptr[i + 1]):
            c = indices[p]
            if starts[c + 1] > starts[c]:
                postings[fill[c]] = i
                fill[c] += 1
                sizes[i] += 1
    # per row i: shared rare columns with every later row j (a dense counter, reset via the touched
    # list); most touched rows share one column, so the test comes before the sort
    shared = np.zeros(n, dtype=np.int32)
    touched = np.empty(n, dtype=np.int32)
    passed = np.empty(n, dtype=np.int64)
    cursor = fill  # reused: the first posting of each column not before the current row
    cursor[:] = starts[:-1]
    out = np.empty(1024, dtype=np.int64)
    k = 0
    for i in range(n):
        t = 0
        for p in range(indptr[i], indptr[i + 1]):
            c = indices[p]
            end = starts[c + 1]
            if end == starts[c]:
                continue
            while cursor[c] < end and postings[cursor[c]] <= i:
                cursor[c] += 1
            for q in range(cursor[c], end):
                j = postings[q]
                if shared[j] == 0:
                    touched[t] = j
                    t += 1
                shared[j] += 1
        m = 0
        for x in range(t):
            j = touched[x]
            s = shared[j]
            shared[j] = 0
            if s >= min_shared and s >= min_share * min(sizes[i], sizes[j]):
                passed[m] = j
                m += 1
        if k + m > len(out):
            grown = np.empty(max(2 * len(out), k + m), dtype=np.int64)
            grown[:k] = out[:k]
            out = grown
        out[k:k + m] = np.sort(passed[:m]) + i * n
        k += m
    return out[:k].copy()


def find_candidates(shingle_signatures: np.ndarray, content_terms: sp.csr_matrix,
                    options: CandidateOptions = CandidateOptions(), seed: int = 1) -> np.ndarray:
    """Union of both routes as a sorted (k, 2) array of index pairs with i < j.

    `seed` is kept for compatibility: bucket membership does not depend on it."""
    n = shingle_signatures.shape[0]
    codes = np.union1d(
        lsh_pair_codes(shingle_signatures, options.shingle_bands, options.shingle_rows, options.max_bucket),
        rare_term_pair_codes(content_terms, options.max_df, options.min_shared, options.min_share))
    if not len(codes):
        return np.empty((0, 2), dtype=np.int64)
    return np.stack(divmod(codes.astype(np.int64), n), axis=1).astype(np.int64)
