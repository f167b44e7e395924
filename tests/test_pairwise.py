"""The compiled pair-feature kernel computes the reference's numbers bit for bit."""
from pathlib import Path

import numpy as np
import pytest

from dedupe.stages.candidates import find_candidates
from dedupe.config import ScanOptions
from dedupe.text.fingerprint import Stemmer, fingerprint
from dedupe.text.normalize import normalize
from dedupe.stages.features import corpus_stats, number_set, quoted, unquoted_shares
from dedupe.stages.pairwise import SentenceRows, _pairwise_sum32, pair_feature_arrays, verify_batch
from dedupe.stages.read import read_documents
from dedupe.stages.verifier import Verifier
from reference.pair_features import SentenceVectors, pair_features, unquoted_share
from reference.pair_features import quoted as reference_quoted

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
    indices = fp.terms.indices.copy()
    rows = SentenceRows(kept, fp, stemmer)
    inter, cosine, aligned_a, aligned_b, terms_ab, terms_ba = pair_feature_arrays(
        pairs, fp, rows, options.verify.sentence_match)
    assert np.array_equal(fp.terms.indices, indices)  # the kernel leaves the fingerprints alone
    for p, (i, j) in enumerate(pairs.tolist()):
        expected = expected_features[p]
        assert int(inter[p]) == round(expected.jaccard * (len(fp.shingle_sets[i]) + len(fp.shingle_sets[j]))
                                      / (1 + expected.jaccard)) or expected.jaccard == 0
        assert float(cosine[p]) == expected.cosine, (i, j)
        assert float(aligned_a[p]) == expected.aligned_a and float(aligned_b[p]) == expected.aligned_b, (i, j)
        assert float(terms_ab[p]) == expected.terms_ab and float(terms_ba[p]) == expected.terms_ba, (i, j)
        size_i = len(fp.shingle_sets[i])
        assert (inter[p] / size_i if size_i else 0.0) == expected.contain_ab, (i, j)
    verifier = Verifier.default()
    assert verify_batch(pairs, fp, kept, stemmer, verifier, options.verify) == \
        verify_batch(pairs, fp, kept, stemmer, verifier, options.verify, jobs=2)


def test_quoted_is_the_references():
    texts = [d.text for d in read_documents([SAMPLE] + ([METER] if METER.exists() else []))]
    texts += ["'a' b '", '"x\n\ny"z', "‘It’s’ fine’", "a ``b'' c", '"', "'", "x'", '\n\n"a', "the Smiths' 'yes.' no"]
    for text in texts:
        assert np.array_equal(quoted(text), reference_quoted(text)), text


@pytest.mark.parametrize("which", ["sample", "meter"])
def test_unquoted_share_is_the_references(which):
    """The share of shared 3-grams outside quotation marks: flags per 3-gram hash, read only for
    the texts of the pairs asked about, equal the reference's word tuples per pair."""
    if which == "meter" and not METER.exists():
        pytest.skip("shared METER data not present")
    kept, _, _, fp, pairs = _corpus([SAMPLE] if which == "sample" else [METER])
    stats = corpus_stats(fp, [number_set(d) for d in kept], [d.doc.published for d in kept], [d.doc for d in kept])
    half = len(pairs) // 2  # two calls: the second reads only the texts the first did not
    shares = np.concatenate([unquoted_shares(pairs[:half], fp, stats), unquoted_shares(pairs[half:], fp, stats)])
    expected = [unquoted_share(kept[i], kept[j]) for i, j in pairs.tolist()]
    assert shares.tolist() == expected
    assert any(0 < e < 1 for e in expected)  # some pairs share quoted words


def test_no_pairs_no_matches():
    kept, stemmer, options, fp, _ = _corpus([SAMPLE])
    assert verify_batch(np.empty((0, 2), dtype=np.int64), fp, kept, stemmer, Verifier.default(), options.verify) == []


def test_figure_density_and_session_columns():
    """How much of each text is figures (distinct figures per distinct word 3-gram), and whether
    the two headings name other sessions, as `pair_columns` gives them."""
    from dedupe.model import Document
    from dedupe.stages.features import pair_columns

    texts = {"open": "LONDON GOLD OPENING - gold was fixed at 420.50 dlrs an ounce against 419.75 yesterday, "
                     "silver at 6.21 dlrs against 6.18, platinum 565.00 and palladium 128.50 dlrs.",
             "close": "LONDON GOLD CLOSING - gold was fixed at 421.25 dlrs an ounce against 420.50 at the "
                      "opening, silver at 6.23 dlrs against 6.21, platinum 566.50 and palladium 129.00 dlrs.",
             "story": "Gold rose in London today as dealers bought the metal ahead of a long weekend, and "
                      "silver followed it up, though trade was thin and most desks were shut by noon."}
    docs = [normalize(Document(key, text)) for key, text in texts.items()]
    stemmer = Stemmer()
    fp = fingerprint(docs, stemmer=stemmer)
    stats = corpus_stats(fp, [number_set(d) for d in docs], [None] * 3, docs)
    pairs = np.array([(0, 1), (0, 2), (1, 2)])
    columns = pair_columns(pairs, fp, stats, lambda only: SentenceRows(docs, fp, stemmer, only=only), 0.5)
    density = [len(number_set(d)) / len(fp.shingle_sets[k]) for k, d in enumerate(docs)]
    assert density[2] == 0 < density[0]
    assert columns["figure_density_max"].tolist() == [max(density[0], density[1]), density[0], density[1]]
    assert columns["figure_density_min"].tolist() == [min(density[0], density[1]), 0.0, 0.0]
    assert columns["session_conflict"].tolist() == [1.0, 0.0, 0.0]  # "noon" is not in the story's heading
