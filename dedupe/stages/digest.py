"""What a scan keeps of each document between normalization and verification.

A normalized document is many small Python objects (a string per token, a boxed
integer per offset): about 1 KB per word, 20+ GB for a million articles.  Nothing
after fingerprinting needs them all at once, so each batch of documents is
reduced to a `Digest` -- shingle hashes, MinHash signatures, content stems (int32
numbers, with the batch's own list of the stem words), where each sentence's stems
start and end, the numbers each text states and its content hash -- and the
normalized objects are dropped.  The few documents that end up in clusters are normalized again for
their diffs (normalization is deterministic, so nothing changes).

`digest_documents` is the per-partition work of every engine: the local engine
runs it on batches (in worker processes with ``jobs`` > 1), the Dask engine on
partitions; `merge_digests` puts the pieces back together in input order.
"""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from ..config import ScanOptions
from ..text.fingerprint import IdRows, Stemmer, hash_token_batch, minhash_hashed
from ..model import Document, Skipped
from ..text.normalize import ascii_contents, content_tokens, content_tokens_joined
from ..text.sentences import _sentence_token_ranges, text_codes
from ..text.numbering import TokenNumbers
from .read import site_notice


class TokenTable:
    """What a digest needs of each distinct token, found once per distinct token: a number
    for it, its stem's number (-1 if it is not a content word), whether it holds a digit (as
    `features.number_set` tests) and its `token_hash`.

    A batch's tokens become one array of numbers (a compiled scan of their joined bytes, see
    `numbering`), and the stems, number sets, stem positions and token hashes of all its
    documents come from array operations on it instead of Python steps per token.  One
    table serves every batch of a scan (it only grows).
    """

    def __init__(self, capacity: int = 1 << 16) -> None:
        self._numbers = TokenNumbers(capacity)
        self.tokens: list[str] = []  # by number
        self.stem_words: list[str] = []  # the distinct stems, numbered in order of first sight
        self._stem_numbers: dict[str, int] = {}  # stem -> its place in stem_words
        self.stems = np.zeros(0, dtype=np.int32)  # the number of the token's stem, or -1 (not a content word)
        self.digit = np.zeros(0, dtype=bool)  # does it hold a digit?
        self.hashes = np.zeros(0, dtype=np.uint64)  # its `token_hash`

    def numbers(self, joined: bytes, stemmer: Stemmer, separator: bytes = b" ") -> np.ndarray:
        """The numbers of the tokens in `joined` (utf-8, joined by `separator`, a byte no token
        holds); new tokens are learnt (stemmed by `stemmer`, which caches them too)."""
        known = len(self._numbers)
        ids = self._numbers.number(joined, separator)
        if len(self._numbers) > known:
            new = self._numbers.new_tokens(known)
            stems = stemmer.lookup(new)
            self.tokens += new
            self.stems = np.concatenate([self.stems, self._stem_ids(stems)])
            flags = self._numbers.digit_flags(known)  # 2: not ASCII, str.isdigit decides
            for i in np.flatnonzero(flags == 2).tolist():
                flags[i] = any(c.isdigit() for c in new[i])
            self.digit = np.concatenate([self.digit, flags.astype(bool)])
            self.hashes = np.concatenate([self.hashes, hash_token_batch([new])[0]])
        return ids

    def _stem_ids(self, stems: list[str | None]) -> np.ndarray:
        numbers, words = self._stem_numbers, self.stem_words
        out = np.full(len(stems), -1, dtype=np.int32)
        for i, stem in enumerate(stems):
            if stem is not None:
                number = numbers.get(stem)
                if number is None:
                    number = numbers[stem] = len(words)
                    words.append(stem)
                out[i] = number
        return out


@dataclass
class Digest:
    """The kept documents of a batch, in input order (see the module docstring)."""

    kept: np.ndarray  # positions (within the batch) of the documents kept
    skipped: list[tuple[int, Skipped]]  # (position, why) of those left out
    content_hashes: list[str]
    numbers: list[frozenset[str]]
    # content stems of the kept documents, as numbers: document d's stems are
    # stem_words[i] for i in stem_ids[stem_offsets[d]:stem_offsets[d + 1]]
    stem_ids: np.ndarray  # int32
    stem_offsets: np.ndarray
    stem_words: list[str]  # the distinct stems of this digest, by number
    sentence_offsets: np.ndarray  # document d's sentences are rows offsets[d]:offsets[d + 1] below
    sentence_bounds: np.ndarray  # (sentences, 2): the (start, end) of each sentence's stems within its document's
    sentence_sizes: np.ndarray  # token count of each sentence (float64)
    shingle_values: np.ndarray
    shingle_offsets: np.ndarray
    signatures: np.ndarray

    def __len__(self) -> int:
        return len(self.kept)

    def stem_rows(self) -> IdRows:
        """Each kept document's content stems, as rows of numbers."""
        return IdRows(self.stem_ids, self.stem_offsets, self.stem_words)


def skip_reason(text: str, words: int, min_words: int) -> str | None:
    """Why a text with `words` content words is not compared (too short, or a site's notice
    instead of the article: `read.site_notice`), or None.  The scan and the store skip alike."""
    if words < min_words:
        return "empty" if not words else f"too short ({words} words)"
    return site_notice(text, words)


def digest_documents(docs: Sequence[Document], options: ScanOptions, stemmer: Stemmer | None = None,
                     table: TokenTable | None = None) -> Digest:
    """Normalize and fingerprint a batch of documents, keeping only the compact parts.

    `table` is the `TokenTable` to use (and extend); pass the same one for every batch."""
    stemmer = stemmer or Stemmer()
    table = table if table is not None else TokenTable()
    kept: list[int] = []
    skipped: list[tuple[int, Skipped]] = []
    hashes: list[str] = []
    # the kept documents' joined tokens, in runs joined by one separator: spaces, but NULs
    # for a document with a folded token that holds a space (see `content_tokens_joined`)
    runs: list[tuple[bytes, list[bytes]]] = [(b" ", [])]
    token_counts = [0]
    ranges = [np.empty((0, 2), dtype=np.int64)]  # (first token, end token) of each sentence, per document
    # what `normalize` computes, without building its objects (Sentence, tuples)
    for position, (count, content_hash, joined, separator, sentences) in enumerate(_contents(docs)):
        reason = skip_reason(docs[position].text, count, options.min_words)
        if reason:
            skipped.append((position, Skipped(docs[position].id, reason)))
            continue
        kept.append(position)
        hashes.append(content_hash)
        if separator != runs[-1][0]:
            runs.append((separator, []))
        if count:
            runs[-1][1].append(joined)
        token_counts.append(count)
        ranges.append(sentences)
    # the rest for the whole batch at once, on the token numbers
    ids = np.concatenate([np.empty(0, np.int64)] + [table.numbers(separator.join(pieces), stemmer, separator)
                                                    for separator, pieces in runs if pieces])
    token_offsets = np.cumsum(token_counts, dtype=np.int64)
    starts_at = token_offsets[:-1]
    token_stems = table.stems[ids]
    content = token_stems >= 0
    stems_before = np.zeros(len(ids) + 1, dtype=np.int64)  # stems_before[t]: stems among the batch's first t tokens
    np.cumsum(content, out=stems_before[1:])
    # the batch's stems, renumbered to those it uses: a digest travels with its own stem words
    table_stems = token_stems[content]
    used = np.zeros(len(table.stem_words), dtype=np.int32)
    used[table_stems] = 1
    stem_words = list(map(table.stem_words.__getitem__, np.flatnonzero(used).tolist()))
    stem_ids = np.cumsum(used, dtype=np.int32)[table_stems] - 1
    del token_stems, table_stems, used
    digit_at = np.flatnonzero(table.digit[ids])
    digit_tokens = list(map(table.tokens.__getitem__, ids[digit_at].tolist()))
    digit_offsets = np.searchsorted(digit_at, token_offsets).tolist()
    numbers = [frozenset(digit_tokens[a:b]) for a, b in zip(digit_offsets[:-1], digit_offsets[1:])]
    sentence_counts = np.array([len(r) for r in ranges[1:]], dtype=np.int64)
    first_token = np.repeat(starts_at, sentence_counts)[:, None]  # of each sentence's document
    token_bounds = np.concatenate(ranges)
    values, offsets, signatures = minhash_hashed(table.hashes[ids], token_offsets, options.fingerprint)
    return Digest(
        kept=np.array(kept, dtype=np.int64), skipped=skipped, content_hashes=hashes, numbers=numbers,
        stem_ids=stem_ids, stem_offsets=stems_before[token_offsets], stem_words=stem_words,
        sentence_offsets=np.concatenate([[0], np.cumsum(sentence_counts)]).astype(np.int64),
        sentence_bounds=stems_before[token_bounds + first_token] - stems_before[first_token],
        sentence_sizes=(token_bounds[:, 1] - token_bounds[:, 0]).astype(np.float64),
        shingle_values=values, shingle_offsets=offsets, signatures=signatures,
    )


def _contents(docs: Sequence[Document]) -> Iterator[tuple[int, str, bytes, bytes, np.ndarray]]:
    """(token count, content hash, joined tokens, their separator, the sentences' token ranges)
    of each document: the ASCII ones all at once by `ascii_contents`, the others one by one."""
    ascii = [doc.text.isascii() for doc in docs]
    batch = ascii_contents([doc.text for doc, is_ascii in zip(docs, ascii) if is_ascii])
    j = 0
    for doc, is_ascii in zip(docs, ascii):
        if is_ascii:
            at = batch.at[j]
            yield (batch.counts[j], batch.hashes[j], batch.joined[at:at + batch.sizes[j]], b" ",
                   batch.ranges[batch.sentence_at[j]:batch.sentence_at[j + 1]])
            j += 1
            continue
        joined, count, starts, content_hash = content_tokens_joined(doc.text)
        sentences = _sentence_token_ranges(text_codes(doc.text), starts)[:, 2:]
        if count and joined.count(b" ") != count - 1:  # a folded token holds a space
            joined, separator = "\x00".join(content_tokens(doc.text)[0]).encode("utf-8"), b"\x00"
        else:
            separator = b" "
        yield count, content_hash, joined, separator, sentences


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
        **_merged_stems(parts),
        sentence_offsets=np.concatenate([[0], *[p.sentence_offsets[1:] + s
                                                for p, s in zip(parts, sentence_shift)]]).astype(np.int64),
        sentence_bounds=np.concatenate([np.empty((0, 2), np.int64), *[p.sentence_bounds for p in parts]]),
        sentence_sizes=np.concatenate([np.empty(0), *[p.sentence_sizes for p in parts]]),
        shingle_values=np.concatenate([np.empty(0, np.uint32), *[p.shingle_values for p in parts]]),
        shingle_offsets=np.concatenate([[0], *[p.shingle_offsets[1:] + s
                                                for p, s in zip(parts, value_shift)]]).astype(np.int64),
        signatures=np.concatenate([np.empty((0, num_perm), np.uint32), *[p.signatures for p in parts]]),
    )


def _merged_stems(parts: Sequence[Digest]) -> dict:
    """The stem fields of `merge_digests`: one numbering of all the parts' stem words."""
    if len(parts) == 1:
        only = parts[0]
        return dict(stem_ids=only.stem_ids, stem_offsets=only.stem_offsets, stem_words=only.stem_words)
    index: dict[str, int] = {}
    ids = []
    for p in parts:
        remap = np.fromiter((index.setdefault(w, len(index)) for w in p.stem_words), dtype=np.int32,
                            count=len(p.stem_words))
        ids.append(remap[p.stem_ids])
    shift = np.cumsum([0, *[len(p.stem_ids) for p in parts[:-1]]], dtype=np.int64)
    return dict(stem_ids=np.concatenate([np.empty(0, np.int32), *ids]),
                stem_offsets=np.concatenate([[0], *[p.stem_offsets[1:] + s for p, s in zip(parts, shift)]]
                                            ).astype(np.int64),
                stem_words=list(index))


def sentence_rows(digest: Digest, only: np.ndarray | None = None) -> tuple[IdRows, np.ndarray, np.ndarray]:
    """The stems of every sentence of the chosen documents (all when `only` is None), as rows
    of numbers, with per-document row offsets (documents not chosen get no rows) and the
    sentences' sizes (token counts)."""
    n = len(digest)
    chosen = np.arange(n) if only is None else np.unique(np.asarray(only, dtype=np.int64))
    offsets = digest.sentence_offsets
    counts = np.zeros(n + 1, dtype=np.int64)
    counts[chosen + 1] = offsets[chosen + 1] - offsets[chosen]
    sentences = _spans(offsets[chosen], counts[chosen + 1])
    first_stem = np.repeat(digest.stem_offsets[chosen], counts[chosen + 1])  # of each sentence's document
    bounds = digest.sentence_bounds[sentences]
    lengths = bounds[:, 1] - bounds[:, 0]
    ids = digest.stem_ids[_spans(first_stem + bounds[:, 0], lengths)]
    rows = IdRows(ids, np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64), digest.stem_words)
    return rows, np.cumsum(counts), digest.sentence_sizes[sentences]


def _spans(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The indices starts[0] .. starts[0] + lengths[0] - 1, then those of the next span, and so on."""
    total = int(lengths.sum())
    before = np.cumsum(lengths) - lengths  # the spans' places in the output
    return np.repeat(np.asarray(starts, dtype=np.int64) - before, lengths) + np.arange(total, dtype=np.int64)
