"""Candidate pairs, from two routes that feed one verifier.

1. Copies: LSH over word-shingle MinHash signatures, banded for
   recall (64 bands x 2 rows by default) so that lightly edited and partial
   copies are proposed; the verifier supplies precision.
2. Rewrites: reworded text shares few shingles but keeps the story's rare words
   (names, numbers, unusual terms).  Documents sharing at least
   ``min_shared`` rare content words are proposed.  "Rare" means a document
   frequency of at most ``max_df`` in the batch, which both drops topical words
   and bounds the cost: each rare word costs at most ``max_df**2`` pairs.

Both routes are compiled passes over whole arrays: a band's buckets come from a
hash table over the band's values (exactly the buckets datasketch's ``MinHashLSH``
builds from the same signatures: tests/reference/lsh.py holds that version, the
oracle of the tests), the rare words' pairs from their postings, and pairs travel
as int64 codes ``i * n + j`` rather than Python tuples until the union makes the
pair array.
"""
from __future__ import annotations

import numba
import numpy as np
import scipy.sparse as sp

from ..config import CandidateOptions


def lsh_pair_codes(signatures: np.ndarray, bands: int, rows: int, max_bucket: int) -> np.ndarray:
    """Pairs of rows that share at least one LSH band bucket, as sorted unique codes
    ``i * n + j`` (i < j).

    Buckets holding more than `max_bucket` documents are boilerplate (templated
    briefs, empty texts) and are left to the other route."""
    n, num_perm = signatures.shape
    if n < 2:
        return np.empty(0, dtype=np.int64)
    if bands * rows > num_perm:
        raise ValueError(f"{bands} bands x {rows} rows need {bands * rows} permutations, have {num_perm}")
    return np.unique(_lsh_bucket_codes(signatures, bands, rows, max_bucket))


@numba.njit(cache=True, nogil=True)
def _lsh_bucket_codes(signatures, bands, rows, max_bucket):
    """The pair codes of every band's buckets of 2..max_bucket members, band after band
    (a pair sharing several bands comes once per band).

    A band's buckets come from an open-addressing hash table keyed by the band's
    values (compared in full, so exactly the rows with equal values share a
    bucket), then a counting sort by bucket keeps members in index order.  This is
    linear per band where sorting the band's keys was not.  The keys of eight bands
    are gathered in one pass over the rows, so each signature row is read once per
    eight bands rather than once per band (the difference between cache hits and
    misses at 100k rows).  Scratch is O(rows), reused by every band.  Rows without
    shingles (all values empty) match nothing."""
    n, num_perm = signatures.shape
    empty = np.uint32(0xFFFFFFFF)
    kept = np.empty(n, dtype=np.int64)
    m = 0
    for i in range(n):
        for p in range(num_perm):
            if signatures[i, p] != empty:
                kept[m] = i
                m += 1
                break
    out = np.empty(1024, dtype=np.int64)
    k = np.int64(0)  # int64 from the start: a literal 0 would first compile `_grown` for Literal[int](0)
    if m < 2:
        return out[:0].copy()
    bits = 1
    while (1 << bits) < 2 * m:
        bits += 1
    mask = (1 << bits) - 1
    shift = np.uint64(64 - bits)
    exact = rows <= 2  # the key is the band's values themselves, else a hash of them
    slot_key = np.empty(mask + 1, dtype=np.uint64)
    slot_bucket = np.empty(mask + 1, dtype=np.int32)  # -1: free
    slot_row = np.empty(1 if exact else mask + 1, dtype=np.int64)  # a row with the slot's values
    block = 8
    keys = np.empty((block, m), dtype=np.uint64)
    bucket_of = np.empty(m, dtype=np.int32)
    start = np.empty(m + 1, dtype=np.int64)
    fill = np.empty(m, dtype=np.int64)
    members = np.empty(m, dtype=np.int64)
    mix = np.uint64(0x9E3779B97F4A7C15)
    for first_band in range(0, bands, block):
        in_block = min(block, bands - first_band)
        for x in range(m):
            r = kept[x]
            for b in range(in_block):
                lo = (first_band + b) * rows
                if exact:
                    key = np.uint64(signatures[r, lo])
                    if rows == 2:
                        key = (key << np.uint64(32)) | np.uint64(signatures[r, lo + 1])
                else:
                    key = np.uint64(0)
                    for t in range(rows):
                        key = (key ^ np.uint64(signatures[r, lo + t])) * mix
                        key ^= key >> np.uint64(29)
                keys[b, x] = key
        for b in range(in_block):
            lo = (first_band + b) * rows
            slot_bucket[:] = -1
            buckets = 0
            for x in range(m):
                key = keys[b, x]
                s = np.int64((key * mix) >> shift)
                while True:
                    found = slot_bucket[s]
                    if found == -1:
                        slot_key[s] = key
                        slot_bucket[s] = buckets
                        if not exact:
                            slot_row[s] = kept[x]
                        bucket_of[x] = buckets
                        buckets += 1
                        break
                    if slot_key[s] == key:
                        same = True
                        if not exact:  # equal hashes: compare the values themselves
                            y = slot_row[s]
                            r = kept[x]
                            for t in range(rows):
                                if signatures[y, lo + t] != signatures[r, lo + t]:
                                    same = False
                                    break
                        if same:
                            bucket_of[x] = found
                            break
                    s = (s + 1) & mask
            # counting sort of the rows by bucket: members in index order
            start[:buckets + 1] = 0
            for x in range(m):
                start[bucket_of[x] + 1] += 1
            for c in range(buckets):
                start[c + 1] += start[c]
            for c in range(buckets):  # a loop, not slice assignment: that compiles numpy's broadcasting and its error messages (seconds)
                fill[c] = start[c]
            for x in range(m):
                c = bucket_of[x]
                members[fill[c]] = kept[x]
                fill[c] += 1
            for c in range(buckets):
                first = start[c]
                last = start[c + 1]
                if last - first < 2 or last - first > max_bucket:
                    continue
                need = (last - first) * (last - first - 1) // 2
                if k + need > len(out):
                    out = _grown(out, k, k + need)
                for a in range(first, last):
                    for e in range(a + 1, last):
                        out[k] = members[a] * n + members[e]
                        k += 1
    return out[:k]


@numba.njit(cache=True, nogil=True)
def _grown(out, used, need):
    """A larger array (at least `need`, at least twice `out`) starting with out[:used]."""
    grown = np.empty(max(2 * len(out), need), dtype=out.dtype)
    for x in range(used):  # a loop, not slice assignment: cheaper to compile
        grown[x] = out[x]
    return grown


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


def rare_term_pair_codes(terms: sp.csr_matrix, max_df: int, min_shared: int, min_share: float) -> np.ndarray:
    """Pairs of rows sharing at least `min_shared` columns of document frequency <= max_df, and
    at least `min_share` of the smaller row's rare columns, as sorted unique codes ``i * n + j``
    (i < j).

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
    for c in range(n_cols):  # a loop, not slice assignment (cheaper to compile)
        cursor[c] = starts[c]
    out = np.empty(1024, dtype=np.int64)
    k = np.int64(0)  # int64 from the start: a literal 0 would first compile `_grown` for Literal[int](0)
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
            out = _grown(out, k, k + m)
        passed[:m].sort()
        for x in range(m):
            out[k + x] = passed[x] + i * n
        k += m
    return out[:k].copy()


def find_candidates(shingle_signatures: np.ndarray, content_terms: sp.csr_matrix,
                    options: CandidateOptions = CandidateOptions(), seed: int = 1) -> np.ndarray:
    """Union of both routes as a sorted (k, 2) array of index pairs with i < j.

    `seed` is kept for compatibility: bucket membership does not depend on it."""
    n, num_perm = shingle_signatures.shape
    bands, rows = options.shingle_bands, options.shingle_rows
    if n < 2:
        return np.empty((0, 2), dtype=np.int64)
    if bands * rows > num_perm:
        raise ValueError(f"{bands} bands x {rows} rows need {bands * rows} permutations, have {num_perm}")
    lsh = _lsh_bucket_codes(shingle_signatures, bands, rows, options.max_bucket)
    rare = rare_term_pair_codes(content_terms, options.max_df, options.min_shared, options.min_share)
    return _union_pairs(lsh, rare, n)


@numba.njit(cache=True, nogil=True)
def _union_pairs(codes, sorted_codes, n):
    """Sorted unique (i, j) pairs of two bags of codes ``i * n + j``, the second already sorted.

    The union of the routes without sorting them whole: the first bag (LSH codes,
    a pair once per band it shares) is grouped by row with a counting sort, then
    each row's partners from both bags are deduplicated with a stamp per partner
    and sorted (rows have few partners)."""
    count = np.zeros(n + 1, dtype=np.int64)
    for c in codes:
        count[c // n + 1] += 1
    for i in range(n):
        count[i + 1] += count[i]
    partners = np.empty(len(codes), dtype=np.int64)
    fill = count[:-1].copy()
    for c in codes:
        i = c // n
        partners[fill[i]] = c - i * n
        fill[i] += 1
    stamp = np.full(n, -1, dtype=np.int64)
    row = np.empty(n, dtype=np.int64)
    out = np.empty((len(codes) + len(sorted_codes), 2), dtype=np.int64)
    k = 0
    q = 0
    for i in range(n):
        t = 0
        for p in range(count[i], count[i + 1]):
            j = partners[p]
            if stamp[j] != i:
                stamp[j] = i
                row[t] = j
                t += 1
        while q < len(sorted_codes) and sorted_codes[q] // n == i:
            j = sorted_codes[q] - i * n
            q += 1
            if stamp[j] != i:
                stamp[j] = i
                row[t] = j
                t += 1
        if t:
            row[:t].sort()
            for x in range(t):
                out[k, 0] = i
                out[k, 1] = row[x]
                k += 1
    return out[:k].copy()
