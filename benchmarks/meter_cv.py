"""METER's scan figures with the verifier cross-validated by story (issue 13).

    python benchmarks/meter_cv.py --shared ../shared [--folds 5]

The shipped verifier was trained with METER's labels among others, so `quality.py`'s METER
figures are in-sample.  Here METER's stories are split into folds; for each fold a model is
trained (as `dedupe train` trains the shipped one, same labels, same threshold rule) on every
label except the METER pairs of that fold's stories, the whole corpus is scanned with it, and
only that fold's newspaper texts are scored.  The figures are over all folds' texts together.
Also prints the same with no METER labels at all (a corpus of a kind the model never saw).
Takes a few minutes.
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
from dedupe.train import (DEFAULT_GATE, corpus_weights, cross_validated, fit_verifier, label_examples,  # noqa: E402
                          read_labels, threshold_for)

CORPORA = ("reuters21578", "meter_showbiz", "clough_stevenson", "news_story_chains", "semeval2022_task8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", default=str(ROOT.parent / "shared"))
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--gate", type=float, default=None,
                        help="containment gate of the fold models (default: dedupe.train.DEFAULT_GATE's)")
    args = parser.parse_args()
    data = Path(args.shared) / "data"
    with tempfile.TemporaryDirectory() as tmp:
        files = [ROOT / "data" / "labels" / "reuters-pairs.jsonl", *shared_labels.write_labels(Path(args.shared), Path(tmp))]
        pairs = read_labels(files)
        corpora = {name: read_documents([data / name / "docs.jsonl"]) for name in CORPORA}
        examples = label_examples(pairs, corpora)
        names = np.asarray(examples.corpora)
        labels = {r["id"]: r for r in quality.read_jsonl(data / "meter_showbiz" / "labels.jsonl")}
        stories = sorted({r["cluster"] for r in labels.values()})
        fold_of = {story: k % args.folds for k, story in enumerate(stories)}
        docs = quality.read_jsonl(data / "meter_showbiz" / "docs.jsonl")
        newspapers = sorted(d for d, lab in labels.items() if lab["role"] == "newspaper")
        for title, held in (("cross-validated by story", None), ("no METER labels", "all")):
            gold, pred = [], []
            for k in range(args.folds if held is None else 1):
                meter_fold = np.array([n == "meter_showbiz" and (held == "all" or fold_of[labels[p.b]["cluster"]] == k)
                                       for n, p in zip(names, examples.pairs)])
                keep = ~meter_fold
                subset = _subset(examples, keep)
                gate = DEFAULT_GATE if args.gate is None else (args.gate, DEFAULT_GATE[1])
                probs = cross_validated(subset, gate=gate)
                reuters = np.asarray(subset.corpora) == "reuters21578"
                threshold = threshold_for(probs[reuters], subset.derived[reuters], 0.95)
                model = fit_verifier(subset.matrix, subset.derived, threshold=threshold, gate=gate,
                                     weights=corpus_weights(subset.corpora))
                path = Path(tmp) / f"model{k}.json"
                path.write_text(model.to_json(), encoding="utf-8")
                report = scan(docs, ScanOptions(verify=VerifyOptions(model=str(path)))).to_dict()
                where = quality.placements(report)
                mine = [d for d in newspapers if held == "all" or fold_of[labels[d]["cluster"]] == k]
                gold += [labels[d]["derivation"] for d in mine]
                pred += [quality.predict_derivation(d, where, labels) for d in mine]
            print(f"meter_showbiz ({title}) derived_vs_non_macro_f1 "
                  f"{quality.macro_f1(quality.as_derived(gold), quality.as_derived(pred), ('derived', 'non')):.3f}")
            print(f"meter_showbiz ({title}) three_class_macro_f1 {quality.macro_f1(gold, pred, quality.DERIVATIONS):.3f}")
            matrix = quality.confusion(gold, pred, quality.DERIVATIONS)
            print(f"meter_showbiz ({title}) confusion gold->pred(wholly,partially,non) "
                  + " ".join(f"{c}={row}" for c, row in zip(quality.DERIVATIONS, matrix)))


def _subset(examples, keep):
    from dedupe.train import Examples

    index = np.flatnonzero(keep)
    return Examples(examples.matrix[index], examples.derived[index], [examples.labels[i] for i in index],
                    examples.groups[index], [examples.corpora[i] for i in index],
                    [examples.pairs[i] for i in index], [])


if __name__ == "__main__":
    main()
