"""METER's scan figures with the verifier cross-validated by story (issue 13).

    python benchmarks/meter_cv.py --shared ../shared [--folds 5]

The shipped verifier was trained with METER's labels among others, so `quality.py`'s METER
figures are in-sample.  Here METER's stories are split into folds; for each fold a model is
trained (as `dedupe train` trains the shipped one, same labels, same threshold rule) on every
label except the METER pairs of that fold's stories (`tradeoff.meter_points`, which does the same
over thresholds), the whole corpus is scanned with it, and
only that fold's newspaper texts are scored.  The figures are over all folds' texts together.
Also prints the same with no METER labels at all (a corpus of a kind the model never saw).
Takes a few minutes.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import tradeoff  # noqa: E402
from dedupe.train import DEFAULT_GATE  # noqa: E402
from quality import DERIVATIONS  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", default=str(ROOT.parent / "shared"))
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--gate", type=float, default=None,
                        help="containment gate of the fold models (default: dedupe.train.DEFAULT_GATE's)")
    args = parser.parse_args()
    shared = Path(args.shared)
    gate = DEFAULT_GATE if args.gate is None else (args.gate, DEFAULT_GATE[1])
    with tempfile.TemporaryDirectory() as tmp:
        examples = tradeoff.all_examples(shared, Path(tmp))
        for title, without in (("cross-validated by story", False), ("no METER labels", True)):
            points = tradeoff.meter_points(examples, tradeoff.DEFAULT_TRAIN, shared, Path(tmp), grid=(),
                                           folds=args.folds, without_meter=without, gate=gate)
            _, _, f1, f3, matrix = points["default"]
            print(f"meter_showbiz ({title}) derived_vs_non_macro_f1 {f1:.3f}")
            print(f"meter_showbiz ({title}) three_class_macro_f1 {f3:.3f}")
            print(f"meter_showbiz ({title}) confusion gold->pred(wholly,partially,non) "
                  + " ".join(f"{c}={row}" for c, row in zip(DERIVATIONS, matrix)))


if __name__ == "__main__":
    main()
