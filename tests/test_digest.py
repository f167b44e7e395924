"""Digests carry exactly what verification needs, batch by batch."""
from pathlib import Path

import numpy as np

from dedupe.config import ScanOptions
from dedupe.stages.digest import Digest, TokenTable, digest_documents, merge_digests, sentence_rows
from dedupe.text.fingerprint import Stemmer, fingerprint
from dedupe.text.normalize import normalize
from dedupe.stages.read import read_documents
from dedupe.stages.features import number_set

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"


def test_digest_matches_normalized_documents_in_any_batching():
    docs = read_documents([SAMPLE])
    options = ScanOptions()
    whole = digest_documents(docs, options)
    parts = [docs[:7], docs[7:8], docs[8:]]
    merged = merge_digests([digest_documents(p, options) for p in parts], [len(p) for p in parts], 128)
    # one token table and stemmer for all batches, as the engines use them: later batches reuse what
    # earlier ones learnt (numbers, stems, digit tests, hashes)
    table, shared_stemmer = TokenTable(), Stemmer()
    shared = merge_digests([digest_documents(p, options, shared_stemmer, table) for p in [docs[8:], docs[:8]]],
                           [len(docs) - 8, 8], 128)
    positions = np.concatenate([np.arange(8, len(docs)), np.arange(8)])[shared.kept]  # in `docs`
    order = np.argsort(positions)
    assert len(table.tokens) == len(set(table.tokens)) > 100
    kept = [n for n in map(normalize, docs) if len(n.tokens) >= options.min_words]
    stemmer = Stemmer()
    fp = fingerprint(kept, options.fingerprint, stemmer=stemmer)
    reordered = _reorder(shared, order, positions[order])
    for digest in (whole, merged, reordered):
        assert [docs[i].id for i in digest.kept] == [n.doc.id for n in kept]
        assert [s.id for _, s in digest.skipped] == ["coast-radio-traffic"]
        assert np.array_equal(digest.signatures, fp.signatures)
        assert np.array_equal(digest.shingle_values, fp.shingle_values)
        assert np.array_equal(digest.shingle_offsets, fp.shingle_offsets)
        assert digest.numbers == [number_set(n) for n in kept]
        assert digest.content_hashes == [n.content_hash for n in kept]
        rows, offsets, sizes = sentence_rows(digest)
        words = rows.word_lists()
        assert digest.stem_rows().word_lists() == [stemmer(n.tokens) for n in kept]
        assert len(digest.stem_words) == len(set(digest.stem_words))
        expected = [stemmer(n.tokens[s.tok_start:s.tok_end]) for n in kept for s in n.sentences]
        assert words == expected
        assert sizes.tolist() == [s.tok_end - s.tok_start for n in kept for s in n.sentences]
        assert offsets[-1] == len(expected)


def test_sentence_words_for_chosen_documents_only():
    docs = read_documents([SAMPLE])
    digest = digest_documents(docs, ScanOptions())
    everything, all_offsets, all_sizes = sentence_rows(digest)
    rows, offsets, sizes = sentence_rows(digest, np.array([4, 2, 4]))  # in any order, repeated
    words, lo, hi = rows.word_lists(), all_offsets[2], all_offsets[3]
    assert offsets[2] == 0 and offsets[3] == hi - lo > 0 and offsets[4] == offsets[3] and offsets[5] == len(words)
    assert words == everything.word_lists()[lo:hi] + everything.word_lists()[all_offsets[4]:all_offsets[5]]
    assert sizes.tolist() == all_sizes[lo:hi].tolist() + all_sizes[all_offsets[4]:all_offsets[5]].tolist()
    assert offsets[-1] == len(words)


def _reorder(digest, order, kept):
    """The digest with its kept documents in another order (for comparing batchings)."""
    bounds = [digest.sentence_offsets[i:i + 2] for i in order]
    sentences = np.concatenate([np.arange(a, b) for a, b in bounds])
    values = [digest.shingle_values[digest.shingle_offsets[i]:digest.shingle_offsets[i + 1]] for i in order]
    return Digest(
        kept=kept, skipped=digest.skipped,
        content_hashes=[digest.content_hashes[i] for i in order], numbers=[digest.numbers[i] for i in order],
        stem_ids=np.concatenate([digest.stem_ids[digest.stem_offsets[i]:digest.stem_offsets[i + 1]] for i in order]),
        stem_offsets=np.cumsum([0] + [digest.stem_offsets[i + 1] - digest.stem_offsets[i] for i in order]),
        stem_words=digest.stem_words,
        sentence_offsets=np.cumsum([0] + [b - a for a, b in bounds]), sentence_bounds=digest.sentence_bounds[sentences],
        sentence_sizes=digest.sentence_sizes[sentences], shingle_values=np.concatenate(values),
        shingle_offsets=np.cumsum([0] + [len(v) for v in values]), signatures=digest.signatures[order])
