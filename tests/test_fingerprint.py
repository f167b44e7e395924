"""Fast fingerprints equal the straightforward per-document computation (tests/reference) and
datasketch's MinHash."""
import datasketch
import numpy as np
import pytest
import xxhash
from datasketch import LeanMinHash, MinHash

from dedupe.config import FingerprintOptions
from dedupe.text.fingerprint import (Stemmer, TokenHasher, content_words, estimate_jaccard, fingerprint,
                                hash_token_batch, minhash_batch, minhash_signatures, shingle_hashes, token_hash)
from dedupe.model import Document
from dedupe.text.normalize import normalize
from reference import minhash as reference


def test_signatures_equal_datasketch_for_same_hashes():
    rng = np.random.default_rng(7)
    sets = [np.unique(rng.integers(0, 2**32, size=n, dtype=np.uint64).astype(np.uint32)) for n in (1, 40, 0, 2500)]
    ours = minhash_signatures(sets, num_perm=128, seed=1)
    assert np.array_equal(ours, reference.minhash_signatures(sets, 128, 1))
    for row, values in zip(ours, sets):
        m = datasketch.MinHash(num_perm=128, seed=1, hashfunc=int)
        m.update_batch(values.tolist())
        assert np.array_equal(m.hashvalues, row)
    lean = datasketch.LeanMinHash(seed=1, hashvalues=ours[1], scheme="affine32")
    assert lean.jaccard(lean) == 1.0


def test_shingles_are_stable_and_order_sensitive():
    h = TokenHasher()
    a = shingle_hashes(h(["the", "ferry", "hit", "the", "wall"]), 3)
    b = shingle_hashes(TokenHasher()(["the", "ferry", "hit", "the", "wall"]), 3)
    c = shingle_hashes(h(["the", "wall", "hit", "the", "ferry"]), 3)
    assert np.array_equal(a, b) and len(a) == 3
    assert len(np.intersect1d(a, c)) == 0
    assert len(shingle_hashes(h(["short"]), 3)) == 1


def test_estimate_tracks_true_jaccard():
    words = [f"w{i}" for i in range(400)]
    docs = [normalize(Document("a", " ".join(words[:300]))), normalize(Document("b", " ".join(words[100:400])))]
    fp = fingerprint(docs)
    sa, sb = fp.shingle_sets
    true = len(np.intersect1d(sa, sb)) / len(np.union1d(sa, sb))
    assert abs(estimate_jaccard(fp.signatures[0], fp.signatures[1]) - true) < 0.12
    assert fp.terms.shape[0] == 2



STORY = ("Port Calder ferry hit the breakwater on Saturday morning, injuring three passengers. "
         "The Meridian Star was carrying 212 people when it struck the wall in strong winds, "
         "the harbour master said. Services to Kittiwake Island were halted until further notice.")
WORDS = ["storm", "hits", "the", "coast", "café", "ﬁre", "naïve", "1987", "x", "a" * 40, "ümlaut's"]


def _random_token_lists(count=400, seed=7):
    rng = np.random.default_rng(seed)
    return [tuple(rng.choice(WORDS, size=int(rng.integers(0, 40)))) for _ in range(count)]


def test_token_hash_is_xxh64_of_the_utf8_bytes():
    for token in WORDS + ["", "a" * 300]:
        assert token_hash(token) == xxhash.xxh64_intdigest(token.encode("utf-8"))
    assert TokenHasher()(WORDS + WORDS[:3]).tolist() == [token_hash(t) for t in WORDS + WORDS[:3]]


def test_hash_token_batch_equals_token_hash():
    seqs = [("storm", "hits"), (), ("café", "ﬁre", "naïve")]
    values, offsets = hash_token_batch(seqs)
    assert offsets.tolist() == [0, 2, 2, 5]
    assert values.tolist() == [token_hash(t) for seq in seqs for t in seq]


@pytest.mark.parametrize("shingle_size", [1, 3, 5])
@pytest.mark.parametrize("jobs", [1, 2])
def test_batch_equals_per_document_reference(shingle_size, jobs):
    seqs = _random_token_lists()
    options = FingerprintOptions(shingle_size=shingle_size)
    values, offsets, signatures = minhash_batch(seqs, options, jobs=jobs)
    hasher = TokenHasher()
    reference_sets = [reference.shingle_hashes(hasher(seq), shingle_size) for seq in seqs]
    for i, ref in enumerate(reference_sets):
        assert np.array_equal(values[offsets[i]:offsets[i + 1]], ref)
        assert np.array_equal(shingle_hashes(hasher(seqs[i]), shingle_size), ref)  # one document
    assert np.array_equal(signatures, reference.minhash_signatures(reference_sets, options.num_perm, options.seed))
    assert np.array_equal(signatures, minhash_signatures(reference_sets, options.num_perm, options.seed))


def test_signatures_equal_datasketch_minhash():
    doc = normalize(Document("a", STORY))
    fp = fingerprint([doc], FingerprintOptions(num_perm=128, seed=1))
    shingles = fp.shingle_sets[0]
    m = MinHash(num_perm=128, seed=1, hashfunc=lambda b: int.from_bytes(b, "little"))
    m.update_batch([int(h).to_bytes(4, "little") for h in shingles])
    assert np.array_equal(fp.signatures[0], m.hashvalues.astype(np.uint32))
    lean = LeanMinHash(seed=1, hashvalues=fp.signatures[0], scheme="affine32")
    assert lean.jaccard(LeanMinHash(m)) == 1.0


def test_empty_document_gets_the_all_max_signature():
    _, offsets, signatures = minhash_batch([(), ("one",)])
    assert offsets.tolist() == [0, 0, 1]
    assert (signatures[0] == np.iinfo(np.uint32).max).all()
    assert not (signatures[1] == np.iinfo(np.uint32).max).all()


def test_stemmer_keeps_content_words_in_order():
    tokens = ("the", "ferries", "were", "halted", "in", "1987", "by", "storms", "ferries")
    stem = Stemmer()
    assert stem(tokens) == ["ferri", "halt", "1987", "storm", "ferri"]
    assert len(stem(tokens)) == len(content_words(tokens))
    assert stem(tokens) == stem(tokens)  # second call served from the cache


STEMMER_EDGE_WORDS = ["ferries", "generously", "news", "skies", "dying", "lying", "tied", "cried", "succeeded",
                      "proceed", "exceed", "innings", "outing", "canning", "howe", "atlas", "cosmos", "bias",
                      "andes", "gently", "early", "only", "singly", "o'neill", "rock'n'roll's", "ministers'",
                      "it's", "1987", "3rd", "x1", "_id", "yes", "year", "youth", "ying", "consign", "arsenal",
                      "communism", "universal", "emily", "straße", "émigrés", "zürich", "ämter", "istanbul's",
                      "σίσυφος", "ﬁnance", "ies", "eed", "ly", "abcdefghijklmnopqrstuvwxyz" * 3]


def test_stemmer_gives_pure_python_snowball_stems():
    # PyStemmer (C) must stem exactly as snowballstemmer's pure-Python English stemmer
    english_stemmer = pytest.importorskip("snowballstemmer.english_stemmer")
    from pathlib import Path

    from dedupe.stages.read import read_documents

    shared = Path(__file__).resolve().parents[2] / "shared" / "data"
    inputs = [Path(__file__).resolve().parents[1] / "data" / "sample"]
    inputs += [p for p in (shared / "meter_showbiz" / "docs.jsonl", shared / "clough_stevenson" / "docs.jsonl")
               if p.exists()]
    words = sorted({t for d in read_documents(inputs) for t in normalize(d).tokens} | set(STEMMER_EDGE_WORDS))
    reference = english_stemmer.EnglishStemmer().stemWord
    content = content_words(words)
    assert Stemmer()(words) == [reference(w) for w in content]
    assert len(content) > 1000


def test_stemmer_pickles_with_its_cache():
    import pickle

    stem = Stemmer()
    stem(("ferries", "halted"))
    copy = pickle.loads(pickle.dumps(stem))
    assert copy(("ferries", "storms")) == ["ferri", "storm"] and "halted" in copy._cache
    # tokens that are not content words stay dropped after the round trip
    stem(("the", "a", "ferries"))
    copy = pickle.loads(pickle.dumps(stem))
    assert copy(("the", "ferries", "a")) == ["ferri"] and copy.lookup(("the", "halted")) == [None, "halt"]
    stems, positions = copy.with_positions(("the", "ferries", "a", "halted"))
    assert stems == ["ferri", "halt"] and positions.tolist() == [0, 0, 1, 1, 2]


def test_no_content_word_has_an_empty_stem():
    # the stem cache marks dropped tokens with "" (see fingerprint._NOT_CONTENT)
    from pathlib import Path

    from dedupe.text.fingerprint import _english_stemmer
    from dedupe.stages.read import read_documents

    sample = Path(__file__).resolve().parents[1] / "data" / "sample"
    words = {t for d in read_documents([sample]) for t in normalize(d).tokens}
    words = content_words(sorted(words | {"ies", "sss", "eed", "ing", "ed", "'s", "ly", "ness", "ation", "1987"}))
    assert len(words) > 500 and all(_english_stemmer()(words))
