"""LSH buckets as datasketch's ``MinHashLSH`` builds them: the oracle for
`dedupe.stages.candidates.lsh_pair_codes` (a compiled hash table per band)."""
from __future__ import annotations

import numpy as np
from datasketch import LeanMinHash, MinHashLSH


def lsh_pairs_datasketch(signatures: np.ndarray, bands: int, rows: int, max_bucket: int,
                         seed: int = 1) -> set[tuple[int, int]]:
    """The (i, j) pairs (i < j) of rows sharing a bucket of 2..max_bucket members in some band of
    datasketch's ``MinHashLSH`` with `bands` x `rows`; rows of all-max values (no shingles) are
    left out."""
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
