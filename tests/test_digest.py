"""Digests carry exactly what verification needs, batch by batch."""
from pathlib import Path

import numpy as np

from dedupe.config import ScanOptions
from dedupe.digest import digest_documents, merge_digests, sentence_words
from dedupe.fingerprint import Stemmer, fingerprint
from dedupe.normalize import normalize
from dedupe.read import read_documents
from dedupe.verify import number_set

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"


def test_digest_matches_normalized_documents_in_any_batching():
    docs = read_documents([SAMPLE])
    options = ScanOptions()
    whole = digest_documents(docs, options)
    parts = [docs[:7], docs[7:8], docs[8:]]
    merged = merge_digests([digest_documents(p, options) for p in parts], [len(p) for p in parts], 128)
    kept = [n for n in map(normalize, docs) if len(n.tokens) >= options.min_words]
    stemmer = Stemmer()
    fp = fingerprint(kept, options.fingerprint, stemmer=stemmer)
    for digest in (whole, merged):
        assert [docs[i].id for i in digest.kept] == [n.doc.id for n in kept]
        assert [s.id for _, s in digest.skipped] == ["coast-radio-traffic"]
        assert np.array_equal(digest.signatures, fp.signatures)
        assert np.array_equal(digest.shingle_values, fp.shingle_values)
        assert np.array_equal(digest.shingle_offsets, fp.shingle_offsets)
        assert digest.numbers == [number_set(n) for n in kept]
        assert digest.content_hashes == [n.content_hash for n in kept]
        words, offsets, sizes = sentence_words(digest)
        expected = [stemmer(n.tokens[s.tok_start:s.tok_end]) for n in kept for s in n.sentences]
        assert words == expected
        assert sizes.tolist() == [s.tok_end - s.tok_start for n in kept for s in n.sentences]
        assert offsets[-1] == len(expected)


def test_sentence_words_for_chosen_documents_only():
    docs = read_documents([SAMPLE])
    digest = digest_documents(docs, ScanOptions())
    words, offsets, _ = sentence_words(digest, np.array([2]))
    assert offsets[2] == 0 and offsets[3] == len(words) > 0
    assert offsets[-1] == len(words)
