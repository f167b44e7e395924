"""Fast candidate routes propose exactly the pairs of the straightforward versions."""
import numpy as np
import pytest

from dedupe.candidates import find_candidates, lsh_pair_codes, lsh_pairs, lsh_pairs_datasketch, rare_term_pairs
from dedupe.config import CandidateOptions


def _signatures(n=600, num_perm=128, seed=3):
    """Random signatures with planted near-copies (a share of positions copied)."""
    rng = np.random.default_rng(seed)
    sigs = rng.integers(0, 2**32, (n, num_perm), dtype=np.uint64).astype(np.uint32)
    for i in range(0, n - 1, 3):
        keep = rng.random(num_perm) < rng.uniform(0.2, 0.95)
        sigs[i + 1, keep] = sigs[i, keep]
    sigs[5] = np.iinfo(np.uint32).max  # an empty document
    sigs[6] = np.iinfo(np.uint32).max
    sigs[10:40, :8] = 7  # one big templated bucket in the first bands
    return sigs


@pytest.mark.parametrize("bands,rows,max_bucket", [(64, 2, 200), (20, 5, 10), (42, 3, 20), (128, 1, 25)])
def test_lsh_pairs_equal_datasketch(bands, rows, max_bucket):
    sigs = _signatures()
    assert lsh_pairs(sigs, bands, rows, max_bucket) == lsh_pairs_datasketch(sigs, bands, rows, max_bucket)


def test_empty_signatures_match_nothing():
    sigs = _signatures()
    pairs = lsh_pairs(sigs, 64, 2, 200)
    assert not any(5 in p or 6 in p for p in pairs)


def test_codes_are_sorted_and_unique():
    codes = lsh_pair_codes(_signatures(), 64, 2, 200)
    assert np.array_equal(codes, np.unique(codes))


def test_find_candidates_is_the_sorted_union():
    import scipy.sparse as sp

    sigs = _signatures(90)
    rng = np.random.default_rng(0)
    terms = sp.random(90, 400, density=0.05, random_state=1, format="csr", dtype=np.float32)
    terms.data[:] = rng.random(terms.nnz).astype(np.float32)
    options = CandidateOptions(max_df=10, min_shared=2, min_share=0.1)
    expected = lsh_pairs(sigs, 64, 2, 200) | rare_term_pairs(terms, 10, 2, 0.1)
    got = find_candidates(sigs, terms, options)
    assert got.dtype == np.int64
    assert [tuple(p) for p in got.tolist()] == sorted(expected)


def test_bucket_pair_codes_from_shuffled_band_rows_equal_lsh():
    sigs = _signatures()
    bands, rows, max_bucket = 32, 4, 50
    n = len(sigs)
    valid = np.flatnonzero(~(sigs == np.iinfo(np.uint32).max).all(axis=1))
    band_ids = np.repeat(np.arange(bands), len(valid))
    keys = np.concatenate([sigs[valid, b * rows:(b + 1) * rows] for b in range(bands)])
    members = np.tile(valid, bands)
    shuffle = np.random.default_rng(0).permutation(len(members))
    from dedupe.candidates import bucket_pair_codes
    got = bucket_pair_codes(band_ids[shuffle], keys[shuffle], members[shuffle], max_bucket, n)
    assert np.array_equal(got, lsh_pair_codes(sigs, bands, rows, max_bucket))
