"""Fingerprints: stable token hashes, word shingles, and MinHash signatures.

Signatures follow datasketch 2.x's default ``affine32`` scheme exactly (the
MurmurHash3 32-bit finaliser, then ``a*h + b mod 2**32`` with datasketch's own
permutation parameters for the seed), so a signature here equals
``datasketch.MinHash(num_perm, seed, hashfunc=...)`` fed the same 32-bit shingle
hashes, and can be wrapped as a ``LeanMinHash`` for ``MinHashLSH``.

Tokens are hashed with xxh64 (the xxhash library), once per distinct token.  One
compiled kernel (numba) then takes a whole batch's token hashes and makes the
word k-gram hashes, the distinct values per document and the 128 permutations,
with no per-token Python loop; `shingle_hashes` and `minhash_signatures` (one
document, or sets of hashes made elsewhere) run the same kernels.  The tests hold
them to datasketch's ``MinHash`` and to plain numpy (tests/reference/minhash.py).
The kernels release the GIL, so ``jobs`` threads run them on several cores at once.
"""
from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain

import numba
import numpy as np
import xxhash
import scipy.sparse as sp
import Stemmer as pystemmer  # PyStemmer: the Snowball C library

from ..config import FingerprintOptions
from ..model import Normalized
from .stopwords import ENGLISH_STOP_WORDS  # scikit-learn's list (a test checks)
# TF-IDF lives in tfidf.py; these names are imported from here by the stages
from .tfidf import IdRows, WordListTfidf, fit_transform_rows, term_vectorizer, transform_rows

__all__ = ["Fingerprints", "IdRows", "Stemmer", "TokenHasher", "assemble_fingerprints", "content_words",
           "estimate_jaccard", "fingerprint", "hash_token_batch", "minhash_batch", "minhash_hashed",
           "minhash_signatures", "shingle_hashes", "term_vectorizer", "token_hash", "transform_rows"]

STOP_WORDS = frozenset(ENGLISH_STOP_WORDS) | {"said", "says", "told", "would", "also", "just", "like"}


@dataclass(frozen=True)
class Fingerprints:
    """Fingerprints of a batch: row i belongs to document i."""

    shingle_sets: tuple[np.ndarray, ...]  # distinct 32-bit word-shingle hashes per document
    signatures: np.ndarray  # (n, num_perm) uint32 MinHash of the shingle sets
    terms: sp.csr_matrix  # (n, vocabulary) L2-normalised TF-IDF of stemmed content words
    vectorizer: WordListTfidf  # fitted on the batch; turns sentences into the same space
    options: FingerprintOptions
    # The same shingle sets as one flat array: document i owns values[offsets[i]:offsets[i + 1]].
    shingle_values: np.ndarray | None = None
    shingle_offsets: np.ndarray | None = None


def token_hash(token: str) -> int:
    """Stable 64-bit hash of a folded token (same value in every process): xxh64, seed 0, of
    its utf-8 bytes."""
    return xxhash.xxh64_intdigest(token.encode("utf-8"))


class TokenHasher:
    """Hashes tokens to uint64 arrays (`token_hash`), each distinct token once per instance."""

    def __init__(self) -> None:
        self._cache: dict[str, int] = {}

    def __call__(self, tokens: Sequence[str]) -> np.ndarray:
        cache = self._cache
        new = [t for t in dict.fromkeys(tokens) if t not in cache]
        cache.update(zip(new, map(token_hash, new)))
        return np.fromiter(map(cache.__getitem__, tokens), dtype=np.uint64, count=len(tokens))


def shingle_hashes(token_hashes: np.ndarray, k: int) -> np.ndarray:
    """Distinct 32-bit hashes of the word k-grams of a token-hash sequence, sorted.

    A text shorter than k words is one shingle (all of its words)."""
    empty = np.empty(0, dtype=np.uint32)
    values, _, _ = _shingles_and_signatures(np.asarray(token_hashes, dtype=np.uint64),
                                            np.array([0, len(token_hashes)], dtype=np.int64), k, empty, empty)
    return values


def content_words(tokens: Sequence[str]) -> list[str]:
    """The words that carry a story's facts: no stop words; numbers and names stay."""
    return [t for t in tokens if (len(t) > 2 or t.isdigit()) and t not in STOP_WORDS]


_NOT_CONTENT = ""
"""What the stem cache holds for a token that `content_words` drops: false, so filter() drops
it in C, and it survives pickling.  (No word has an empty Snowball stem: the English
stemmer's suffix regions leave at least two letters; tests check the corpora's words.)"""


class Stemmer:
    """English Snowball stems of content words, cached per distinct token.

    The stems come from PyStemmer (Snowball's C library), a dependency: the same
    stems as snowballstemmer's pure-Python English stemmer (equal on the 120,705
    distinct tokens of the evaluation corpora; tests check a word list), about
    ten times faster.  (snowballstemmer itself switches to PyStemmer when it is
    installed, so requiring it also makes every install stem alike.)
    """

    def __init__(self) -> None:
        # token -> its stem, or _NOT_CONTENT; one dict lookup per token in C (map) instead
        # of a Python loop with a stop-word test per token.
        self._cache: dict[str, str] = {}
        self._stem_words = _english_stemmer()

    def __getstate__(self) -> dict:
        return {"_cache": self._cache}  # the C stemmer does not pickle; a new one is made

    def __setstate__(self, state: dict) -> None:
        self._cache = state["_cache"]
        self._stem_words = _english_stemmer()

    def _looked_up(self, tokens: Sequence[str]) -> list[str]:
        # a KeyError (at most once a call) is cheaper than testing every token for a miss
        try:
            return list(map(self._cache.__getitem__, tokens))
        except KeyError:
            self._learn(tokens)
            return list(map(self._cache.__getitem__, tokens))

    def __call__(self, tokens: Sequence[str]) -> list[str]:
        return list(filter(None, self._looked_up(tokens)))

    def lookup(self, tokens: Sequence[str]) -> list[str | None]:
        """Each token's stem, or None for a token that is not a content word."""
        return [stem or None for stem in self._looked_up(tokens)]

    def with_positions(self, tokens: Sequence[str]) -> tuple[list[str], np.ndarray]:
        """The stems of `tokens` and, for every token position t, how many stems come
        from ``tokens[:t]``: the stems of ``tokens[a:b]`` are ``stems[pos[a]:pos[b]]``."""
        looked_up = self._looked_up(tokens)
        is_stem = np.fromiter(map(bool, looked_up), dtype=bool, count=len(looked_up))
        positions = np.zeros(len(looked_up) + 1, dtype=np.int64)
        np.cumsum(is_stem, out=positions[1:])
        return list(filter(None, looked_up)), positions

    def _learn(self, tokens: Sequence[str]) -> None:
        cache = self._cache
        new = [t for t in dict.fromkeys(tokens) if t not in cache]
        words = content_words(new)
        cache.update(dict.fromkeys(new, _NOT_CONTENT))
        cache.update(zip(words, self._stem_words(words)))


def _english_stemmer():
    # no cache of its own (0): `Stemmer` caches every distinct token already
    return pystemmer.Stemmer("english", 0).stemWords


@lru_cache(maxsize=8)
def permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """datasketch's affine32 permutation parameters (a, b) for this seed."""
    gen = np.random.RandomState(seed)
    a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return a, b


def minhash_signatures(hash_sets: Sequence[np.ndarray], num_perm: int = 128, seed: int = 1) -> np.ndarray:
    """MinHash signatures of many sets of 32-bit hashes, as an (n, num_perm) uint32 array.

    An empty set gets the all-max signature (it matches nothing), as in datasketch."""
    a, b = permutations(num_perm, seed)
    offsets = np.zeros(len(hash_sets) + 1, dtype=np.int64)
    np.cumsum(np.fromiter(map(len, hash_sets), dtype=np.int64, count=len(hash_sets)), out=offsets[1:])
    values = np.concatenate([np.empty(0, np.uint32), *hash_sets]).astype(np.uint32, copy=False)
    signatures = np.empty((len(hash_sets), num_perm), dtype=np.uint32)
    _set_minhash(values, offsets, a, b, signatures)
    return signatures


def fingerprint(docs: Sequence[Normalized], options: FingerprintOptions = FingerprintOptions(),
                stemmer: Stemmer | None = None, jobs: int = 1) -> Fingerprints:
    """Shingle sets, their MinHash signatures and TF-IDF content vectors of a batch.

    `jobs` threads share the hashing (the kernels release the GIL); results do not depend on it.
    """
    stemmer = stemmer or Stemmer()
    values, offsets, signatures = minhash_batch([d.tokens for d in docs], options, jobs)
    return assemble_fingerprints(values, offsets, signatures, [stemmer(d.tokens) for d in docs], options)


def assemble_fingerprints(values: np.ndarray, offsets: np.ndarray, signatures: np.ndarray,
                          stems: Sequence[Sequence[str]] | IdRows,
                          options: FingerprintOptions = FingerprintOptions()) -> Fingerprints:
    """Fingerprints of a corpus from its shingle sets and signatures (as `minhash_batch`
    gives them, possibly made batch by batch) and each document's content stems (word
    lists, or `IdRows` of them).

    The TF-IDF weights need the whole corpus, so they are fitted here, once."""
    shingle_sets = tuple(np.split(values, offsets[1:-1])) if len(stems) else ()
    vectorizer = term_vectorizer()
    if isinstance(stems, IdRows) and len(stems.ids):
        terms = fit_transform_rows(vectorizer, stems).tocsr()
    elif not isinstance(stems, IdRows) and any(stems):
        terms = vectorizer.fit_transform(stems).tocsr()
    else:  # nothing but stop words: an empty vocabulary links nothing
        terms = sp.csr_matrix((len(stems), 0), dtype=np.float32)
    return Fingerprints(
        shingle_sets=shingle_sets,
        signatures=signatures,
        terms=terms,
        vectorizer=vectorizer,
        options=options,
        shingle_values=values,
        shingle_offsets=offsets,
    )


def estimate_jaccard(sig_a: np.ndarray, sig_b: np.ndarray) -> float:
    """Share of equal signature positions: the MinHash estimate of Jaccard similarity."""
    return float(np.mean(sig_a == sig_b))


# ---------------------------------------------------------------------------
# Kernels.  Numba compiles them on first use and caches the machine code in
# __pycache__ (or NUMBA_CACHE_DIR), so later runs load it.


@numba.njit(cache=True, nogil=True)
def _minhash_row(values, a64, b64, row):
    """``row[p] = min(a[p] * fmix32(v) + b[p] mod 2**32 for v in values)``, all-max when `values`
    is empty: datasketch's affine32 MinHash of a set of 32-bit hashes."""
    mask = np.uint64(0xFFFFFFFF)
    num_perm = len(a64)
    mins = np.full(num_perm, np.uint32(0xFFFFFFFF), dtype=np.uint32)
    for v in values:
        h = np.uint64(v)  # MurmurHash3's fmix32
        h ^= h >> np.uint64(16)
        h = (h * np.uint64(0x85EBCA6B)) & mask
        h ^= h >> np.uint64(13)
        h = (h * np.uint64(0xC2B2AE35)) & mask
        h ^= h >> np.uint64(16)
        for p in range(num_perm):  # branch-free so that it vectorises
            mins[p] = min(mins[p], np.uint32((a64[p] * h + b64[p]) & mask))
    for p in range(num_perm):
        row[p] = mins[p]


@numba.njit(cache=True, nogil=True)
def _set_minhash(values, offsets, a, b, signatures):
    """`_minhash_row` of each set values[offsets[d]:offsets[d + 1]] into signatures[d]."""
    a64 = a.astype(np.uint64)
    b64 = b.astype(np.uint64)
    for d in range(len(offsets) - 1):
        _minhash_row(values[offsets[d]:offsets[d + 1]], a64, b64, signatures[d])


@numba.njit(cache=True, nogil=True)
def _shingle_minhash(token_hashes, token_offsets, k, a, b, values, value_offsets, signatures):
    """For each document d (token hashes token_hashes[token_offsets[d]:token_offsets[d + 1]]):
    the 32-bit hashes of its word k-grams (``acc = acc * MIX + h`` over the k token hashes, then
    the high half xor the low half; a text shorter than k words is one gram), distinct and
    sorted, into values[value_offsets[d]:value_offsets[d + 1]], and their `_minhash_row` into
    signatures[d]."""
    mix = np.uint64(0x9E3779B97F4A7C15)
    mask = np.uint64(0xFFFFFFFF)
    a64 = a.astype(np.uint64)
    b64 = b.astype(np.uint64)
    filled = 0
    value_offsets[0] = 0
    for d in range(len(token_offsets) - 1):
        lo = token_offsets[d]
        n = token_offsets[d + 1] - lo
        first = filled
        if n:
            width = min(k, n)
            count = n - width + 1
            grams = np.empty(count, dtype=np.int64)  # int64: the sort the other kernels compile too
            for s in range(count):
                acc = np.uint64(0)
                for i in range(width):
                    acc = acc * mix + token_hashes[lo + s + i]
                grams[s] = np.int64((acc >> np.uint64(32)) ^ (acc & mask))
            grams.sort()
            for s in range(count):
                if s == 0 or grams[s] != grams[s - 1]:
                    values[filled] = np.uint32(grams[s])
                    filled += 1
        _minhash_row(values[first:filled], a64, b64, signatures[d])
        value_offsets[d + 1] = filled


def _shingles_and_signatures(token_values: np.ndarray, token_offsets: np.ndarray, k: int, a: np.ndarray,
                             b: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    documents = len(token_offsets) - 1
    values = np.empty(max(len(token_values), 1), dtype=np.uint32)
    offsets = np.zeros(documents + 1, dtype=np.int64)
    signatures = np.empty((documents, len(a)), dtype=np.uint32)
    _shingle_minhash(token_values, token_offsets, k, a, b, values, offsets, signatures)
    return values[:offsets[-1]].copy(), offsets, signatures


def hash_token_batch(token_seqs: Sequence[Sequence[str]]) -> tuple[np.ndarray, np.ndarray]:
    """`token_hash` of every token of a batch, flat, with document offsets.

    >>> values, offsets = hash_token_batch([("storm", "hits"), ("coast",)])
    >>> int(values[2]) == token_hash("coast"), offsets.tolist()
    (True, [0, 2, 3])
    """
    offsets = np.zeros(len(token_seqs) + 1, dtype=np.int64)
    np.cumsum(np.fromiter(map(len, token_seqs), dtype=np.int64, count=len(token_seqs)), out=offsets[1:])
    return TokenHasher()(list(chain.from_iterable(token_seqs))), offsets


def _minhash_chunk(token_seqs: Sequence[Sequence[str]], options: FingerprintOptions):
    return minhash_hashed(*hash_token_batch(token_seqs), options)


def minhash_hashed(token_values: np.ndarray, token_offsets: np.ndarray,
                   options: FingerprintOptions = FingerprintOptions()) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`minhash_batch` (one thread) from the tokens' `token_hash` values, as `hash_token_batch`
    gives them: for callers that know each distinct token's hash already."""
    a, b = permutations(options.num_perm, options.seed)
    return _shingles_and_signatures(token_values, token_offsets, options.shingle_size, a, b)


def minhash_batch(token_seqs: Sequence[Sequence[str]], options: FingerprintOptions = FingerprintOptions(),
                  jobs: int = 1) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Shingle sets and MinHash signatures of many token sequences at once.

    Returns ``(values, offsets, signatures)``: document i's distinct shingle hashes
    are ``values[offsets[i]:offsets[i + 1]]`` (sorted, as `shingle_hashes` gives
    them) and its signature is ``signatures[i]`` (as `minhash_signatures`).

    >>> values, offsets, sigs = minhash_batch([("storm", "hits", "the", "coast")])
    >>> offsets.tolist(), sigs.shape
    ([0, 2], (1, 128))
    """
    n = len(token_seqs)
    parts = min(max(jobs, 1), max(n // 256, 1))
    if parts == 1:
        return _minhash_chunk(token_seqs, options)
    bounds = [n * p // parts for p in range(parts + 1)]
    _minhash_chunk(token_seqs[:1], options)  # compile (or load the cached kernels) before threads race to
    with ThreadPoolExecutor(parts) as pool:
        chunks = list(pool.map(lambda p: _minhash_chunk(token_seqs[bounds[p]:bounds[p + 1]], options),
                               range(parts)))
    values = np.concatenate([c[0] for c in chunks])
    shifts = np.cumsum([0] + [len(c[0]) for c in chunks[:-1]])
    offsets = np.concatenate([[0]] + [c[1][1:] + shift for c, shift in zip(chunks, shifts)]).astype(np.int64)
    return values, offsets, np.concatenate([c[2] for c in chunks])
