"""The scan's TF-IDF (tfidf.py) held to scikit-learn's ``TfidfVectorizer`` bit for bit: the same
stop words, counts, idf, row normalisation, matrices and pair cosines; and a scan never imports
scikit-learn."""
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

from dedupe.text import fingerprint
from dedupe.text import tfidf
from dedupe.text.fingerprint import Stemmer
from dedupe.text.cosines import pair_cosines
from dedupe.text.tfidf import WordListTfidf, _identity
from conftest import generated_texts
from dedupe.model import Document
from dedupe.text.normalize import normalize
from dedupe.stages.read import read_documents

ROOT = Path(__file__).resolve().parents[1]


def test_stop_words_are_scikit_learns():
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    from dedupe.text.stopwords import ENGLISH_STOP_WORDS as copied

    assert copied == ENGLISH_STOP_WORDS


@pytest.fixture(scope="module")
def sample_words():
    docs = [normalize(d) for d in read_documents([ROOT / "data" / "sample"])]
    stem = Stemmer()
    return [stem(d.tokens) for d in docs] + [[]]  # and an empty row


def test_row_normalisation_is_scikit_learns(sample_words):
    """The compiled kernel against sklearn's Cython one, bit for bit, on real TF-IDF rows
    (float32, both index widths) and on float64 rows with repeats and zeros."""
    from sklearn.utils.sparsefuncs_fast import inplace_csr_row_normalize_l2 as reference

    counts = WordListTfidf(analyzer=_identity)._fit_counts(sample_words)
    weighted = counts.copy()
    tfidf._weigh_counts(weighted.data, np.ones(len(weighted.data), dtype=np.float32) * 3.7)
    rng = np.random.default_rng(5)
    dense = rng.integers(0, 3, size=(40, 30)).astype(np.float64) * rng.random((40, 30)) ** 3
    dense[7] = 0.0
    for matrix in (counts, weighted, sp.csr_matrix(dense)):
        assert matrix.nnz and np.diff(matrix.indptr).min() == 0  # an empty row
        for index_type in (np.int32, np.int64):
            ours, theirs = matrix.copy(), matrix.copy()
            for m in (ours, theirs):
                m.indices, m.indptr = m.indices.astype(index_type), m.indptr.astype(index_type)
            tfidf.inplace_csr_row_normalize_l2(ours)
            reference(theirs)
            assert ours.data.dtype == theirs.data.dtype == matrix.data.dtype
            assert np.array_equal(ours.data, theirs.data)
            assert not np.array_equal(ours.data, matrix.data)


def test_word_list_tfidf_interface_without_scikit_learn(sample_words):
    """What the incremental engine and the verifier use of the vectorizer: idf_ (read, set), feature names."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    kwargs = dict(analyzer=_identity, sublinear_tf=True, norm="l2", dtype=np.float32)
    ours, theirs = WordListTfidf(**kwargs).fit(sample_words), TfidfVectorizer(**kwargs).fit(sample_words)
    assert np.array_equal(ours.get_feature_names_out(), theirs.get_feature_names_out())
    assert np.array_equal(ours.idf_, theirs.idf_)
    idf = np.linspace(1, 2, len(ours.vocabulary_)).astype(np.float32)
    ours.idf_, theirs.idf_ = idf, idf
    a, b = ours.transform(sample_words[:9]), theirs.transform(sample_words[:9])
    assert np.array_equal(a.toarray(), b.toarray())
    with pytest.raises(ValueError):
        ours.idf_ = idf[:-1]
    with pytest.raises(AttributeError):
        WordListTfidf(**kwargs).idf_


def _modules_after(code: str) -> set[str]:
    out = subprocess.run([sys.executable, "-c", code + "\nimport sys; print(' '.join(sys.modules))"],
                         cwd=ROOT, capture_output=True, text=True, check=True,
                         env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}).stdout.split()
    return set(out)


def test_commands_and_scans_do_not_load_what_they_do_not_need():
    """--help loads no numeric library; a scan loads neither scikit-learn nor datasketch, nor
    scipy.stats through them."""
    help_modules = _modules_after("from click.testing import CliRunner; from dedupe.cli import main\n"
                                  "assert CliRunner().invoke(main, ['--help']).exit_code == 0")
    assert not {"numpy", "scipy", "numba", "sklearn", "datasketch", "dedupe.pipeline"} & help_modules
    scan = f"import dedupe; dedupe.scan([{str(ROOT / 'data' / 'sample')!r}]).to_json()"
    scan_modules = _modules_after(scan)
    assert "dedupe.text.fingerprint" in scan_modules
    assert not {"sklearn", "datasketch", "scipy.stats", "scipy.integrate"} & scan_modules


def _id_rows(rows, words):
    """`IdRows` of word lists, numbering the words by their place in `words`."""
    number = {w: i for i, w in enumerate(words)}
    ids = np.array([number[w] for row in rows for w in row], dtype=np.int32)
    offsets = np.cumsum([0] + [len(row) for row in rows]).astype(np.int64)
    return tfidf.IdRows(ids, offsets, words)


def test_id_rows_give_the_word_lists_matrices_bit_for_bit(sample_words):
    """Fitting and transforming rows of word ids equals doing it on the word lists, on the
    stems of the sample and of generated articles, whatever order the ids number the words in
    (here reverse alphabetical, with words no row uses), and sentence rows holding words the
    fit never saw."""
    stem = Stemmer()
    generated = [normalize(Document(str(i), text)) for i, text in enumerate(generated_texts(150))]
    rows = sample_words + [stem(d.tokens) for d in generated]
    fitted, unseen = rows[:-20], rows[-20:]  # the last stories name people the others do not
    words = sorted({w for row in rows for w in row} | {"zzz-unused"}, reverse=True)
    kwargs = dict(analyzer=_identity, sublinear_tf=True, norm="l2", dtype=np.float32)
    by_words, by_ids = WordListTfidf(**kwargs), WordListTfidf(**kwargs)
    a, b = by_words.fit_transform(fitted), by_ids.fit_transform_ids(_id_rows(fitted, words))
    assert _id_rows(fitted, words).word_lists() == fitted

    def same(x, y):
        return (x.shape == y.shape and x.indices.dtype == y.indices.dtype and np.array_equal(x.indptr, y.indptr)
                and np.array_equal(x.indices, y.indices) and x.data.dtype == y.data.dtype
                and np.array_equal(x.data, y.data))

    assert a.nnz > 10_000 and same(a, b)
    assert by_words.vocabulary_ == by_ids.vocabulary_ and np.array_equal(by_words.idf_, by_ids.idf_)
    sentences = [row[i:i + 7] for row in unseen + fitted[:30] for i in range(0, len(row), 7)]
    assert {w for row in sentences for w in row} - set(by_words.vocabulary_)  # some words the fit lacks
    assert same(by_words.transform(sentences), by_ids.transform_ids(_id_rows(sentences, words)))
    with pytest.raises(ValueError):
        by_ids.transform_ids(tfidf.IdRows(np.array([len(words)]), np.array([0, 1]), words))


def test_assemble_fingerprints_takes_id_rows(sample_words):
    """The scan's entry point gives the same terms for rows of ids as for word lists, also
    when every row is empty (no vocabulary)."""
    values, offsets = np.zeros(0, np.uint32), np.zeros(len(sample_words) + 1, np.int64)
    signatures = np.zeros((len(sample_words), 4), np.uint32)
    words = sorted({w for row in sample_words for w in row})
    a = fingerprint.assemble_fingerprints(values, offsets, signatures, sample_words)
    b = fingerprint.assemble_fingerprints(values, offsets, signatures, _id_rows(sample_words, words))
    assert (a.terms != b.terms).nnz == 0 and a.terms.shape == b.terms.shape and a.terms.nnz
    empty = fingerprint.assemble_fingerprints(values, offsets, signatures, _id_rows([[]] * len(sample_words), []))
    assert empty.terms.shape == (len(sample_words), 0)


def _same_matrix(a, b):
    return (type(a) is type(b) and a.shape == b.shape and a.has_sorted_indices == b.has_sorted_indices and np.array_equal(a.indptr, b.indptr)
            and np.array_equal(a.indices, b.indices) and a.dtype == b.dtype and np.array_equal(a.data, b.data))


def test_word_list_tfidf_equals_sklearn_on_real_text():
    from pathlib import Path

    from sklearn.feature_extraction.text import TfidfVectorizer

    from dedupe.stages.read import read_documents

    sample = Path(__file__).resolve().parents[1] / "data" / "sample"
    meter = Path(__file__).resolve().parents[2] / "shared" / "data" / "meter_showbiz" / "docs.jsonl"
    docs = [normalize(d) for d in read_documents([sample] + ([meter] if meter.exists() else []))]
    stem = Stemmer()
    words = [stem(d.tokens) for d in docs]
    sentences = [stem(d.tokens[s.tok_start:s.tok_end]) for d in docs[:60] for s in d.sentences]
    kwargs = dict(analyzer=_identity, sublinear_tf=True, norm="l2", dtype=np.float32)
    fast, slow = WordListTfidf(**kwargs), TfidfVectorizer(**kwargs)
    assert _same_matrix(fast.fit_transform(words), slow.fit_transform(words))
    assert fast.vocabulary_ == slow.vocabulary_
    assert _same_matrix(fast.transform(sentences), slow.transform(sentences))
    # the diff's use: fit on one pair's sentences, transform each side
    pair = sentences[:12]
    fast2, slow2 = WordListTfidf(**kwargs).fit(pair), TfidfVectorizer(**kwargs).fit(pair)
    assert _same_matrix(fast2.transform(pair[:5]), slow2.transform(pair[:5]))
    assert np.array_equal(fast2.idf_, slow2.idf_)


def _sklearn_cosines(rows_a, rows_b):
    from sklearn.feature_extraction.text import TfidfVectorizer


    vec = TfidfVectorizer(analyzer=_identity, sublinear_tf=True, norm="l2", dtype=np.float32).fit(rows_a + rows_b)
    return (vec.transform(rows_a) @ vec.transform(rows_b).T).toarray()


def test_pair_cosines_equal_sklearn_bit_for_bit():
    """The diff's sentence cosines without sparse matrices: the same float32 bits, since
    thresholds and best matches are decided on them."""
    from pathlib import Path

    from dedupe.stages.read import read_documents

    sample = Path(__file__).resolve().parents[1] / "data" / "sample"
    meter = Path(__file__).resolve().parents[2] / "shared" / "data" / "meter_showbiz" / "docs.jsonl"
    docs = [normalize(d) for d in read_documents([sample] + ([meter] if meter.exists() else []))]
    stem = Stemmer()
    sentences = [[stem(d.tokens[s.tok_start:s.tok_end]) for s in d.sentences] for d in docs]
    rng = np.random.default_rng(7)
    pairs = list(zip(sentences, sentences[1:]))[:80]
    words = sorted({w for doc in sentences for row in doc for w in row})
    pairs += [([list(rng.choice(words[:40], size=rng.integers(0, 30))) for _ in range(rng.integers(1, 9))],
               [list(rng.choice(words[:40], size=rng.integers(0, 30))) for _ in range(rng.integers(1, 9))])
              for _ in range(60)]  # heavy repeats (sublinear tf), empty rows, many shared terms
    pairs = [(a, b) for a, b in pairs if any(a + b)]
    for a, b in pairs:
        got, want = pair_cosines(a, b), _sklearn_cosines(a, b)
        assert got.dtype == want.dtype == np.float32 and got.shape == want.shape
        assert np.array_equal(got, want)
    # a word repeated 300 times (a long table of tf weights), and a long row of many words
    long_a, long_b = [["storm"] * 300 + words[:50], ["coast"]], [["storm"] * 7 + words[25:400], []]
    assert np.array_equal(pair_cosines(long_a, long_b), _sklearn_cosines(long_a, long_b))


def test_count_columns_kernel_equals_counting_each_row():
    from collections import Counter


    rng = np.random.default_rng(5)
    lengths = rng.integers(0, 40, size=300)
    lengths[:3] = 0  # empty rows, first and in the middle
    lengths[150] = 0
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    ids = rng.integers(-1, 25, size=int(offsets[-1])).astype(np.int64)  # -1: a word outside the vocabulary
    columns, counts, indptr = tfidf._count_columns(ids, offsets)
    assert indptr.tolist()[0] == 0 and len(indptr) == len(offsets)
    for r in range(len(lengths)):
        expected = sorted(Counter(v for v in ids[offsets[r]:offsets[r + 1]].tolist() if v >= 0).items())
        row = slice(indptr[r], indptr[r + 1])
        assert list(zip(columns[row].tolist(), counts[row].tolist())) == expected


def test_word_list_tfidf_equals_sklearn_on_edge_rows():
    """Empty rows, repeats, digits, non-ASCII words (sorted by code point) and, when
    transforming, words the fit never saw: the cases a runtime check used to probe."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    rows = [["storm", "hit", "coast", "storm", "ferri"], [], ["ferri", "halt", "1987", "zeta"],
            ["coast", "coast", "coast", "guard", "wind"], ["wind"], ["ämter", "émigré", "storm"]]
    probe = [["wind", "storm", "unknown"], ["coast"] * 3 + ["1987"], []]
    kwargs = dict(analyzer=_identity, sublinear_tf=True, norm="l2", dtype=np.float32)
    fast, slow = WordListTfidf(**kwargs), TfidfVectorizer(**kwargs)
    assert _same_matrix(fast.fit_transform(rows), slow.fit_transform(rows))
    assert _same_matrix(fast.transform(probe), slow.transform(probe))
    assert fast.vocabulary_ == slow.vocabulary_ and np.array_equal(fast.idf_, slow.idf_)
    assert list(fast.get_feature_names_out())[-2:] == ["ämter", "émigré"]


def test_a_scan_keeps_no_state_of_its_own_on_disk(tmp_path):
    """What a scan leaves on disk is numba's cache of compiled kernels and Python's bytecode:
    nothing of the package's own in its folder, the home folder or the user's cache."""
    package = ROOT / "dedupe"
    before = {p for p in package.rglob("*") if p.is_file()}
    home, cache = tmp_path / "home", tmp_path / "cache"
    home.mkdir(), cache.mkdir()
    code = f"import dedupe; dedupe.scan([{str(ROOT / 'data' / 'sample')!r}]).to_json()"
    subprocess.run([sys.executable, "-c", code], cwd=tmp_path, check=True, capture_output=True,
                   env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "HOME": str(home),
                        "XDG_CACHE_HOME": str(cache)})
    new = {p for p in package.rglob("*") if p.is_file()} - before
    assert {p.suffix for p in new} <= {".nbi", ".nbc", ".pyc"}, sorted(map(str, new))
    assert not list(home.rglob("*")) and not list(cache.rglob("*"))
