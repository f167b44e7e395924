"""TF-IDF of stemmed content words: scikit-learn's numbers without scikit-learn.

`WordListTfidf` is ``TfidfVectorizer(analyzer=identity, sublinear_tf=True, norm="l2",
dtype=float32)`` for documents given as word lists (or as rows of word numbers, `IdRows`),
computed with the same float operations in the same order, so its matrices equal
scikit-learn's bit for bit; cosines.py gives the cosines of one pair of texts' sentences the
same way without building matrices.  Importing scikit-learn costs about
0.8 s (it loads scipy.stats), more than a small scan, so a scan never imports it: the tests
hold this module to scikit-learn's ``TfidfVectorizer`` (tests/test_tfidf.py), and nothing is
decided at run time by asking it.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import chain, repeat
from operator import itemgetter

import numba
import numpy as np
import scipy.sparse as sp


@dataclass(frozen=True)
class IdRows:
    """Rows of words given as numbers: row r is ``[words[i] for i in ids[offsets[r]:offsets[r + 1]]]``.

    How a scan hands its stems to TF-IDF: the words are numbered once per distinct word
    while digesting, so fitting and transforming need no Python step per word."""

    ids: np.ndarray  # integer word ids, row after row
    offsets: np.ndarray  # int64, rows + 1 entries
    words: Sequence[str]  # the word of each id (distinct)

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def word_lists(self) -> list[list[str]]:
        """The rows as lists of words."""
        words = list(map(self.words.__getitem__, self.ids.tolist()))
        bounds = self.offsets.tolist()
        return [words[a:b] for a, b in zip(bounds[:-1], bounds[1:])]


def fit_transform_rows(vectorizer: WordListTfidf, rows: IdRows) -> sp.csr_matrix:
    """``vectorizer.fit_transform(rows.word_lists())``, without the word lists."""
    return vectorizer.fit_transform_ids(rows)


def transform_rows(vectorizer: WordListTfidf, rows: IdRows) -> sp.csr_matrix:
    """``vectorizer.transform(rows.word_lists())`` for a vectorizer fitted by `fit_transform_rows`
    on rows numbering their words the same way."""
    return vectorizer.transform_ids(rows)


class TfidfParams:
    """The parameters and fitted attributes of scikit-learn's ``TfidfVectorizer`` that
    `WordListTfidf` and its callers use: ``idf_`` (read and set) and
    ``get_feature_names_out``.  Fitting and transforming are the subclass's."""

    def __init__(self, *, analyzer: Callable, sublinear_tf: bool = False, norm: str = "l2",
                 dtype: type = np.float64, use_idf: bool = True, smooth_idf: bool = True) -> None:
        self.analyzer = analyzer
        self.sublinear_tf = sublinear_tf
        self.norm = norm
        self.dtype = dtype
        self.use_idf = use_idf
        self.smooth_idf = smooth_idf

    @property
    def idf_(self) -> np.ndarray:
        if not hasattr(self, "_tfidf"):
            raise AttributeError(f"{type(self).__name__} is not fitted yet: call fit first")
        return self._tfidf.idf_

    @idf_.setter
    def idf_(self, value: np.ndarray) -> None:
        if not hasattr(self, "_tfidf"):
            self._tfidf = IdfWeights(norm=self.norm, use_idf=self.use_idf, smooth_idf=self.smooth_idf,
                                     sublinear_tf=self.sublinear_tf)
        if hasattr(self, "vocabulary_") and len(self.vocabulary_) != len(value):
            raise ValueError(f"idf length = {len(value)} must be equal to vocabulary size = "
                             f"{len(self.vocabulary_)}")
        self._tfidf.idf_ = value

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        """The terms in column order (scikit-learn's method)."""
        if not hasattr(self, "vocabulary_"):
            raise AttributeError(f"{type(self).__name__} is not fitted yet: call fit first")
        return np.asarray([t for t, _ in sorted(self.vocabulary_.items(), key=itemgetter(1))], dtype=object)


class IdfWeights:
    """A fitted scikit-learn ``TfidfTransformer`` as `WordListTfidf` uses it: its ``idf_``
    (and ``n_features_in_``), set from outside.  Takes the transformer's parameters."""

    def __init__(self, *, norm: str = "l2", use_idf: bool = True, smooth_idf: bool = True,
                 sublinear_tf: bool = False) -> None:
        self.norm = norm
        self.use_idf = use_idf
        self.smooth_idf = smooth_idf
        self.sublinear_tf = sublinear_tf


def inplace_csr_row_normalize_l2(matrix) -> None:
    """Scale each row of a CSR matrix to unit L2 norm, in place: the squares in the data's
    precision, summed left to right in float64, and each value divided by the root in float64
    and rounded back.  Rows of zeros stay as they are."""
    _normalize_rows_l2(matrix.data, matrix.indptr)


@numba.njit(cache=True, nogil=True)
def _normalize_rows_l2(data, indptr):
    for i in range(len(indptr) - 1):
        total = 0.0
        for j in range(indptr[i], indptr[i + 1]):
            total += data[j] * data[j]  # the product in the data's precision, the sum in float64
        if total == 0.0:
            continue
        root = np.sqrt(total)
        for j in range(indptr[i], indptr[i + 1]):
            data[j] /= root


def term_vectorizer() -> WordListTfidf:
    """TF-IDF over pre-stemmed content words (documents are passed as word lists): scikit-learn's
    ``TfidfVectorizer(sublinear_tf=True, norm="l2", dtype=float32)`` numbers, computed by
    `WordListTfidf` without scikit-learn's per-call overhead or its import (tests hold the two
    equal bit for bit)."""
    return WordListTfidf(analyzer=_identity, sublinear_tf=True, norm="l2", dtype=np.float32)


def _identity(words):
    return words


class WordListTfidf(TfidfParams):
    """`TfidfVectorizer(analyzer=identity, sublinear_tf=True, norm="l2", dtype=float32)`
    for documents given as word lists, with the same numpy operations in the same
    order as scikit-learn (so bit-identical matrices), minus input validation.

    Not a subclass of scikit-learn's class: importing scikit-learn costs more than a small
    scan, so the interface its callers use comes from `TfidfParams`.
    """

    def fit(self, raw_documents, y=None):
        self._fit_counts(raw_documents)
        return self

    def fit_transform(self, raw_documents, y=None):
        return self._tfidf_rows(self._fit_counts(raw_documents))

    def transform(self, raw_documents):
        vocabulary = self.vocabulary_
        docs = _as_list(raw_documents)
        # words outside the vocabulary get -1, which the count leaves out
        ids = map(vocabulary.get, chain.from_iterable(docs), repeat(-1))
        return self._tfidf_rows(self._counts(*_column_counts(docs, ids), len(vocabulary)))

    def fit_transform_ids(self, rows: IdRows) -> sp.csr_matrix:
        """`fit_transform` of the word lists that `rows` stand for, bit for bit, with no
        Python step per word: the words are numbered already."""
        return self._tfidf_rows(self._fit_id_counts(rows))

    def transform_ids(self, rows: IdRows) -> sp.csr_matrix:
        """`transform` of the word lists that `rows` stand for; their ids must number words as
        in the rows given to `fit_transform_ids` (a word the fit did not see counts nothing)."""
        if len(rows.ids) and int(rows.ids.max()) >= len(self._column_of_id):
            raise ValueError("word ids beyond those of the fitted rows")
        columns = _count_columns(self._column_of_id[rows.ids], rows.offsets)
        return self._tfidf_rows(self._counts(*columns, len(self.vocabulary_)))

    def _fit_counts(self, raw_documents) -> sp.csr_matrix:
        # CountVectorizer._count_vocab: ids in order of first sight, rows sorted by those ids,
        # then _sort_features renumbers to alphabetical order without re-sorting rows.
        docs = _as_list(raw_documents)
        seen = _FirstSight()
        columns = _column_counts(docs, map(seen.__getitem__, chain.from_iterable(docs)))
        if not seen:
            raise ValueError("empty vocabulary; perhaps the documents only contain stop words")
        return self._sorted_features(self._counts(*columns, len(seen)), list(seen))

    def _fit_id_counts(self, rows: IdRows) -> sp.csr_matrix:
        # `_fit_counts` with the first-sight numbering found by a compiled scan of the ids
        first_sight, seen = _first_sight_columns(rows.ids, len(rows.words))
        if not len(seen):
            raise ValueError("empty vocabulary; perhaps the documents only contain stop words")
        counts = self._counts(*_count_columns(first_sight[rows.ids], rows.offsets), len(seen))
        counts = self._sorted_features(counts, list(map(rows.words.__getitem__, seen.tolist())))
        self._column_of_id = np.full(len(rows.words), -1, dtype=np.int64)
        self._column_of_id[seen] = self._renumber
        return counts

    def _sorted_features(self, counts: sp.csr_matrix, words: list[str]) -> sp.csr_matrix:
        """`counts` (columns numbered in order of first sight, `words` in that order) with the
        columns renumbered to alphabetical order; sets the vocabulary and idf."""
        order = sorted(range(len(words)), key=words.__getitem__)  # the words are distinct
        renumber = np.empty(len(order), dtype=counts.indices.dtype)
        renumber[order] = np.arange(len(order), dtype=renumber.dtype)
        # a fresh matrix: the old one's "sorted indices" flag no longer holds after renumbering
        counts = sp.csr_matrix((counts.data, renumber.take(counts.indices, mode="clip"), counts.indptr),
                               shape=counts.shape)
        self._renumber = renumber
        self.vocabulary_ = dict(zip(map(words.__getitem__, order), range(len(order))))
        self.fixed_vocabulary_ = False
        idf = _smooth_idf(counts.indices, counts.shape[1], counts.shape[0])
        self._tfidf = IdfWeights(norm="l2", use_idf=True, smooth_idf=True, sublinear_tf=True)
        self._tfidf.idf_ = idf
        self._tfidf.n_features_in_ = len(order)
        return counts

    def _counts(self, indices, values, indptr, width) -> sp.csr_matrix:
        index_dtype = np.int64 if indptr[-1] > np.iinfo(np.int32).max else np.int32
        counts = sp.csr_matrix((values.astype(np.intc), indices.astype(index_dtype), indptr.astype(index_dtype)),
                               shape=(len(indptr) - 1, width), dtype=np.float32)
        counts.sort_indices()
        return counts

    def _tfidf_rows(self, counts: sp.csr_matrix) -> sp.csr_matrix:
        # TfidfTransformer.transform with sublinear_tf and l2 norm
        _weigh_counts(counts.data, self._tfidf.idf_[counts.indices])
        inplace_csr_row_normalize_l2(counts)
        return counts


def _as_list(documents) -> list:
    return documents if isinstance(documents, list) else list(documents)


def _column_counts(docs: list, ids) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(columns, counts, row pointers) of the count matrix of `docs`, given the column of
    each of their words in order (`ids`, an iterator; negative: not counted), each row's
    entries by ascending column.

    The one counting loop of `WordListTfidf.fit` and `transform` (sklearn's is a dict per
    document): the columns go to an array in a C loop and a compiled kernel counts them."""
    offsets = np.zeros(len(docs) + 1, dtype=np.int64)
    np.cumsum(np.fromiter(map(len, docs), dtype=np.int64, count=len(docs)), out=offsets[1:])
    return _count_columns(np.fromiter(ids, dtype=np.int64, count=int(offsets[-1])), offsets)


@numba.njit(cache=True, nogil=True)
def _first_sight_columns(ids, width):
    """For word ids in [0, width): each id's number in order of first sight in `ids` (-1 if
    absent) and the ids in that order."""
    column = np.full(width, -1, dtype=np.int64)
    seen = np.empty(width, dtype=np.int64)
    k = 0
    for v in ids:
        if column[v] < 0:
            column[v] = k
            seen[k] = v
            k += 1
    return column, seen[:k]


class _FirstSight(dict):
    """word -> number in order of first sight: an unknown word gets the next number."""

    def __missing__(self, word: str) -> int:
        self[word] = number = len(self)
        return number


@numba.njit(cache=True, nogil=True)
def _count_columns(ids, offsets):
    """(columns, counts, row pointers) of the rows ids[offsets[r]:offsets[r + 1]]: each row's
    distinct non-negative ids, ascending, and how often each occurs."""
    columns = np.empty(len(ids), dtype=np.int64)
    counts = np.empty(len(ids), dtype=np.int32)
    indptr = np.empty(len(offsets), dtype=np.int64)
    indptr[0] = 0
    k = 0
    for r in range(len(offsets) - 1):
        row = np.sort(ids[offsets[r]:offsets[r + 1]])
        for v in row:
            if v < 0:
                continue
            if k > indptr[r] and columns[k - 1] == v:
                counts[k - 1] += 1
            else:
                columns[k] = v
                counts[k] = 1
                k += 1
        indptr[r + 1] = k
    return columns[:k], counts[:k], indptr


def _smooth_idf(terms: np.ndarray, width: int, rows: int) -> np.ndarray:
    """TfidfTransformer.fit's smooth idf, in float32, from the term of every (row, term) entry."""
    return _idf_of_df(np.bincount(terms, minlength=width).astype(np.float32, copy=False), rows)


def _idf_of_df(df: np.ndarray, rows: int) -> np.ndarray:
    """``log((rows + 1) / (df + 1)) + 1`` in float32, step by step as scikit-learn does (`df` is
    changed in place)."""
    df += 1.0
    idf = np.full_like(df, fill_value=rows + 1, dtype=np.float32)
    idf /= df
    np.log(idf, out=idf)
    idf += 1.0
    return idf


def _weigh_counts(data: np.ndarray, idf_of_entries: np.ndarray) -> None:
    """TfidfTransformer.transform's sublinear tf times idf, in place on float32 counts."""
    np.log(data, out=data)
    data += 1.0
    data *= idf_of_entries


