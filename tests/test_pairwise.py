"""The batch verifier computes verify's features and matches bit for bit."""
from pathlib import Path

import numpy as np
import pytest

from dedupe.candidates import find_candidates
from dedupe.config import ScanOptions, VerifyOptions
from dedupe.fingerprint import Stemmer, fingerprint
from dedupe.normalize import normalize
from dedupe.pairwise import (SentenceRows, _pairwise_sum32, could_link, decide_pairs, features_of, may_link,
                             pair_feature_arrays, verify_batch)
from dedupe.read import read_documents
from dedupe.verify import SentenceVectors, is_derived, number_agreement, number_set, pair_features, verify

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
METER = Path(__file__).resolve().parents[2] / "shared" / "data" / "meter_showbiz" / "docs.jsonl"


def test_pairwise_sum_is_numpys():
    rng = np.random.default_rng(3)
    for n in [0, 1, 7, 8, 9, 127, 128, 129, 300, 1000, 4099]:
        a = (rng.random(n).astype(np.float32) * np.float32(0.1)) ** 2
        assert _pairwise_sum32(a, 0, n) == a.sum()


def _corpus(paths, jobs=1):
    kept = [n for n in map(normalize, read_documents(paths)) if len(n.tokens) >= 20]
    stemmer = Stemmer()
    options = ScanOptions()
    fp = fingerprint(kept, options.fingerprint, stemmer=stemmer)
    pairs = find_candidates(fp.signatures, fp.terms, options.candidates)
    return kept, stemmer, options, fp, pairs


@pytest.mark.parametrize("which", ["sample", "meter"])
def test_batch_features_and_matches_equal_verify(which):
    if which == "meter" and not METER.exists():
        pytest.skip("shared METER data not present")
    kept, stemmer, options, fp, pairs = _corpus([SAMPLE] if which == "sample" else [METER])
    assert len(pairs)
    assert not fp.terms.has_sorted_indices  # sklearn's order, which the kernel must follow
    sentences = SentenceVectors(kept, fp, stemmer)
    numbers = [number_set(d) for d in kept]
    # reference first, on fingerprints nothing has touched yet
    expected_features = [pair_features(i, j, fp, sentences, options.verify, numbers) for i, j in pairs.tolist()]
    reference = verify(pairs, fp, sentences, options.verify)
    indices = fp.terms.indices.copy()
    rows = SentenceRows(kept, fp, stemmer)
    inter, cosine, aligned_a, aligned_b, terms_ab, terms_ba = pair_feature_arrays(
        pairs, fp, rows, options.verify.sentence_match)
    assert np.array_equal(fp.terms.indices, indices)  # the kernel leaves the fingerprints alone
    for p, (i, j) in enumerate(pairs.tolist()):
        expected = expected_features[p]
        got = features_of(int(inter[p]), len(fp.shingle_sets[i]), len(fp.shingle_sets[j]), float(cosine[p]),
                          float(aligned_a[p]), float(aligned_b[p]), float(terms_ab[p]), float(terms_ba[p]),
                          expected.numbers)
        assert got == expected, (i, j)
    assert verify_batch(pairs, fp, kept, stemmer, options.verify) == reference
    assert verify_batch(pairs, fp, kept, stemmer, options.verify, jobs=2) == reference


def test_no_pairs_no_matches():
    kept, stemmer, options, fp, _ = _corpus([SAMPLE])
    assert verify_batch(np.empty((0, 2), dtype=np.int64), fp, kept, stemmer, options.verify) == []


def test_rule_never_gets_stricter_as_alignment_grows():
    """verify_pairs aligns sentences only for pairs is_derived would link at alignment 1.0:
    exact only while the rule is monotone in alignment. Check that on the rule itself."""
    from dataclasses import replace

    from dedupe.config import VerifyOptions
    from dedupe.verify import PairFeatures, is_derived

    rng = np.random.default_rng(5)
    options = VerifyOptions()
    for _ in range(20000):
        x = rng.random(8)
        f = PairFeatures(cosine=float(x[0]), contain_ab=float(x[1]), contain_ba=float(x[2]), jaccard=float(x[3]),
                         aligned_a=float(x[4]), aligned_b=float(x[5]), terms_ab=float(x[6]), terms_ba=float(x[7]),
                         numbers=None if rng.random() < 0.3 else float(rng.random()))
        if is_derived(f, options):
            assert is_derived(replace(f, aligned_a=1.0, aligned_b=1.0), options)


def test_could_link_keeps_every_match():
    kept, stemmer, options, fp, pairs = _corpus([SAMPLE])
    rows = SentenceRows(kept, fp, stemmer)
    full = pair_feature_arrays(pairs, fp, rows, options.verify.sentence_match)
    cheap = pair_feature_arrays(pairs, fp, None, options.verify.sentence_match)
    assert all(np.array_equal(a, b) for k, (a, b) in enumerate(zip(full, cheap)) if k not in (2, 3))
    numbers = [number_set(d) for d in kept]
    possible = could_link(pairs, cheap, np.diff(fp.shingle_offsets), numbers, options.verify)
    linked = {(m.a, m.b) for m in decide_pairs(pairs, full, np.diff(fp.shingle_offsets), numbers, options.verify)}
    assert linked and all(possible[p] for p, (i, j) in enumerate(pairs.tolist()) if (i, j) in linked)
    assert possible.sum() < len(pairs)  # the point: most candidates skip the alignment


def _could_link_reference(pairs, features, sizes, numbers, options):
    """could_link as it was: the exact rule on every pair, no whole-array bound."""
    inter, cosine, _, _, terms_ab, terms_ba = features
    return np.array([is_derived(features_of(int(inter[p]), int(sizes[i]), int(sizes[j]), float(cosine[p]), 1.0, 1.0,
                                            float(terms_ab[p]), float(terms_ba[p]),
                                            number_agreement(numbers[i], numbers[j], options.min_numbers)), options)
                     for p, (i, j) in enumerate(pairs.tolist())], dtype=bool)


def test_could_link_bound_changes_nothing_on_thresholds():
    """may_link only skips pairs the rule refuses, also for features on or next to every
    threshold (float32 values, random options) and for chunked calls."""
    rng = np.random.default_rng(11)
    n_docs, n = 60, 20_000
    sizes = rng.integers(0, 40, n_docs)
    sizes[:3] = 0
    pairs = np.sort(rng.integers(0, n_docs, (n, 2)), axis=1).astype(np.int64)
    small = np.minimum(sizes[pairs[:, 0]], sizes[pairs[:, 1]])
    inter = np.minimum(rng.integers(0, 40, n), small).astype(np.int64)
    numbers = [frozenset(map(str, rng.choice(12, rng.integers(0, 8), replace=False))) for _ in range(n_docs)]
    for trial in range(6):
        values = rng.random(8)
        options = VerifyOptions(**dict(zip(("min_cosine", "min_containment", "near_copy", "min_aligned",
                                            "min_term_cosine", "min_terms", "min_number_agreement"),
                                           values[:7].round(2))), min_numbers=int(rng.integers(1, 5)))
        thresholds = np.array([options.min_cosine, options.min_term_cosine, options.min_terms,
                               options.min_containment, options.near_copy], dtype=np.float64)
        def near():  # thresholds in float32, one ulp either side, and random values
            pick = thresholds[rng.integers(0, len(thresholds), n)].astype(np.float32)
            pick = np.where(rng.random(n) < 0.3, np.nextafter(pick, np.float32(0)), pick)
            pick = np.where(rng.random(n) < 0.3, np.nextafter(pick, np.float32(1)), pick)
            return np.where(rng.random(n) < 0.5, pick, rng.random(n).astype(np.float32))
        cosine, terms_ab, terms_ba = near(), near(), near()
        features = (inter, cosine, None, None, terms_ab, terms_ba)
        expected = _could_link_reference(pairs, features, sizes, numbers, options)
        assert 0 < expected.sum() < n
        assert np.array_equal(could_link(pairs, features, sizes, numbers, options), expected)
        assert np.array_equal(could_link(pairs, features, sizes, numbers, options, chunk=777), expected)
        kept = may_link(pairs, inter, cosine, terms_ab, terms_ba, sizes, options)
        assert not (expected & ~kept).any()


def test_could_link_equals_reference_on_meter():
    if not METER.exists():
        pytest.skip("shared METER data not present")
    kept, stemmer, options, fp, pairs = _corpus([METER])
    cheap = pair_feature_arrays(pairs, fp, None, options.verify.sentence_match)
    numbers = [number_set(d) for d in kept]
    sizes = np.diff(fp.shingle_offsets)
    expected = _could_link_reference(pairs, cheap, sizes, numbers, options.verify)
    assert np.array_equal(could_link(pairs, cheap, sizes, numbers, options.verify), expected)
    inter, cosine, _, _, terms_ab, terms_ba = cheap
    bound = may_link(pairs, inter, cosine, terms_ab, terms_ba, sizes, options.verify)
    assert expected.sum() <= bound.sum() < len(pairs) / 2  # the point: most pairs skip the exact rule
