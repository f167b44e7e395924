"""Fast candidate routes propose exactly the pairs of the straightforward versions."""
import functools
import itertools
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

from dedupe.stages.candidates import find_candidates, lsh_pair_codes, rare_term_pair_codes
from dedupe.config import CandidateOptions, ScanOptions
from dedupe.text.fingerprint import Stemmer, fingerprint
from dedupe.text.normalize import normalize
from dedupe.stages.read import read_documents
from reference.lsh import lsh_pairs_datasketch

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def _pairs(codes: np.ndarray, n: int) -> set[tuple[int, int]]:
    """Pair codes ``i * n + j`` as a set of (i, j)."""
    i, j = np.divmod(codes, max(n, 1))
    return set(zip(i.tolist(), j.tolist()))


def lsh_pairs(signatures, bands, rows, max_bucket):
    return _pairs(lsh_pair_codes(signatures, bands, rows, max_bucket), len(signatures))


def rare_term_pairs(terms, max_df, min_shared, min_share):
    return _pairs(rare_term_pair_codes(terms, max_df, min_shared, min_share), terms.shape[0])


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
    from dedupe.stages.candidates import bucket_pair_codes
    got = bucket_pair_codes(band_ids[shuffle], keys[shuffle], members[shuffle], max_bucket, n)
    assert np.array_equal(got, lsh_pair_codes(sigs, bands, rows, max_bucket))


def rare_term_pair_codes_scipy(terms, max_df, min_shared, min_share, chunk=512):
    """Reference for `rare_term_pair_codes` (its former implementation): binarise the matrix,
    keep the columns of document frequency 2..max_df, and take chunked sparse products
    ``rare @ rare.T`` whose entries count the shared rare columns."""
    n = terms.shape[0]
    if n < 2:
        return np.empty(0, dtype=np.int64)
    binary = terms.copy().tocsr()
    binary.data[:] = 1
    df = np.asarray(binary.sum(axis=0)).ravel()
    keep = np.flatnonzero((df >= 2) & (df <= max_df))
    rare = binary[:, keep].tocsr().astype(np.int32)
    sizes = np.asarray(rare.sum(axis=1)).ravel()
    rare_t = rare.T.tocsr()
    codes = []
    for lo in range(0, n, chunk):
        block = (rare[lo:lo + chunk] @ rare_t).tocoo()
        i = block.row + lo
        j = block.col
        shared = block.data
        smaller = np.minimum(sizes[i], sizes[j])
        ok = (i < j) & (shared >= min_shared) & (shared >= min_share * smaller)
        codes.append(i[ok].astype(np.int64) * n + j[ok])
    return np.unique(np.concatenate(codes)) if codes else np.empty(0, dtype=np.int64)


RARE_SETTINGS = [(100, 4, 0.10), (10, 2, 0.0), (300, 1, 0.5), (2, 1, 0.0), (50, 3, 1.0)]


REAL_CORPORA = ["sample", "meter_showbiz", "reuters21578", "semeval2022_task8"]


@functools.lru_cache(maxsize=None)
def _fingerprints_of(corpus):
    """Fingerprints of a real corpus (the shared ones cut to their first 4000 documents)."""
    if corpus == "sample":
        docs = read_documents([SAMPLE])
    else:
        path = SHARED_DATA / corpus / "docs.jsonl"
        if not path.exists():
            pytest.skip(f"shared corpus {corpus} not present")
        docs = itertools.islice(read_documents([path]), 4000)
    kept = [d for d in map(normalize, docs) if len(d.tokens) >= 20]
    return fingerprint(kept, ScanOptions().fingerprint, stemmer=Stemmer())


@pytest.mark.parametrize("corpus", REAL_CORPORA)
def test_lsh_codes_equal_datasketch_on_real_text(corpus):
    sigs = _fingerprints_of(corpus).signatures
    found = 0
    for bands, rows, max_bucket in [(64, 2, 200), (32, 4, 5), (128, 1, 50)]:
        got = lsh_pair_codes(sigs, bands, rows, max_bucket)
        n = len(sigs)
        assert {(int(c) // n, int(c) % n) for c in got} == lsh_pairs_datasketch(sigs, bands, rows, max_bucket)
        assert np.array_equal(got, np.unique(got))
        found += len(got)
    assert found


@pytest.mark.parametrize("corpus", REAL_CORPORA)
def test_find_candidates_is_the_union_of_the_references_on_real_text(corpus):
    fp = _fingerprints_of(corpus)
    n = len(fp.signatures)
    for options in [CandidateOptions(), CandidateOptions(shingle_bands=16, shingle_rows=4, max_df=20, min_shared=2)]:
        rare = rare_term_pair_codes_scipy(fp.terms, options.max_df, options.min_shared, options.min_share)
        expected = lsh_pairs_datasketch(fp.signatures, options.shingle_bands, options.shingle_rows,
                                        options.max_bucket) | {(int(c) // n, int(c) % n) for c in rare}
        got = find_candidates(fp.signatures, fp.terms, options)
        assert got.dtype == np.int64 and got.shape == (len(expected), 2)
        assert [tuple(p) for p in got.tolist()] == sorted(expected)


def test_find_candidates_edge_cases():
    options = CandidateOptions()
    for n in (0, 1):
        got = find_candidates(np.zeros((n, 128), dtype=np.uint32), sp.csr_matrix((n, 5), dtype=np.float32), options)
        assert got.shape == (0, 2) and got.dtype == np.int64
    empty = np.full((4, 128), np.iinfo(np.uint32).max, dtype=np.uint32)  # no shingles anywhere
    terms = sp.csr_matrix(np.ones((4, 6), dtype=np.float32))
    assert find_candidates(empty, terms, CandidateOptions(min_shared=1)).tolist() == [
        [0, 1], [0, 2], [0, 3], [1, 2], [1, 3], [2, 3]]  # the rare route alone
    assert find_candidates(empty, terms, CandidateOptions(max_df=3)).shape == (0, 2)  # neither route
    same = np.zeros((3, 128), dtype=np.uint32)
    assert find_candidates(same, sp.csr_matrix((3, 5), dtype=np.float32), options).tolist() == [
        [0, 1], [0, 2], [1, 2]]  # the LSH route alone
    with pytest.raises(ValueError):
        find_candidates(same, terms[:3], CandidateOptions(shingle_bands=65))


@pytest.mark.parametrize("corpus", REAL_CORPORA)
def test_rare_term_codes_equal_the_sparse_product_on_real_text(corpus):
    terms = _fingerprints_of(corpus).terms
    assert not terms.has_sorted_indices  # sklearn's column order within rows: the kernel must not need sorted rows
    found = 0
    for max_df, min_shared, min_share in RARE_SETTINGS:
        got = rare_term_pair_codes(terms, max_df, min_shared, min_share)
        expected = rare_term_pair_codes_scipy(terms, max_df, min_shared, min_share)
        assert got.dtype == np.int64
        assert np.array_equal(got, expected), (max_df, min_shared, min_share)
        found += len(got)
    assert found  # the settings do propose pairs: the comparison is not of empty arrays


def test_rare_term_codes_edge_cases():
    rng = np.random.default_rng(5)
    cases = [
        sp.csr_matrix((0, 10), dtype=np.float32),  # no rows
        sp.csr_matrix(np.ones((1, 5), dtype=np.float32)),  # one row
        sp.csr_matrix(np.eye(6, dtype=np.float32)),  # every column in one row only: nothing is rare
        sp.csr_matrix(np.ones((8, 4), dtype=np.float32)),  # every column everywhere (df > max_df below)
        sp.csr_matrix((5, 0), dtype=np.float32),  # no columns
    ]
    dense = (rng.random((60, 40)) < 0.15).astype(np.float32)
    dense[[3, 17, 44]] = 0  # empty rows
    dense[:, 7] = 1  # one column in every row
    cases.append(sp.csr_matrix(dense))
    stored_zero = sp.csr_matrix(dense)
    stored_zero.data[::5] = 0  # explicit zeros still count as entries, as in the binarised product
    cases.append(stored_zero)
    # duplicate entries (a non-canonical matrix): each stored entry counts, as in the product
    r = sp.csr_matrix(dense)
    twice = np.arange(r.nnz) % 3 == 0  # every third entry stored twice, next to itself
    repeats = np.where(twice, 2, 1)
    row_of = np.repeat(np.arange(r.shape[0]), np.diff(r.indptr))
    doubled = sp.csr_matrix((np.repeat(r.data, repeats), np.repeat(r.indices, repeats),
                             np.r_[0, np.cumsum(np.bincount(row_of, repeats, r.shape[0]))].astype(np.int32)),
                            shape=r.shape)
    assert doubled.nnz == r.nnz + twice.sum()
    cases.append(doubled)
    for terms in cases:
        for max_df, min_shared, min_share in RARE_SETTINGS + [(5, 1, 0.0)]:
            got = rare_term_pair_codes(terms, max_df, min_shared, min_share)
            expected = rare_term_pair_codes_scipy(terms, max_df, min_shared, min_share)
            assert got.dtype == np.int64 and np.array_equal(got, expected), (terms.shape, max_df, min_shared)
