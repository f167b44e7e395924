"""Train the verifier from pairs labelled by reading (``dedupe train``).

A label file is JSON Lines, one pair a line::

    {"a": "4046", "b": "12794", "label": "different", "corpus": "reuters21578"}

``label`` is ``derived`` (the positive class) or ``same_event``, ``template``,
``different`` (negatives); ``corpus`` names which document set the ids belong to (a
``--docs NAME=PATH`` of the command), and may be left out when only one is given.
Features are computed on each corpus as a scan computes them (the rarity weights are the
corpus's own), then scikit-learn fits the model and cross-validation by story (no story on
both sides of a split) picks the decision threshold for a target precision.

>>> model = train_verifier(labels, corpora)  # doctest: +SKIP
>>> model.to_json()  # doctest: +SKIP
"""
from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .config import ScanOptions
from .errors import InputError, OptionsError
from .stages.features import NAMES, CorpusStats, corpus_stats, feature_matrix, pair_columns
from .text.fingerprint import Stemmer, assemble_fingerprints
from .model import Document
from .stages.verifier import Verifier

LABELS = ("derived", "same_event", "template", "different")
DEFAULT_GATE = (0.085, 1.0)
"""Shingle containment and TF-IDF cosine below which a pair is not even scored: a link says one
text was made from the other, so it needs some shared wording (8.5% of one text's word
3-grams); a cosine of 1.0 (the same words) passes alone.  Independent reports of one event
that state the same facts (the sample's two council-budget reports share 8% and 6%) stay
apart; the cost is METER newspaper texts that reworded every sentence of the wire (see
benchmarks/README.md)."""


@dataclass(frozen=True)
class LabelledPair:
    corpus: str
    a: str
    b: str
    label: str
    where: str  # file:line, for messages


def read_labels(paths: Sequence[str | Path]) -> list[LabelledPair]:
    """Labelled pairs from JSON Lines files; a bad line stops with its file and line."""
    out = []
    for path in paths:
        try:
            lines = Path(path).read_text(encoding="utf-8-sig").splitlines()
        except OSError as exc:
            raise InputError(str(path), exc.strerror or str(exc)) from None
        except UnicodeDecodeError:
            raise InputError(str(path), "not UTF-8 text") from None
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except ValueError as exc:
                raise InputError(str(path), f"not JSON ({exc.msg})", number) from None
            if not isinstance(row, dict):
                raise InputError(str(path), "expected a JSON object", number)
            for key in ("a", "b", "label"):
                if key not in row:
                    raise InputError(str(path), f"missing {key!r}", number)
            if row["label"] not in LABELS:
                raise InputError(str(path), f"label must be one of {', '.join(LABELS)}, got {row['label']!r}", number)
            out.append(LabelledPair(str(row.get("corpus", "")), str(row["a"]), str(row["b"]), row["label"],
                                    f"{path}:{number}"))
    if not out:
        raise OptionsError("no labelled pairs given")
    return out


@dataclass
class Examples:
    """Feature rows of labelled pairs, with what cross-validation and the gate need."""

    matrix: np.ndarray
    derived: np.ndarray  # bool
    labels: list[str]
    groups: np.ndarray  # story group of each pair: connected pairs share one
    corpora: list[str]
    pairs: list[LabelledPair]
    left_out: list[LabelledPair]  # pairs with a text too short to compare (below min_words)


def label_examples(pairs: Sequence[LabelledPair], corpora: Mapping[str, Sequence[Document]],
                   options: ScanOptions | None = None) -> Examples:
    """Feature rows for labelled pairs, each computed within its own corpus."""
    from .stages.digest import sentence_rows
    from .stages.pairwise import SentenceRows
    from .pipeline import digest_all  # the scan's own stages, so features are the scan's

    options = options or ScanOptions()
    rows: list[np.ndarray] = []
    kept_pairs: list[LabelledPair] = []
    left_out: list[LabelledPair] = []
    by_corpus: dict[str, list[LabelledPair]] = {}
    for pair in pairs:
        name = pair.corpus
        if name not in corpora:
            if not name and len(corpora) == 1:
                name = next(iter(corpora))
            else:
                known = ", ".join(sorted(corpora)) or "none"
                raise InputError(pair.where, f"corpus {pair.corpus!r} not given (--docs NAME=PATH; given: {known})")
        by_corpus.setdefault(name, []).append(pair)
    for name, wanted in by_corpus.items():
        docs = list(corpora[name])
        stemmer = Stemmer()
        digest = digest_all(docs, options, stemmer)
        kept = [docs[i] for i in digest.kept.tolist()]
        position = {d.id: k for k, d in enumerate(kept)}
        fp = assemble_fingerprints(digest.shingle_values, digest.shingle_offsets, digest.signatures,
                                   digest.stem_rows(), options.fingerprint)
        stats: CorpusStats = corpus_stats(fp, digest.numbers, [d.published for d in kept], kept)
        index = []
        all_ids = {d.id for d in docs}
        usable = []
        for pair in wanted:
            for key in (pair.a, pair.b):
                if key not in all_ids:
                    raise InputError(pair.where, f"document {key!r} is not in corpus {name!r}")
            if pair.a in position and pair.b in position:
                index.append((position[pair.a], position[pair.b]))
                usable.append(pair)
            else:  # a scan never compares a text below --min-words either
                left_out.append(pair)
        wanted = usable
        array = np.array(index, dtype=np.int64).reshape(-1, 2)
        columns = pair_columns(array, fp, stats,
                               lambda only: SentenceRows.from_id_rows(*sentence_rows(digest, only), fp),
                               options.verify.sentence_match)
        rows.append(feature_matrix(columns))
        kept_pairs.extend(wanted)
    matrix = np.concatenate(rows) if rows else np.zeros((0, len(NAMES)))
    derived = np.array([p.label == "derived" for p in kept_pairs])
    return Examples(matrix, derived, [p.label for p in kept_pairs], story_groups(kept_pairs),
                    [p.corpus for p in kept_pairs], kept_pairs, left_out)


def story_groups(pairs: Sequence[LabelledPair]) -> np.ndarray:
    """A group number per pair: pairs that share a document (within a corpus) are one group,
    so that no story lands on both sides of a cross-validation split."""
    parent: dict[tuple[str, str], tuple[str, str]] = {}

    def find(x):
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for p in pairs:
        ra, rb = find((p.corpus, p.a)), find((p.corpus, p.b))
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    roots: dict[tuple[str, str], int] = {}
    return np.array([roots.setdefault(find((p.corpus, p.a)), len(roots)) for p in pairs], dtype=np.int64)


MONOTONE = {
    # more shared wording, names, figures or aligned sentences never lowers P(derived) ...
    "contain_max": 1, "contain_min": 1, "jaccard": 1, "wcontain_max": 1, "wcontain_min": 1, "cosine": 1,
    "terms_max": 1, "terms_min": 1, "rare_max": 1, "rare_min": 1, "figures_min": 1, "figures_max": 1, "figures_shared": 1,
    "figures_w": 1, "aligned_max": 1, "aligned_min": 1, "unquoted_share": 1,
    # ... while more of it being common (template) wording, more figures the other text does
    # not state, or headings of other sessions, never raise it
    "common_share": -1, "figures_unshared": -1, "session_conflict": -1,
}
"""The sign each feature may move P(derived) in (`--kind gbm`'s monotone constraints); the
others (length ratio, time, whether a text has figures, how much of it is figures) may go
either way."""


def fit_verifier(matrix: np.ndarray, derived: np.ndarray, kind: str = "gbm", seed: int = 0,
                 threshold: float = 0.5, gate: tuple[float, float] = DEFAULT_GATE,
                 weights: np.ndarray | None = None, trees: str = "hist", monotone: bool = True,
                 features: Sequence[str] = NAMES) -> Verifier:
    """A Verifier fitted with scikit-learn on feature rows (deterministic for a seed).

    ``gbm`` fits histogram gradient boosting with the `MONOTONE` constraints (``trees="hist"``),
    or, with ``trees="classic"``, the unconstrained GradientBoostingClassifier of the first
    models; both are exported as the same plain trees."""
    y = np.asarray(derived, dtype=int)
    matrix = np.asarray(matrix, dtype=np.float64)
    if len(set(y.tolist())) < 2:
        raise OptionsError("training needs both derived and non-derived pairs")
    if kind == "logistic":
        from sklearn.linear_model import LogisticRegression
        from sklearn.preprocessing import StandardScaler

        scaler = StandardScaler().fit(matrix)
        scale = np.where(scaler.scale_ > 0, scaler.scale_, 1.0)
        model = LogisticRegression(C=1.0, max_iter=2000, class_weight="balanced")
        model.fit((matrix - scaler.mean_) / scale, y, sample_weight=weights)
        params = {"mean": scaler.mean_.tolist(), "scale": scale.tolist(), "coef": model.coef_[0].tolist(),
                  "intercept": float(model.intercept_[0])}
    elif kind == "gbm" and trees == "hist":
        model = hist_model(features, seed, monotone)
        model.fit(matrix, y, sample_weight=weights)
        params = {"init": float(np.ravel(model._baseline_prediction)[0]), "learning_rate": 1.0,
                  "trees": [hist_tree(predictor) for (predictor,) in model._predictors]}
    elif kind == "gbm":
        from sklearn.ensemble import GradientBoostingClassifier

        model = GradientBoostingClassifier(n_estimators=150, max_depth=3, learning_rate=0.1, subsample=0.8,
                                           min_samples_leaf=5, random_state=seed)
        model.fit(matrix, y, sample_weight=weights)
        exported = []
        for (estimator,) in model.estimators_:
            t = estimator.tree_
            exported.append({"left": t.children_left.tolist(), "right": t.children_right.tolist(),
                             "feature": t.feature.tolist(), "threshold": t.threshold.tolist(),
                             "value": t.value[:, 0, 0].tolist()})
        prior = float(np.clip(np.average(y, weights=weights), 1e-6, 1 - 1e-6))
        params = {"init": float(np.log(prior / (1 - prior))), "learning_rate": model.learning_rate, "trees": exported}
    else:
        raise OptionsError(f"kind must be 'gbm' or 'logistic', got {kind!r}")
    return Verifier(features=tuple(features), kind=kind, threshold=threshold, gate_containment=gate[0],
                    gate_cosine=gate[1], params=params)


def hist_model(features: Sequence[str] = NAMES, seed: int = 0, monotone: bool = True):
    """The scikit-learn estimator ``gbm`` fits (tests compare the exported trees with it)."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    return HistGradientBoostingClassifier(
        max_iter=150, learning_rate=0.1, max_depth=4, max_leaf_nodes=12, min_samples_leaf=20, l2_regularization=3.0,
        early_stopping=False, random_state=seed,
        monotonic_cst=[MONOTONE.get(name, 0) for name in features] if monotone else None)


def hist_tree(predictor) -> dict[str, list]:
    """One tree of a fitted HistGradientBoostingClassifier as `Verifier`'s plain arrays: a row
    goes left when its feature is at most the threshold (the features are never NaN), a leaf
    has left = right = -1 and its value already carries the learning rate."""
    nodes = predictor.nodes
    leaf = nodes["is_leaf"].astype(bool)
    return {"left": np.where(leaf, -1, nodes["left"].astype(np.int64)).astype(int).tolist(),
            "right": np.where(leaf, -1, nodes["right"].astype(np.int64)).astype(int).tolist(),
            "feature": np.where(leaf, -2, nodes["feature_idx"].astype(np.int64)).astype(int).tolist(),
            "threshold": np.where(leaf, -2.0, nodes["num_threshold"]).astype(float).tolist(),
            "value": np.where(leaf, nodes["value"], 0.0).astype(float).tolist()}


def corpus_weights(corpora: Sequence[str]) -> np.ndarray:
    """Sample weights that give each corpus a total weight that grows with the square root of
    its pair count: a large label set counts for more than a small one, but thousands of easy
    pairs of one corpus do not drown a small one of another kind.  They average 1."""
    names = np.asarray(corpora)
    counts = {name: int((names == name).sum()) for name in set(corpora)}
    weights = np.array([1.0 / math.sqrt(counts[name]) for name in corpora], dtype=np.float64)
    return weights * (len(weights) / weights.sum()) if len(weights) else weights


def cross_validated(examples: Examples, kind: str = "gbm", folds: int = 5, seed: int = 0,
                    gate: tuple[float, float] = DEFAULT_GATE, **fit) -> np.ndarray:
    """Out-of-fold `Verifier.scores` of every example (P(derived); 0 past the gate, 1 for the
    same text), folds split by story group."""
    from sklearn.model_selection import GroupKFold

    probs = np.zeros(len(examples.derived))
    splitter = GroupKFold(n_splits=min(folds, len(set(examples.groups.tolist()))))
    for train, test in splitter.split(examples.matrix, examples.derived, examples.groups):
        weights = corpus_weights([examples.corpora[k] for k in train])
        model = fit_verifier(examples.matrix[train], examples.derived[train], kind, seed, gate=gate, weights=weights,
                             **fit)
        probs[test] = model.scores(examples.matrix[test])
    return probs


def threshold_for(probs: np.ndarray, derived: np.ndarray, precision: float) -> float:
    """The lowest threshold whose links reach `precision` (the highest recall there); pairs
    of equal probability are linked or not together, as a threshold treats them."""
    values, inverse = np.unique(-probs, return_inverse=True)  # distinct probabilities, highest first
    hits = np.cumsum(np.bincount(inverse, weights=derived.astype(float), minlength=len(values)))
    shown = np.cumsum(np.bincount(inverse, minlength=len(values)))
    ok = np.flatnonzero(hits / shown >= precision)
    if not len(ok):
        return 1.0
    return float(max(-values[ok[-1]], 1e-9))


def precision_recall(probs: np.ndarray, derived: np.ndarray, threshold: float) -> tuple[float, float]:
    linked = probs >= threshold
    tp = int((linked & derived).sum())
    return (tp / max(int(linked.sum()), 1), tp / max(int(derived.sum()), 1))


def label_files(examples: Examples) -> np.ndarray:
    """The name (without folders) of the label file of each example."""
    return np.array([Path(p.where.rsplit(":", 1)[0]).name for p in examples.pairs])


def measured_on(examples: Examples, precision_on: Sequence[str] | str | None) -> np.ndarray:
    """The examples whose cross-validated precision sets the threshold: those of the corpora or
    of the label files (by name, e.g. ``reuters-pairs.jsonl``) `precision_on` names, or all.
    Label files of the links a scan reported, read by hand, measure the precision of what a scan
    reports; a file drawn at random from the candidates measures an easier mix, one drawn near an
    earlier model's threshold a harder one."""
    if precision_on is None:
        return np.ones(len(examples.pairs), dtype=bool)
    names = _names(precision_on)
    corpora, files = np.asarray(examples.corpora), label_files(examples)
    chosen = np.zeros(len(examples.pairs), dtype=bool)
    for name in names:
        mine = (corpora == name) | (files == name)
        if not mine.any():
            raise OptionsError(f"no labelled pairs of corpus or label file {name!r}")
        chosen |= mine
    return chosen


def _names(precision_on: Sequence[str] | str | None) -> tuple[str, ...]:
    return () if precision_on is None else (precision_on,) if isinstance(precision_on, str) else tuple(precision_on)


def train_verifier(pairs: Sequence[LabelledPair], corpora: Mapping[str, Sequence[Document]],
                   kind: str = "gbm", precision: float = 0.95, folds: int = 5, seed: int = 0,
                   precision_on: Sequence[str] | str | None = None, options: ScanOptions | None = None) -> Verifier:
    """Features, cross-validated threshold for `precision`, then the model fitted on all pairs.

    The threshold is the lowest whose cross-validated links reach `precision` on the pairs
    `precision_on` names (`measured_on`) that it decides (not those of the same text, sent again,
    which are linked whatever the threshold).  The model's ``about`` records the label counts and,
    per corpus (and per label file where a corpus has several), the cross-validated precision and
    recall at that threshold; ``measured`` holds those of the pairs `precision_on` names, together."""
    examples = label_examples(pairs, corpora, options)
    probs = cross_validated(examples, kind, folds, seed)
    names = np.asarray(examples.corpora)
    chosen = measured_on(examples, precision_on)
    threshold = threshold_for(probs[chosen], examples.derived[chosen], precision)
    model = fit_verifier(examples.matrix, examples.derived, kind, seed, threshold,
                         weights=corpus_weights(examples.corpora))
    counts = {label: examples.labels.count(label) for label in LABELS}
    figures = {}
    files = label_files(examples)
    parts = [(name, names == name) for name in sorted(set(examples.corpora))]
    for corpus in sorted(set(examples.corpora)):  # a corpus labelled in several files: each file too
        own = sorted(set(files[names == corpus].tolist()))
        parts += [(name, files == name) for name in own] if len(own) > 1 else []
    def figures_of(mine: np.ndarray) -> dict:
        p, r = precision_recall(probs[mine], examples.derived[mine], threshold)
        linked = int((probs[mine] >= threshold).sum())
        return {"pairs": int(mine.sum()), "derived": int(examples.derived[mine].sum()), "linked": linked,
                "precision": round(p, 4) if linked else None,
                "recall": round(r, 4) if examples.derived[mine].any() else None}

    for name, mine in parts:
        figures[name] = figures_of(mine)
    about = {"pairs": len(examples.labels), "left_out_too_short": len(examples.left_out), "labels": counts,
             "cross_validation": {"folds": folds, "by": "story", "target_precision": precision,
                                  "precision_on": sorted(set(_names(precision_on))) or "all",
                                  "measured": figures_of(chosen), "corpora": figures}}
    return Verifier(model.features, model.kind, model.threshold, model.gate_containment, model.gate_cosine,
                    model.params, about)
