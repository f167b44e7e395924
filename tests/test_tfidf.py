"""The scan's TF-IDF without importing scikit-learn: the same stop words, the same row
normalisation, and a remembered answer to "does WordListTfidf still equal scikit-learn?"."""
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

from dedupe import fingerprint, tfidf
from dedupe.fingerprint import Stemmer, WordListTfidf, _identity, term_vectorizer
from conftest import generated_texts
from dedupe.model import Document
from dedupe.normalize import normalize
from dedupe.read import read_documents

ROOT = Path(__file__).resolve().parents[1]


def test_stop_words_are_scikit_learns():
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    from dedupe.stopwords import ENGLISH_STOP_WORDS as copied

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
    fingerprint._weigh_counts(weighted.data, np.ones(len(weighted.data), dtype=np.float32) * 3.7)
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
    """What watch.py and verify.py use of the vectorizer: idf_ (read, set), feature names."""
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


@pytest.fixture
def answer_folder(tmp_path, monkeypatch):
    monkeypatch.setattr(tfidf, "_answer_folders", lambda: [tmp_path / "unwritable" / "x", tmp_path / "cache"])
    (tmp_path / "unwritable").write_text("a file, not a folder")
    fingerprint._word_list_tfidf_agrees.cache_clear()
    yield tmp_path / "cache"
    fingerprint._word_list_tfidf_agrees.cache_clear()


def test_answer_is_asked_once_and_again_after_a_change(answer_folder, monkeypatch):
    asked = []
    compare = fingerprint._compare_with_sklearn

    def ask():
        asked.append(1)
        return compare()

    monkeypatch.setattr(fingerprint, "_compare_with_sklearn", ask)
    assert fingerprint._word_list_tfidf_agrees() and len(asked) == 1
    stored = json.loads((answer_folder / "word-list-tfidf-agrees.json").read_text())
    assert stored["answer"] is True and stored["key"]["numpy"][0] == np.__version__
    assert any(path.endswith("feature_extraction/text.py") for path in stored["key"]["sklearn"])
    fingerprint._word_list_tfidf_agrees.cache_clear()
    assert fingerprint._word_list_tfidf_agrees() and len(asked) == 1  # remembered
    # another scikit-learn (or numpy, scipy, numba, Python, or our code): asked again
    key = tfidf._environment_key
    monkeypatch.setattr(tfidf, "_environment_key", lambda sources: {**key(sources), "sklearn": {"x": [1, 2]}})
    fingerprint._word_list_tfidf_agrees.cache_clear()
    assert fingerprint._word_list_tfidf_agrees() and len(asked) == 2
    assert tfidf._environment_key([__file__]) != tfidf._environment_key([fingerprint.__file__])


def test_a_remembered_disagreement_means_scikit_learns_class(answer_folder, sample_words):
    from sklearn.feature_extraction.text import TfidfVectorizer

    key = tfidf._environment_key([fingerprint.__file__, tfidf.__file__])
    answer_folder.mkdir()
    (answer_folder / "word-list-tfidf-agrees.json").write_text(json.dumps({"key": key, "answer": False}))
    vectorizer = term_vectorizer()
    assert type(vectorizer) is TfidfVectorizer
    rows = [["storm", "coast"], ["coast"]], [["storm"], ["ferri", "coast"]]
    assert np.array_equal(fingerprint.pair_cosines(*rows),
                          (lambda v: (v.transform(rows[0]) @ v.transform(rows[1]).T).toarray())(
                              term_vectorizer().fit(rows[0] + rows[1])))


def _modules_after(code: str) -> set[str]:
    out = subprocess.run([sys.executable, "-c", code + "\nimport sys; print(' '.join(sys.modules))"],
                         cwd=ROOT, capture_output=True, text=True, check=True,
                         env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}).stdout.split()
    return set(out)


def test_commands_and_scans_do_not_load_what_they_do_not_need():
    """--help loads no numeric library; a scan (once the answer is remembered) loads neither
    scikit-learn nor datasketch, nor scipy.stats through them."""
    help_modules = _modules_after("from click.testing import CliRunner; from dedupe.cli import main\n"
                                  "assert CliRunner().invoke(main, ['--help']).exit_code == 0")
    assert not {"numpy", "scipy", "numba", "sklearn", "datasketch", "dedupe.pipeline"} & help_modules
    scan = f"import dedupe; dedupe.scan([{str(ROOT / 'data' / 'sample')!r}]).to_json()"
    _modules_after(scan)  # remembers the answer, if not yet
    scan_modules = _modules_after(scan)
    assert "dedupe.fingerprint" in scan_modules
    assert not {"sklearn", "datasketch", "scipy.stats", "scipy.integrate"} & scan_modules


def _id_rows(rows, words):
    """`IdRows` of word lists, numbering the words by their place in `words`."""
    number = {w: i for i, w in enumerate(words)}
    ids = np.array([number[w] for row in rows for w in row], dtype=np.int32)
    offsets = np.cumsum([0] + [len(row) for row in rows]).astype(np.int64)
    return fingerprint.IdRows(ids, offsets, words)


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
        by_ids.transform_ids(fingerprint.IdRows(np.array([len(words)]), np.array([0, 1]), words))


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
