"""Candidate pairs, from two routes that feed one verifier.

1. Copies: datasketch ``MinHashLSH`` over word-shingle signatures, banded for
   recall (64 bands x 2 rows by default) so that lightly edited and partial
   copies are proposed; the verifier supplies precision.
2. Rewrites: reworded text shares few shingles but keeps the story's rare words
   (names, numbers, unusual terms).  Documents sharing at least
   ``min_shared`` rare content words are proposed.  "Rare" means a document
   frequency of at most ``max_df`` in the batch, which both drops topical words
   and bounds the cost: each rare word costs at most ``max_df**2`` pairs.
"""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from datasketch import LeanMinHash, MinHashLSH

from .config import CandidateOptions


def lsh_pairs(signatures: np.ndarray, bands: int, rows: int, max_bucket: int, seed: int = 1) -> set[tuple[int, int]]:
    """Pairs of rows that share at least one LSH band bucket.

    Buckets holding more than `max_bucket` documents are boilerplate (templated
    briefs, empty texts) and are left to the other route.
    """
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


def rare_term_pairs(terms: sp.csr_matrix, max_df: int, min_shared: int, min_share: float,
                    chunk: int = 2048) -> set[tuple[int, int]]:
    """Pairs of rows sharing at least `min_shared` columns of document frequency <= max_df,
    and at least `min_share` of the smaller row's rare columns."""
    n = terms.shape[0]
    if n < 2:
        return set()
    binary = terms.copy().tocsr()
    binary.data[:] = 1
    df = np.asarray(binary.sum(axis=0)).ravel()
    keep = np.flatnonzero((df >= 2) & (df <= max_df))
    rare = binary[:, keep].tocsr().astype(np.int32)
    sizes = np.asarray(rare.sum(axis=1)).ravel()
    rare_t = rare.T.tocsr()
    pairs: set[tuple[int, int]] = set()
    for lo in range(0, n, chunk):
        block = (rare[lo:lo + chunk] @ rare_t).tocoo()
        i = block.row + lo
        j = block.col
        shared = block.data
        smaller = np.minimum(sizes[i], sizes[j])
        ok = (i < j) & (shared >= min_shared) & (shared >= min_share * smaller)
        pairs.update(zip(i[ok].tolist(), j[ok].tolist()))
    return pairs


def find_candidates(shingle_signatures: np.ndarray, content_terms: sp.csr_matrix,
                    options: CandidateOptions = CandidateOptions(), seed: int = 1) -> np.ndarray:
    """Union of both routes as a sorted (k, 2) array of index pairs with i < j."""
    pairs = lsh_pairs(shingle_signatures, options.shingle_bands, options.shingle_rows,
                      options.max_bucket, seed)
    pairs |= rare_term_pairs(content_terms, options.max_df, options.min_shared, options.min_share)
    if not pairs:
        return np.empty((0, 2), dtype=np.int64)
    return np.array(sorted(pairs), dtype=np.int64)
