"""Precision against recall of the verifier over thresholds, on Reuters and on METER (issue 13).

    python benchmarks/tradeoff.py [--shared ../shared] [--train FILE ...] [--no-meter]

Where a target is not met, the issue asks for the trade-off measured, and which point the default
takes.  The models here are trained as ``dedupe train`` trains the shipped one (same recipe, same
labels; the threshold is the lowest with cross-validated precision 0.95 on the ``--precision-on``
files: round 1, drawn at random from the candidates, and the links earlier models reported, read by
hand), then:

- **Reuters, cross-validated by story**: the out-of-fold probabilities of the Reuters label files the
  model is trained on (``--train``, by default the README's), 5 folds, no story on both sides of a
  split; first the ``--precision-on`` files together, then each file apart, since they were drawn
  differently (round 1 at random from the candidates, stratified by shared text; round 2 near the
  first model's threshold; rounds 3 and 4 and the audits among the links an earlier model reported,
  so their precision estimates that of reported links and their recall the share of the derived
  ones kept);
- **Reuters, held out**: a round not trained on, scored by the model fitted on all training labels;
- **METER, cross-validated by METER story** (as ``meter_cv.py``): per fold a model trained without
  that fold's METER pairs scans the whole corpus at each threshold; only that fold's newspaper texts
  are scored.  Derived (wholly or partially) against non: precision, recall, macro-F1, and the
  three-class macro-F1.

The row marked ``*`` is the default: the threshold the training rule picks (on METER each fold
model's own).  Takes about three minutes.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import quality  # noqa: E402
import shared_labels  # noqa: E402
from dedupe import ScanOptions, VerifyOptions, scan  # noqa: E402
from dedupe.stages.read import read_documents  # noqa: E402
from dedupe.train import (Examples, corpus_weights, cross_validated, fit_verifier, label_examples,  # noqa: E402
                          label_files, measured_on, precision_recall, read_labels, story_groups,
                          threshold_for)

CORPORA = ("reuters21578", "meter_showbiz", "clough_stevenson", "news_story_chains", "semeval2022_task8")
LABELS = ROOT / "data" / "labels"
ROUNDS = ("reuters-pairs.jsonl", "reuters-pairs-round2.jsonl", "reuters-pairs-round3.jsonl", "reuters-pairs-round4.jsonl",
          "reuters-audit-links.jsonl", "reuters-audit2-links.jsonl", "reuters-audit3-links.jsonl")
DEFAULT_TRAIN = ROUNDS[:-1]
"""The README's training files; audit 3 (links of the shipped model read blind) is held out."""
GRID = (0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95)
PRECISION = 0.95
PRECISION_ON = ("reuters-pairs.jsonl", "reuters-pairs-round3.jsonl", "reuters-pairs-round4.jsonl",
                "reuters-audit-links.jsonl", "reuters-audit2-links.jsonl")
"""The README's ``--precision-on``: the threshold is chosen on the round-1 pairs, drawn at random
(stratified by shared text) from the candidates, together with the links earlier models reported,
read by hand: what a scan meets, and what it reports."""


def subset(examples: Examples, keep: np.ndarray) -> Examples:
    """The examples `keep` marks, with story groups of their own (as training on them alone makes)."""
    index = np.flatnonzero(keep)
    pairs = [examples.pairs[i] for i in index]
    return Examples(examples.matrix[index], examples.derived[index], [examples.labels[i] for i in index],
                    story_groups(pairs), [examples.corpora[i] for i in index], pairs, [])


def all_examples(shared: Path, tmp: Path) -> Examples:
    """Feature rows of every Reuters round and of the shared corpora's labels."""
    files = [LABELS / name for name in ROUNDS if (LABELS / name).exists()]
    files += sorted(shared_labels.write_labels(shared, tmp))  # as the README's build/labels/*.jsonl
    corpora = {name: read_documents([shared / "data" / name / "docs.jsonl"]) for name in CORPORA}
    return label_examples(read_labels(files), corpora)


def training_set(examples: Examples, train: tuple[str, ...]) -> np.ndarray:
    files = label_files(examples)
    reuters_file = np.isin(files, ROUNDS)
    return ~reuters_file | np.isin(files, train)


def reuters_scores(examples: Examples, train: tuple[str, ...], **fit) -> tuple[np.ndarray, float, object]:
    """(a score per example: out of fold for the training examples, the full model's for the
    others; the threshold the training rule picks; the full model)."""
    trained = training_set(examples, train)
    part = subset(examples, trained)
    probs = np.zeros(len(examples.derived))
    probs[trained] = cross_validated(part, **fit)
    chosen = measured_on(part, PRECISION_ON)
    threshold = threshold_for(probs[trained][chosen], part.derived[chosen], PRECISION)
    model = fit_verifier(part.matrix, part.derived, threshold=threshold, weights=corpus_weights(part.corpora), **fit)
    probs[~trained] = model.scores(examples.matrix[~trained])
    return probs, threshold, model


def meter_points(examples: Examples, train: tuple[str, ...], shared: Path, tmp: Path, grid=GRID,
                 folds: int = 5, without_meter: bool = False,
                 **fit) -> dict[object, tuple[float, float, float, float, list[list[int]]]]:
    """METER's (precision, recall, derived-vs-non macro-F1, three-class macro-F1, confusion) per
    threshold of `grid`, and under "default" at each fold model's own threshold.  With
    `without_meter`, one model trained on no METER label at all scores every newspaper text."""
    data = shared / "data" / "meter_showbiz"
    labels = {r["id"]: r for r in quality.read_jsonl(data / "labels.jsonl")}
    stories = sorted({r["cluster"] for r in labels.values()})
    fold_of = {story: 0 if without_meter else k % folds for k, story in enumerate(stories)}
    docs = quality.read_jsonl(data / "docs.jsonl")
    newspapers = sorted(d for d, lab in labels.items() if lab["role"] == "newspaper")
    trained = training_set(examples, train)
    gold: list[str] = []
    pred: dict[object, list[str]] = {t: [] for t in ("default", *grid)}
    for k in range(1 if without_meter else folds):
        meter_fold = np.array([c == "meter_showbiz" and fold_of[labels[p.b]["cluster"]] == k
                               for c, p in zip(examples.corpora, examples.pairs)])
        part = subset(examples, trained & ~meter_fold)
        probs = cross_validated(part, **fit)
        chosen = measured_on(part, PRECISION_ON)
        threshold = threshold_for(probs[chosen], part.derived[chosen], PRECISION)
        model = fit_verifier(part.matrix, part.derived, threshold=threshold, weights=corpus_weights(part.corpora),
                             **fit)
        path = tmp / f"meter-fold{k}.json"
        path.write_text(model.to_json(), encoding="utf-8")
        mine = [d for d in newspapers if fold_of[labels[d]["cluster"]] == k]
        gold += [labels[d]["derivation"] for d in mine]
        for t in pred:
            verify = VerifyOptions(model=str(path), threshold=None if t == "default" else t)
            where = quality.placements(scan(docs, ScanOptions(verify=verify)).to_dict())
            pred[t] += [quality.predict_derivation(d, where, labels) for d in mine]
    out = {}
    gold_d = quality.as_derived(gold)
    for t, p in pred.items():
        p_d = quality.as_derived(p)
        hits = sum(g == q == "derived" for g, q in zip(gold_d, p_d))
        out[t] = (hits / max(p_d.count("derived"), 1), hits / max(gold_d.count("derived"), 1),
                  quality.macro_f1(gold_d, p_d, ("derived", "non")), quality.macro_f1(gold, p, quality.DERIVATIONS),
                  quality.confusion(gold, p, quality.DERIVATIONS))
    return out


def reuters_table(examples: Examples, probs: np.ndarray, threshold: float, train: tuple[str, ...],
                  grid=GRID) -> list[str]:
    files = label_files(examples)
    reuters = np.asarray(examples.corpora) == "reuters21578"
    columns = []
    measured = reuters & np.isin(files, [name for name in PRECISION_ON if name in train])
    if measured.any():
        columns.append((f"--precision-on files, CV ({int(measured.sum())}, {int(examples.derived[measured].sum())} derived)",
                        measured))
    for name in ROUNDS:
        mine = reuters & (files == name)
        if mine.any():
            how = "CV" if name in train else "held out"
            title = name.removeprefix("reuters-").removesuffix(".jsonl").replace("pairs-", "").replace("pairs", "round1")
            columns.append((f"{title} {how} ({int(mine.sum())}, {int(examples.derived[mine].sum())} derived)", mine))
    lines = ["threshold | " + " | ".join(f"{title}: P / R / links" for title, _ in columns)]
    for t in sorted({*grid, threshold}):
        cells = []
        for _, mine in columns:
            p, r = precision_recall(probs[mine], examples.derived[mine], t)
            cells.append(f"{p:.3f} / {r:.3f} / {int((probs[mine] >= t).sum())}")
        lines.append(f"{t:.4f}{'*' if t == threshold else ' '} | " + " | ".join(cells))
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", default=str(ROOT.parent / "shared"))
    parser.add_argument("--train", nargs="+", default=list(DEFAULT_TRAIN), choices=ROUNDS,
                        help="the Reuters label files the model is trained on (default: the README's)")
    parser.add_argument("--no-meter", action="store_true", help="Reuters only (seconds instead of minutes)")
    args = parser.parse_args()
    shared = Path(args.shared)
    train = tuple(args.train)
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        examples = all_examples(shared, tmp)
        probs, threshold, _ = reuters_scores(examples, train)
        print(f"Reuters (trained on {', '.join(train)} and the shared corpora's labels; default threshold "
              f"{threshold:.4f}, the lowest with cross-validated precision {PRECISION} on {', '.join(PRECISION_ON)})")
        for line in reuters_table(examples, probs, threshold, train):
            print("  " + line)
        if args.no_meter:
            return
        points = meter_points(examples, train, shared, tmp)
        print("METER showbiz, cross-validated by METER story (newspaper texts; derived = wholly or partially)")
        print("  threshold | precision / recall | derived-vs-non macro-F1 | three-class macro-F1")
        for t, (p, r, f1, f3, _) in points.items():
            label = "each fold's own*" if t == "default" else f"{t:.4f}"
            print(f"  {label} | {p:.3f} / {r:.3f} | {f1:.3f} | {f3:.3f}")


if __name__ == "__main__":
    main()
