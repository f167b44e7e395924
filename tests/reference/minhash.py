"""Shingles and MinHash written plainly with numpy, per document: the oracle for the kernels of
`dedupe.text.fingerprint` (datasketch's ``MinHash`` is the other, in tests/test_fingerprint.py)."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from dedupe.text.fingerprint import permutations

MASK32 = np.uint64(0xFFFFFFFF)
MIX = np.uint64(0x9E3779B97F4A7C15)


def shingle_hashes(token_hashes: np.ndarray, k: int) -> np.ndarray:
    """Distinct 32-bit hashes of the word k-grams of a token-hash sequence: ``acc = acc * MIX + h``
    over the k hashes (mod 2**64), folded to the high half xor the low half.  A text shorter than k
    words is one shingle."""
    n = len(token_hashes)
    if n == 0:
        return np.empty(0, dtype=np.uint32)
    width = min(k, n)
    count = n - width + 1
    with np.errstate(over="ignore"):
        acc = np.zeros(count, dtype=np.uint64)
        for i in range(width):
            acc = acc * MIX + token_hashes[i:i + count]
        folded = (acc >> np.uint64(32)) ^ (acc & MASK32)
    return np.unique(folded.astype(np.uint32))


def fmix32(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finaliser."""
    h = h.astype(np.uint32, copy=True)
    with np.errstate(over="ignore"):
        h ^= h >> np.uint32(16)
        h *= np.uint32(0x85EBCA6B)
        h ^= h >> np.uint32(13)
        h *= np.uint32(0xC2B2AE35)
        h ^= h >> np.uint32(16)
    return h


def minhash_signatures(hash_sets: Sequence[np.ndarray], num_perm: int = 128, seed: int = 1) -> np.ndarray:
    """datasketch's affine32 MinHash of each set: ``min(a * fmix32(v) + b mod 2**32)`` per
    permutation; all-max for an empty set."""
    a, b = permutations(num_perm, seed)
    out = np.full((len(hash_sets), num_perm), np.iinfo(np.uint32).max, dtype=np.uint32)
    for row, values in enumerate(hash_sets):
        if len(values):
            with np.errstate(over="ignore"):
                out[row] = (fmix32(np.asarray(values))[:, None] * a[None, :] + b[None, :]).min(axis=0)
    return out
