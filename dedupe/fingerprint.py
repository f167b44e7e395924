"""Fingerprints: stable token hashes, word shingles, and MinHash signatures.

Signatures follow datasketch 2.x's default ``affine32`` scheme exactly (the
MurmurHash3 32-bit finaliser, then ``a*h + b mod 2**32`` with datasketch's own
permutation parameters for the seed), so a signature here equals
``datasketch.MinHash(num_perm, seed, hashfunc=...)`` fed the same 32-bit shingle
hashes, and can be wrapped as a ``LeanMinHash`` for ``MinHashLSH``.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import xxhash
import scipy.sparse as sp
import snowballstemmer
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer

from .config import FingerprintOptions
from .model import Normalized

_MASK32 = np.uint64(0xFFFFFFFF)
_MIX = np.uint64(0x9E3779B97F4A7C15)
STOP_WORDS = frozenset(ENGLISH_STOP_WORDS) | {"said", "says", "told", "would", "also", "just", "like"}


@dataclass(frozen=True)
class Fingerprints:
    """Fingerprints of a batch: row i belongs to document i."""

    shingle_sets: tuple[np.ndarray, ...]  # distinct 32-bit word-shingle hashes per document
    signatures: np.ndarray  # (n, num_perm) uint32 MinHash of the shingle sets
    terms: sp.csr_matrix  # (n, vocabulary) L2-normalised TF-IDF of stemmed content words
    vectorizer: TfidfVectorizer  # fitted on the batch; turns sentences into the same space
    options: FingerprintOptions


def token_hash(token: str) -> int:
    """Stable 64-bit hash of a folded token (same value in every process)."""
    return xxhash.xxh64_intdigest(token.encode("utf-8"))


class TokenHasher:
    """Hashes tokens to uint64 arrays, caching each distinct token once per instance."""

    def __init__(self) -> None:
        self._cache: dict[str, int] = {}

    def __call__(self, tokens: Sequence[str]) -> np.ndarray:
        cache = self._cache
        out = np.empty(len(tokens), dtype=np.uint64)
        for i, tok in enumerate(tokens):
            h = cache.get(tok)
            if h is None:
                h = cache[tok] = token_hash(tok)
            out[i] = h
        return out


def shingle_hashes(token_hashes: np.ndarray, k: int) -> np.ndarray:
    """Distinct 32-bit hashes of the word k-grams of a token-hash sequence.

    A text shorter than k words is one shingle (all of its words)."""
    n = len(token_hashes)
    if n == 0:
        return np.empty(0, dtype=np.uint32)
    width = min(k, n)
    count = n - width + 1
    with np.errstate(over="ignore"):
        acc = np.zeros(count, dtype=np.uint64)
        for i in range(width):
            acc = acc * _MIX + token_hashes[i:i + count]
        folded = (acc >> np.uint64(32)) ^ (acc & _MASK32)
    return np.unique(folded.astype(np.uint32))


def content_words(tokens: Sequence[str]) -> list[str]:
    """The words that carry a story's facts: no stop words; numbers and names stay."""
    return [t for t in tokens if (len(t) > 2 or t.isdigit()) and t not in STOP_WORDS]


class Stemmer:
    """English Snowball stems of content words, cached per distinct word."""

    def __init__(self) -> None:
        self._stem = snowballstemmer.stemmer("english").stemWord
        self._cache: dict[str, str] = {}

    def __call__(self, tokens: Sequence[str]) -> list[str]:
        cache = self._cache
        out = []
        for word in content_words(tokens):
            stem = cache.get(word)
            if stem is None:
                stem = cache[word] = self._stem(word)
            out.append(stem)
        return out


def term_vectorizer() -> TfidfVectorizer:
    """TF-IDF over pre-stemmed content words (documents are passed as word lists)."""
    return TfidfVectorizer(analyzer=_identity, sublinear_tf=True, norm="l2", dtype=np.float32)


def _identity(words):
    return words


@lru_cache(maxsize=8)
def permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """datasketch's affine32 permutation parameters (a, b) for this seed."""
    gen = np.random.RandomState(seed)
    a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return a, b


def fmix32(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finaliser (a bijection that spreads structured input)."""
    h = h.astype(np.uint32, copy=True)
    with np.errstate(over="ignore"):
        h ^= h >> np.uint32(16)
        h *= np.uint32(0x85EBCA6B)
        h ^= h >> np.uint32(13)
        h *= np.uint32(0xC2B2AE35)
        h ^= h >> np.uint32(16)
    return h


def minhash_signatures(hash_sets: Sequence[np.ndarray], num_perm: int = 128, seed: int = 1,
                       chunk: int = 1 << 16) -> np.ndarray:
    """MinHash signatures of many sets of 32-bit hashes, as an (n, num_perm) uint32 array.

    An empty set gets the all-max signature (it matches nothing), as in datasketch.
    Work is done on concatenated chunks of about `chunk` hashes, so memory stays at
    ``chunk * num_perm * 4`` bytes however large the batch is.
    """
    a, b = permutations(num_perm, seed)
    out = np.full((len(hash_sets), num_perm), np.iinfo(np.uint32).max, dtype=np.uint32)
    i = 0
    n = len(hash_sets)
    while i < n:
        j, size = i, 0
        while j < n and (size == 0 or size + len(hash_sets[j]) <= chunk):
            size += len(hash_sets[j])
            j += 1
        group = [(row, hash_sets[row]) for row in range(i, j) if len(hash_sets[row])]
        if group:
            values = fmix32(np.concatenate([g for _, g in group]))
            with np.errstate(over="ignore"):
                permuted = values[:, None] * a[None, :] + b[None, :]
            offsets = np.cumsum([0] + [len(g) for _, g in group[:-1]])
            out[[row for row, _ in group]] = np.minimum.reduceat(permuted, offsets, axis=0)
        i = j
    return out


def fingerprint(docs: Sequence[Normalized], options: FingerprintOptions = FingerprintOptions(),
                hasher: TokenHasher | None = None, stemmer: Stemmer | None = None) -> Fingerprints:
    """Shingle sets, their MinHash signatures and TF-IDF content vectors of a batch."""
    hasher = hasher or TokenHasher()
    stemmer = stemmer or Stemmer()
    shingle_sets = tuple(shingle_hashes(hasher(d.tokens), options.shingle_size) for d in docs)
    vectorizer = term_vectorizer()
    stems = [stemmer(d.tokens) for d in docs]
    if any(stems):
        terms = vectorizer.fit_transform(stems).tocsr()
    else:  # nothing but stop words: an empty vocabulary links nothing
        terms = sp.csr_matrix((len(docs), 0), dtype=np.float32)
    return Fingerprints(
        shingle_sets=shingle_sets,
        signatures=minhash_signatures(shingle_sets, options.num_perm, options.seed),
        terms=terms,
        vectorizer=vectorizer,
        options=options,
    )


def estimate_jaccard(sig_a: np.ndarray, sig_b: np.ndarray) -> float:
    """Share of equal signature positions: the MinHash estimate of Jaccard similarity."""
    return float(np.mean(sig_a == sig_b))
