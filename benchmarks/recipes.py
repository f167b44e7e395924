"""Verifier recipes side by side: features, corpus weights, tree size (issue 13).

    python benchmarks/recipes.py [--shared ../shared] [--repeats 3]

Each recipe is trained on the README's label files (audit 3 held out) and scored by 5-fold
cross-validation by story, repeated with the stories shuffled into other folds (``--repeats``),
the figures averaged.  Per recipe: the threshold the README's rule picks (the lowest with
cross-validated precision 0.95 on the ``--precision-on`` files: round 1 and the links earlier
models reported), precision and recall there on those links and on round 1, METER's pair labels
at that threshold, and the probability the recipe's full model gives the seeds (a machine rewrite
that must stay linked) and the lowest it gives a derived pair of the sample corpus (the answer key
in data/labels/expected.jsonl).  About a minute per recipe on 2 cores.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import tradeoff  # noqa: E402
from dedupe import train  # noqa: E402
from dedupe.stages.features import NAMES  # noqa: E402
from dedupe.stages.read import read_documents  # noqa: E402
from dedupe.train import (LabelledPair, fit_verifier, label_examples, label_files, precision_recall,  # noqa: E402
                          story_groups, threshold_for)

OLD = NAMES[:22]  # the features of 2a8ac23's model
NEW = ("figure_density_max", "figure_density_min", "session_conflict", "figures_shared")


def equal_weights(corpora):
    names = np.asarray(corpora)
    counts = {n: int((names == n).sum()) for n in set(corpora)}
    return np.array([len(names) / len(counts) / counts[n] for n in corpora])


RECIPES = [  # (name, features, corpus weights, min_samples_leaf, max_depth)
    ("2a8ac23's 22 features, equal corpus weights, leaves of 5", OLD, equal_weights, 5, 4),
    ("+ figure density, session conflict", OLD + NEW[:3], equal_weights, 5, 4),
    ("+ figures shared", OLD + NEW, equal_weights, 5, 4),
    ("the same, corpus weights by square root", OLD + NEW, train.corpus_weights, 5, 4),
    ("shipped: the same, leaves of 20", NAMES, train.corpus_weights, 20, 4),
    ("shipped without figure density", tuple(n for n in NAMES if not n.startswith("figure_density")),
     train.corpus_weights, 20, 4),
    ("shipped with leaves of 40", NAMES, train.corpus_weights, 40, 4),
    ("shipped at depth 3", NAMES, train.corpus_weights, 20, 3),
]


def with_trees(leaf: int, depth: int):
    shipped = train.hist_model

    def model(features=NAMES, seed=0, monotone=True):
        estimator = shipped(features, seed, monotone)
        return estimator.set_params(min_samples_leaf=leaf, max_depth=depth)
    return model


def checks(shared: Path):
    """Feature rows of the seeds and of the sample's derived pairs."""
    seeds = read_documents([shared / "seeds"])
    seed = label_examples([LabelledPair("", seeds[0].id, seeds[1].id, "derived", "seeds")], {"": seeds})
    sample = read_documents([ROOT / "data" / "sample"])
    rows = [json.loads(line) for line in (ROOT / "data" / "labels" / "expected.jsonl").read_text().splitlines()]
    pairs = [LabelledPair("", r["id"], r["of"], "derived", "sample") for r in rows if r["of"]]
    return seed, label_examples(pairs, {"": sample})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", default=str(ROOT.parent / "shared"))
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    shared = Path(args.shared)
    with tempfile.TemporaryDirectory() as name:
        examples = tradeoff.all_examples(shared, Path(name))
    examples = tradeoff.subset(examples, tradeoff.training_set(examples, tradeoff.DEFAULT_TRAIN))
    seed, sample = checks(shared)
    files = label_files(examples)
    measured = np.isin(files, tradeoff.PRECISION_ON)
    links = measured & (files != "reuters-pairs.jsonl")
    round1 = files == "reuters-pairs.jsonl"
    meter = np.asarray(examples.corpora) == "meter_showbiz"
    groups = story_groups(examples.pairs)
    shipped = train.hist_model
    print("| recipe | threshold | links P / R | round 1 P / R | METER pairs P / R | seeds | sample's lowest |")
    print("|---|---|---|---|---|---|---|")
    from sklearn.model_selection import GroupKFold

    for title, names, weigh, leaf, depth in RECIPES:
        train.hist_model = with_trees(leaf, depth)
        columns = [NAMES.index(n) for n in names]
        matrix = examples.matrix[:, columns]
        runs = []
        for repeat in range(args.repeats):
            shuffled = np.random.default_rng(repeat).permutation(groups.max() + 1)[groups]
            probs = np.zeros(len(files))
            for fit, test in GroupKFold(5).split(matrix, groups=shuffled):
                model = fit_verifier(matrix[fit], examples.derived[fit], features=names,
                                     weights=weigh([examples.corpora[k] for k in fit]))
                probs[test] = model.scores(matrix[test])
            t = threshold_for(probs[measured], examples.derived[measured], tradeoff.PRECISION)
            runs.append([t, *precision_recall(probs[links], examples.derived[links], t),
                         *precision_recall(probs[round1], examples.derived[round1], t),
                         *precision_recall(probs[meter], examples.derived[meter], t)])
        model = fit_verifier(matrix, examples.derived, features=names, weights=weigh(examples.corpora))
        train.hist_model = shipped
        t, lp, lr, rp, rr, mp, mr = np.mean(runs, axis=0)
        spread = np.std([r[0] for r in runs])
        sample_probs = model.scores(sample.matrix[:, columns])
        low = int(np.argmin(sample_probs))
        print(f"| {title} | {t:.3f} (sd {spread:.3f}) | {lp:.3f} / {lr:.3f} | {rp:.3f} / {rr:.3f} | "
              f"{mp:.3f} / {mr:.3f} | {model.scores(seed.matrix[:, columns])[0]:.3f} | "
              f"{sample_probs[low]:.3f} ({sample.pairs[low].a}) |", flush=True)


if __name__ == "__main__":
    main()
