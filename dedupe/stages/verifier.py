"""The learned verifier: which candidate pairs are one story, derived one from the other.

A model is plain numbers in JSON (never pickle): the feature names it was trained on, a
gradient-boosted ensemble of small regression trees (or a logistic regression), the
decision threshold and the gate.  It is evaluated here (numpy, numba); scikit-learn is needed
only to train one (`train.fit_verifier`, ``dedupe train``).

The gate spares the costly sentence alignment for pairs that share almost nothing: a pair
whose shingle containment and TF-IDF cosine are both below it is not linked, whatever the
model would say.  Training applies the same gate to its cross-validated figures, so they
count what the gate loses.

>>> verifier = Verifier.default()
>>> verifier.features[:3]
('contain_max', 'contain_min', 'jaccard')
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any

import numba
import numpy as np

from ..errors import OptionsError

FORMAT = "dedupe-verifier/1"
RESENT_DAYS = 1.0
"""The same text published again within this many days (or undated) is a duplicate whatever the
model says; the same text on another day may be the routine notice of another session (a
central bank's "rates unchanged" two weeks apart), which the model tells by its date."""


def resent(matrix: np.ndarray, columns: dict[str, int]) -> np.ndarray:
    """Rows whose two texts have identical word 3-gram sets and are undated or within
    `RESENT_DAYS` of each other."""
    same = matrix[:, columns["jaccard"]] >= 1.0
    close = (matrix[:, columns["days_unknown"]] > 0) | (matrix[:, columns["log_days"]] <= np.log1p(RESENT_DAYS))
    return same & close


@dataclass(frozen=True)
class Verifier:
    """A trained pair classifier and its decision threshold."""

    features: tuple[str, ...]
    kind: str  # "gbm" or "logistic"
    threshold: float  # link when the probability is at least this
    gate_containment: float
    gate_cosine: float
    params: dict[str, Any] = field(repr=False)
    about: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    # -- evaluation ---------------------------------------------------------------------------
    def probabilities(self, matrix: np.ndarray) -> np.ndarray:
        """P(derived) of each row of a (pairs x features) matrix in `self.features`' order."""
        matrix = np.asarray(matrix, dtype=np.float64)
        if matrix.ndim != 2 or matrix.shape[1] != len(self.features):
            raise OptionsError(f"verifier expects {len(self.features)} features, got shape {matrix.shape}")
        if self.kind == "logistic":
            p = self.params
            raw = ((matrix - np.asarray(p["mean"])) / np.asarray(p["scale"])) @ np.asarray(p["coef"]) + p["intercept"]
        else:
            raw = self._trees_raw(matrix)
        return 1.0 / (1.0 + np.exp(-raw))

    def _trees_raw(self, matrix: np.ndarray) -> np.ndarray:
        p = self.params
        starts, left, right, feature, threshold, value = self._tree_arrays()
        raw = np.empty(len(matrix))
        _sum_trees(np.ascontiguousarray(matrix), float(p["init"]), float(p["learning_rate"]), starts, left, right,
                   feature, threshold, value, raw)
        return raw

    def _tree_arrays(self) -> tuple[np.ndarray, ...]:
        """All trees' nodes end to end (child numbers stay relative to their tree), and where
        each tree starts."""
        cached = self.__dict__.get("_arrays")
        if cached is None:
            trees = self.params["trees"]
            sizes = [len(t["left"]) for t in trees]
            starts = np.zeros(len(trees) + 1, dtype=np.int64)
            np.cumsum(sizes, out=starts[1:])

            def flat(key, dtype):
                return np.concatenate([np.asarray(t[key], dtype=dtype) for t in trees]) if trees else np.zeros(0, dtype)

            cached = (starts, flat("left", np.int64), flat("right", np.int64), flat("feature", np.int64),
                      flat("threshold", np.float64), flat("value", np.float64))
            object.__setattr__(self, "_arrays", cached)  # derived from params: not state of its own
        return cached

    def gate(self, containment: np.ndarray, cosine: np.ndarray) -> np.ndarray:
        """Pairs worth aligning and scoring: either measure at its gate."""
        return (np.asarray(containment) >= self.gate_containment) | (np.asarray(cosine) >= self.gate_cosine)

    def scores(self, matrix: np.ndarray) -> np.ndarray:
        """The probability each row is linked with: 1 for the same text sent again (`resent`),
        0 for a pair the gate stops, the model's P(derived) otherwise."""
        columns = {name: k for k, name in enumerate(self.features)}
        passed = self.gate(matrix[:, columns["contain_max"]], matrix[:, columns["cosine"]])
        same_text = resent(matrix, columns)
        out = same_text.astype(np.float64)
        scored = np.flatnonzero(passed & ~same_text)  # the model is asked about these only
        out[scored] = self.probabilities(matrix[scored])
        return out

    def decide(self, matrix: np.ndarray) -> np.ndarray:
        """True for the rows the verifier links (`scores` at the threshold)."""
        return self.scores(matrix) >= self.threshold

    def with_threshold(self, threshold: float) -> "Verifier":
        if not 0.0 <= threshold <= 1.0:
            raise OptionsError(f"threshold must be between 0 and 1, got {threshold}")
        return replace(self, threshold=float(threshold))

    # -- JSON -----------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {"format": FORMAT, "kind": self.kind, "features": list(self.features),
                "threshold": self.threshold, "gate": {"containment": self.gate_containment,
                                                      "cosine": self.gate_cosine},
                "about": self.about, "params": self.params}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=1, sort_keys=True) + "\n"

    @classmethod
    def from_dict(cls, data: Any, where: str = "model") -> "Verifier":
        from .features import NAMES

        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise OptionsError(f"{where}: not a verifier model (expected format {FORMAT!r})")
        try:
            features = tuple(data["features"])
            unknown = [f for f in features if f not in NAMES]
            if unknown:
                raise OptionsError(f"{where}: unknown features {unknown}")
            kind = data["kind"]
            if kind not in ("gbm", "logistic"):
                raise OptionsError(f"{where}: kind must be 'gbm' or 'logistic', got {kind!r}")
            params = data["params"]
            verifier = cls(features=features, kind=kind, threshold=float(data["threshold"]),
                           gate_containment=float(data["gate"]["containment"]),
                           gate_cosine=float(data["gate"]["cosine"]), params=params,
                           about=data.get("about", {}))
            verifier._check(where)
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            raise OptionsError(f"{where}: damaged verifier model ({type(exc).__name__}: {exc})") from None
        return verifier

    def _check(self, where: str) -> None:
        n = len(self.features)
        if self.kind == "logistic":
            for key in ("mean", "scale", "coef"):
                if len(self.params[key]) != n:
                    raise ValueError(f"{key} has {len(self.params[key])} values for {n} features")
            float(self.params["intercept"])
            return
        float(self.params["init"]), float(self.params["learning_rate"])
        for t, tree in enumerate(self.params["trees"]):
            left, right, feature, threshold, value = (np.asarray(tree[k], dtype=float if k in ("threshold", "value")
                                                                 else np.int64)
                                                      for k in ("left", "right", "feature", "threshold", "value"))
            size = len(left)
            if not (len(right) == len(feature) == len(threshold) == len(value) == size) or size == 0:
                raise ValueError(f"tree {t}: arrays of different lengths")
            inner = left >= 0
            if (left[inner] <= np.flatnonzero(inner)).any() or (right[inner] >= size).any() \
                    or (left[inner] >= size).any() or (right[inner] <= np.flatnonzero(inner)).any():
                raise ValueError(f"tree {t}: a child that does not come after its node")
            if (feature[inner] >= n).any() or (feature[inner] < 0).any():
                raise ValueError(f"tree {t}: feature number out of range")

    @classmethod
    def load(cls, path: str | Path) -> "Verifier":
        """A model written by ``dedupe train`` (`Verifier.to_json`)."""
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise OptionsError(f"{path}: {exc.strerror or exc}") from None
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise OptionsError(f"{path}: not JSON ({exc})") from None
        return cls.from_dict(data, str(path))

    @classmethod
    def default(cls) -> "Verifier":
        """The model shipped with the package (trained by ``dedupe train`` on data/labels)."""
        text = resources.files("dedupe").joinpath("verifier.json").read_text(encoding="utf-8")
        return cls.from_dict(json.loads(text), "dedupe/verifier.json")


@numba.njit(cache=True, nogil=True)
def _sum_trees(matrix, init, rate, starts, left, right, feature, threshold, value, out):
    """out[r] = init + rate * (each tree's leaf for row r), added tree by tree in order (the
    order numpy's tree-at-a-time version added them: the same bits)."""
    for r in range(matrix.shape[0]):
        total = init
        for t in range(len(starts) - 1):
            base = starts[t]
            node = 0
            while left[base + node] >= 0:
                if matrix[r, feature[base + node]] <= threshold[base + node]:
                    node = left[base + node]
                else:
                    node = right[base + node]
            total += rate * value[base + node]
        out[r] = total
