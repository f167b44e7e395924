"""What a scan keeps of each document between normalization and verification.

A normalized document is many small Python objects (a string per token, a boxed
integer per offset): about 1 KB per word, 20+ GB for a million articles.  Nothing
after fingerprinting needs them all at once, so each batch of documents is
reduced to a `Digest` -- shingle hashes, MinHash signatures, content stems (shared
strings from the stemmer's cache), where each sentence's stems start and end, the
numbers each text states and its content hash -- and the normalized objects are
dropped.  The few documents that end up in clusters are normalized again for
their diffs (normalization is deterministic, so nothing changes).

`digest_documents` is the per-partition work of every engine: the local engine
runs it on batches (in worker processes with ``jobs`` > 1), the Dask engine on
partitions; `merge_digests` puts the pieces back together in input order.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .config import ScanOptions
from .fingerprint import Stemmer, minhash_batch
from .model import Document, Skipped
from .normalize import content_hash, content_tokens, sentence_ranges
from .verify import number_set


class NumberSets:
    """`verify.number_set` with the digit test made once per distinct token."""

    def __init__(self) -> None:
        self._has_digit: dict[str, bool] = {}

    def __call__(self, tokens: Sequence[str]) -> frozenset[str]:
        flags = list(map(self._has_digit.get, tokens))
        if None in flags:
            for t in tokens:
                if t not in self._has_digit:
                    self._has_digit[t] = number_set(_Tokens((t,))) != frozenset()
            flags = list(map(self._has_digit.__getitem__, tokens))
        return frozenset(t for t, f in zip(tokens, flags) if f)


@dataclass(frozen=True)
class _Tokens:
    """Just enough of a Normalized for `verify.number_set`."""

    tokens: tuple[str, ...]


@dataclass
class Digest:
    """The kept documents of a batch, in input order (see the module docstring)."""

    kept: np.ndarray  # positions (within the batch) of the documents kept
    skipped: list[tuple[int, Skipped]]  # (position, why) of those left out
    content_hashes: list[str]
    numbers: list[frozenset[str]]
    stems: list[list[str]]  # content stems of each kept document
    sentence_offsets: np.ndarray  # document d's sentences are rows offsets[d]:offsets[d + 1] below
    sentence_bounds: np.ndarray  # (sentences, 2): stems[d][start:end] are the sentence's stems
    sentence_sizes: np.ndarray  # token count of each sentence (float64)
    shingle_values: np.ndarray
    shingle_offsets: np.ndarray
    signatures: np.ndarray

    def __len__(self) -> int:
        return len(self.kept)


def digest_documents(docs: Sequence[Document], options: ScanOptions, stemmer: Stemmer | None = None,
                     number_sets: NumberSets | None = None) -> Digest:
    """Normalize and fingerprint a batch of documents, keeping only the compact parts."""
    stemmer = stemmer or Stemmer()
    number_sets = number_sets or NumberSets()
    kept: list[int] = []
    skipped: list[tuple[int, Skipped]] = []
    tokens: list[list[str]] = []
    hashes: list[str] = []
    numbers: list[frozenset[str]] = []
    stems: list[list[str]] = []
    sentence_counts = [0]
    bounds: list[int] = []
    sizes: list[int] = []
    for position, doc in enumerate(docs):
        # what `normalize` computes, without building its objects (Sentence, tuples)
        doc_tokens, starts, _ = content_tokens(doc.text)
        if len(doc_tokens) < options.min_words:
            reason = "empty" if not doc_tokens else f"too short ({len(doc_tokens)} words)"
            skipped.append((position, Skipped(doc.id, reason)))
            continue
        kept.append(position)
        tokens.append(doc_tokens)
        hashes.append(content_hash(doc_tokens))
        numbers.append(number_sets(doc_tokens))
        doc_stems, at = stemmer.with_positions(doc_tokens)
        stems.append(doc_stems)
        at = at.tolist()
        sentences = sentence_ranges(doc.text, starts)
        for _, _, t0, t1 in sentences:
            bounds.append(at[t0])
            bounds.append(at[t1])
            sizes.append(t1 - t0)
        sentence_counts.append(len(sentences))
    values, offsets, signatures = minhash_batch(tokens, options.fingerprint)
    return Digest(
        kept=np.array(kept, dtype=np.int64), skipped=skipped, content_hashes=hashes, numbers=numbers,
        stems=stems, sentence_offsets=np.cumsum(sentence_counts, dtype=np.int64),
        sentence_bounds=np.array(bounds, dtype=np.int64).reshape(-1, 2),
        sentence_sizes=np.array(sizes, dtype=np.float64),
        shingle_values=values, shingle_offsets=offsets, signatures=signatures,
    )


def merge_digests(parts: Sequence[Digest], sizes: Sequence[int], num_perm: int) -> Digest:
    """One digest of consecutive batches; `sizes` are the batches' document counts."""
    starts = np.cumsum([0, *sizes[:-1]], dtype=np.int64)
    value_shift = np.cumsum([0, *[len(p.shingle_values) for p in parts[:-1]]], dtype=np.int64)
    sentence_shift = np.cumsum([0, *[len(p.sentence_sizes) for p in parts[:-1]]], dtype=np.int64)
    return Digest(
        kept=np.concatenate([np.empty(0, np.int64), *[p.kept + s for p, s in zip(parts, starts)]]),
        skipped=[(i + int(s), why) for p, s in zip(parts, starts) for i, why in p.skipped],
        content_hashes=[h for p in parts for h in p.content_hashes],
        numbers=[n for p in parts for n in p.numbers],
        stems=[x for p in parts for x in p.stems],
        sentence_offsets=np.concatenate([[0], *[p.sentence_offsets[1:] + s
                                                for p, s in zip(parts, sentence_shift)]]).astype(np.int64),
        sentence_bounds=np.concatenate([np.empty((0, 2), np.int64), *[p.sentence_bounds for p in parts]]),
        sentence_sizes=np.concatenate([np.empty(0), *[p.sentence_sizes for p in parts]]),
        shingle_values=np.concatenate([np.empty(0, np.uint32), *[p.shingle_values for p in parts]]),
        shingle_offsets=np.concatenate([[0], *[p.shingle_offsets[1:] + s
                                                for p, s in zip(parts, value_shift)]]).astype(np.int64),
        signatures=np.concatenate([np.empty((0, num_perm), np.uint32), *[p.signatures for p in parts]]),
    )


def sentence_words(digest: Digest, only: np.ndarray | None = None) -> tuple[list[list[str]], np.ndarray, np.ndarray]:
    """Stems of every sentence of the chosen documents (all when `only` is None), with
    per-document row offsets (documents not chosen get no rows) and sentence sizes."""
    n = len(digest)
    wanted = np.ones(n, dtype=bool) if only is None else np.isin(np.arange(n), only)
    words: list[list[str]] = []
    counts = np.zeros(n + 1, dtype=np.int64)
    picked: list[np.ndarray] = []
    offsets = digest.sentence_offsets
    bounds = digest.sentence_bounds.tolist()
    for d in np.flatnonzero(wanted).tolist():
        doc_stems = digest.stems[d]
        lo, hi = int(offsets[d]), int(offsets[d + 1])
        words.extend(doc_stems[a:b] for a, b in bounds[lo:hi])
        counts[d + 1] = hi - lo
        picked.append(digest.sentence_sizes[lo:hi])
    sizes = np.concatenate(picked) if picked else np.empty(0)
    return words, np.cumsum(counts), sizes
