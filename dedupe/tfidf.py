"""What `fingerprint.WordListTfidf` takes from scikit-learn, without importing scikit-learn.

Importing scikit-learn costs about 0.8 s (it loads scipy.stats): more than a small scan.
`WordListTfidf` computes scikit-learn's TF-IDF numbers itself, so all it needs from the
library is the estimator's interface (`TfidfParams`), a holder for the fitted idf
(`IdfWeights`) and the row normalisation (`inplace_csr_row_normalize_l2`, a compiled
kernel here with the same float operations in the same order).

Whether that still gives the installed scikit-learn's matrices bit for bit is asked of
scikit-learn itself (`fingerprint._word_list_tfidf_agrees`), and the answer is kept
(`remembered`) under a key naming everything it depends on: the versions and files of
scikit-learn, scipy, numpy, numba and Python, and the source of the code that computes the
numbers.  So the question is asked again after any upgrade or edit, and scikit-learn is
imported only then.
"""
from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import sys
import tempfile
from collections.abc import Callable, Sequence
from operator import itemgetter
from pathlib import Path

import numba
import numpy as np
import scipy


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
    """Scale each row of a CSR matrix to unit L2 norm, in place, exactly as scikit-learn's
    ``sklearn.utils.sparsefuncs_fast.inplace_csr_row_normalize_l2``: the squares in the data's
    precision, summed left to right in float64, and each value divided by the root in float64
    and rounded back.  Rows of zeros stay as they are."""
    _normalize_rows_l2(matrix.data, matrix.indptr)


@numba.njit(cache=True, nogil=True)
def _normalize_rows_l2(data, indptr):
    for i in range(len(indptr) - 1):
        total = 0.0
        for j in range(indptr[i], indptr[i + 1]):
            total += data[j] * data[j]  # float32 product, float64 sum (as the Cython loop)
        if total == 0.0:
            continue
        root = np.sqrt(total)
        for j in range(indptr[i], indptr[i + 1]):
            data[j] /= root


def remembered(name: str, ask: Callable[[], bool], sources: Sequence[str]) -> bool:
    """``ask()``, kept on disk under a key of the installed libraries and `sources` (the files
    of the code the answer is about); asked again whenever any of them changes.

    Kept in ``__pycache__`` next to this file, else in the user's cache directory, as numba
    keeps its compiled kernels; where neither can be written, ``ask()`` is called every time."""
    try:
        key = _environment_key(sources)
    except OSError:  # a source that cannot be read: nothing to key the answer on
        return bool(ask())
    for folder in _answer_folders():
        try:
            stored = json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(stored, dict) and stored.get("key") == key and isinstance(stored.get("answer"), bool):
            return stored["answer"]
    answer = bool(ask())
    text = json.dumps({"key": key, "answer": answer}, indent=1, sort_keys=True)
    for folder in _answer_folders():
        try:
            folder.mkdir(parents=True, exist_ok=True)
            fd, temp = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".tmp")
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    fh.write(text)
                os.replace(temp, folder / f"{name}.json")  # atomic: a concurrent run reads old or new
            except BaseException:
                os.unlink(temp)
                raise
            break
        except OSError:
            continue
    return answer


def _answer_folders() -> list[Path]:
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return [Path(__file__).resolve().parent / "__pycache__", Path(cache) / "newsdedupe"]


def _environment_key(sources: Sequence[str]) -> dict[str, object]:
    """What a bit-for-bit comparison with scikit-learn depends on, found without importing it."""
    spec = importlib.util.find_spec("sklearn")
    sklearn_files: dict[str, object] = {}
    if spec is not None and spec.origin:
        root = Path(spec.origin).parent
        # the package's version line, the vectorizer, the normaliser (Python and compiled)
        for path in sorted([root / "__init__.py", root / "feature_extraction" / "text.py",
                            root / "preprocessing" / "_data.py", *root.glob("utils/sparsefuncs_fast*")]):
            try:
                stat = path.stat()
            except OSError:
                continue
            sklearn_files[str(path)] = [stat.st_size, stat.st_mtime_ns]
    code = hashlib.sha256()
    for source in sources:
        code.update(Path(source).read_bytes())
    return {"python": sys.version, "numpy": [np.__version__, np.__file__], "scipy": [scipy.__version__, scipy.__file__],
            "numba": numba.__version__, "sklearn": sklearn_files, "code": code.hexdigest()}
