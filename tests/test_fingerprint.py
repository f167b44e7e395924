import datasketch
import numpy as np

from dedupe.fingerprint import (TokenHasher, estimate_jaccard, fingerprint, minhash_signatures,
                                shingle_hashes)
from dedupe.model import Document
from dedupe.normalize import normalize


def test_signatures_equal_datasketch_for_same_hashes():
    rng = np.random.default_rng(7)
    sets = [np.unique(rng.integers(0, 2**32, size=n, dtype=np.uint64).astype(np.uint32)) for n in (1, 40, 0, 2500)]
    ours = minhash_signatures(sets, num_perm=128, seed=1, chunk=1000)
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
