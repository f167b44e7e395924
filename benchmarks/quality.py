"""Detection quality of dedupe on the labeled research corpora in ../shared/data.

Runs ``dedupe.scan`` on each corpus's ``docs.jsonl`` (as dicts, exactly as stored) and
prints one line per figure, prefixed with the corpus name::

    meter_showbiz derived_vs_non_macro_f1 0.712

The corpora are research-only and are read where they are (``--data``, by default
``../shared/data`` beside the repository); nothing of them is copied into the repo.
The script measures the ``dedupe`` package of the checkout it lives in, not whatever
``dedupe`` happens to be installed.

    python benchmarks/quality.py                    # every corpus
    python benchmarks/quality.py --corpus meter_showbiz
    python benchmarks/quality.py --check            # exit 1 if a figure is past its floor
    python benchmarks/quality.py --json figures.json
    python benchmarks/quality.py --verify threshold=0.9   # what-if: the verifier's threshold changed

Exit status: 0 fine, 1 a figure failed its floor (``--check``), 2 usage or missing data.
"""
from __future__ import annotations

import argparse
import difflib
import json
import math
import re
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, Union

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = REPO_ROOT.parent / "shared" / "data"
FLOORS_FILE = Path(__file__).resolve().with_name("quality_floors.json")

# Words as dedupe's normalizer cuts them, so predicted segments and gold spans meet on
# the same units.
WORD = re.compile(r"\w+(?:['’]\w+)*")

# METER word labels and the diff kinds they correspond to.
GOLD_KINDS = ("verbatim", "rewrite", "new")
PRED_TO_GOLD = {"kept": "verbatim", "reworded": "rewrite", "added": "new"}
WORD_FIGURES = (("kept", "verbatim"), ("reworded", "rewrite"), ("added", "new"))
DERIVATIONS = ("wholly", "partially", "non")
RELATION_TO_DERIVATION = {"duplicate": "wholly", "copy": "wholly", "rewrite": "wholly",
                          "partial": "partially"}
RELATION_ORDER = ("original", "duplicate", "copy", "rewrite", "partial", "other_cluster", "unlinked")
CLOUGH_LABELS = ("cut", "light", "heavy", "non")
SEMEVAL_BANDS = ((1.0, 1.5), (1.5, 2.5), (2.5, 3.5), (3.5, 4.0))

Value = Union[int, float, str]
Figures = dict[str, Value]


class DataMissing(Exception):
    """A corpus folder or file the run needs is not there."""


# ---------------------------------------------------------------- pure metric helpers

def align_nonspace(a: str, b: str) -> list[int | None]:
    """For each character of `a`, the index of the same character in `b`, or None.

    The texts are compared with all whitespace removed, so two renderings of one text
    that differ only in spacing and line breaks align completely.  Where they differ
    in other ways (a curly quote for a straight one, a dropped sentence), equal runs
    still align, a substitution of equally long runs aligns position by position, and
    the rest (and all whitespace) maps to None.

    >>> align_nonspace("a b", "ab")
    [0, None, 1]
    """
    a_pos = [i for i, ch in enumerate(a) if not ch.isspace()]
    b_pos = [j for j, ch in enumerate(b) if not ch.isspace()]
    a_chars = "".join(a[i] for i in a_pos)
    b_chars = "".join(b[j] for j in b_pos)
    out: list[int | None] = [None] * len(a)
    matcher = difflib.SequenceMatcher(None, a_chars, b_chars, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal" or (tag == "replace" and i2 - i1 == j2 - j1):
            for k in range(i2 - i1):
                out[a_pos[i1 + k]] = b_pos[j1 + k]
    return out


def char_labels(length: int, spans: Iterable[tuple[int, int, str]]) -> list[str | None]:
    """Label of each character of a text of `length` from (start, end, label) spans."""
    labels: list[str | None] = [None] * length
    for start, end, label in spans:
        for i in range(max(start, 0), min(end, length)):
            labels[i] = label
    return labels


def transfer_labels(text: str, annotated: str, annotated_labels: Sequence[str | None]) -> list[str | None]:
    """Labels of `annotated`'s characters carried over to the characters of `text`."""
    mapping = align_nonspace(text, annotated)
    return [annotated_labels[j] if j is not None else None for j in mapping]


def word_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every word of `text`."""
    return [(m.start(), m.end()) for m in WORD.finditer(text)]


def label_words(words: Sequence[tuple[int, int]], labels: Sequence[str | None],
                default: str | None = None) -> list[str | None]:
    """Each word's label: the one most of its characters carry (ties: the first seen).

    A word none of whose characters is labeled gets `default`.
    """
    out: list[str | None] = []
    for start, end in words:
        counts = Counter(label for label in labels[start:end] if label is not None)
        out.append(max(counts, key=counts.__getitem__) if counts else default)
    return out


def f1_by_class(gold: Sequence[str], pred: Sequence[str], classes: Sequence[str]) -> dict[str, float]:
    """F1 of each class over paired gold/predicted labels (0.0 where a class is never
    predicted or never true)."""
    if len(gold) != len(pred):
        raise ValueError(f"{len(gold)} gold labels but {len(pred)} predictions")
    out = {}
    for c in classes:
        tp = sum(1 for g, p in zip(gold, pred) if g == c and p == c)
        fp = sum(1 for g, p in zip(gold, pred) if g != c and p == c)
        fn = sum(1 for g, p in zip(gold, pred) if g == c and p != c)
        out[c] = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    return out


def macro_f1(gold: Sequence[str], pred: Sequence[str], classes: Sequence[str]) -> float:
    """Unweighted mean of the classes' F1."""
    scores = f1_by_class(gold, pred, classes)
    return sum(scores.values()) / len(classes)


def confusion(gold: Sequence[str], pred: Sequence[str], classes: Sequence[str]) -> list[list[int]]:
    """Counts, rows = gold class, columns = predicted class, both in `classes` order."""
    index = {c: i for i, c in enumerate(classes)}
    matrix = [[0] * len(classes) for _ in classes]
    for g, p in zip(gold, pred):
        matrix[index[g]][index[p]] += 1
    return matrix


def share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def round_floor(value: float, kind: str) -> float:
    """A floor pinned from a measured value: ``min`` rounds down, ``max`` up, to 2 decimals."""
    scaled = round(value * 100, 6)  # absorb binary noise (0.29 * 100 = 28.999999999999996)
    return (math.floor(scaled) if kind == "min" else math.ceil(scaled)) / 100


def check_floors(figures: dict[str, Value], floors: dict[str, dict[str, float]],
                 corpora: Iterable[str]) -> list[str]:
    """One line per figure of the run `corpora` that is past its floor (empty: all fine)."""
    run = set(corpora)
    failures = []
    for key, bound in sorted(floors.items()):
        if key.split(" ", 1)[0] not in run:
            continue
        value = figures.get(key)
        if not isinstance(value, (int, float)):
            failures.append(f"FAIL {key}: no numeric figure produced (got {value!r})")
            continue
        if "min" in bound and value < bound["min"]:
            failures.append(f"FAIL {key} {format_value(value)} is below its floor min {bound['min']}")
        if "max" in bound and value > bound["max"]:
            failures.append(f"FAIL {key} {format_value(value)} is above its ceiling max {bound['max']}")
    return failures


def format_value(value: Value) -> str:
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


# ---------------------------------------------------------------- report helpers

def read_jsonl(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        raise DataMissing(f"missing file {path}")
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def placements(report: dict[str, Any]) -> dict[str, tuple[dict, dict]]:
    """doc id -> (its cluster, its member entry) for every clustered document."""
    out = {}
    for cluster in report["clusters"]:
        for member in cluster["members"]:
            out[member["id"]] = (cluster, member)
    return out


def cluster_ids(report: dict[str, Any]) -> dict[str, str]:
    """doc id -> cluster id."""
    return {m["id"]: c["id"] for c in report["clusters"] for m in c["members"]}


def linked_pairs(report: dict[str, Any]) -> set[frozenset[str]]:
    """Every two documents in one cluster."""
    pairs = set()
    for cluster in report["clusters"]:
        ids = sorted(m["id"] for m in cluster["members"])
        for i, a in enumerate(ids):
            for b in ids[i + 1:]:
                pairs.add(frozenset((a, b)))
    return pairs


def ancestry(member: dict, cluster: dict) -> list[str]:
    """Ids on the member's `of` chain up to the cluster's original (member excluded)."""
    by_id = {m["id"]: m for m in cluster["members"]}
    chain, node = [], member.get("of")
    while node is not None and node not in chain:
        chain.append(node)
        node = by_id.get(node, {}).get("of")
    return chain


def run_scan(dedupe, docs: list[dict]) -> dict[str, Any]:
    return dedupe.scan(docs).to_dict()


class Tuned:
    """The dedupe package with other verifier thresholds (``--verify NAME=VALUE``): the
    measures call ``scan`` and ``diff`` on it as they would on the package."""

    def __init__(self, dedupe, settings: dict[str, float]) -> None:
        self._dedupe = dedupe
        diffing = {k: v for k, v in settings.items() if k in dedupe.DiffOptions.__dataclass_fields__}
        verifying = {k: v for k, v in settings.items() if k not in diffing}
        self._options = replace(dedupe.ScanOptions(), verify=replace(dedupe.VerifyOptions(), **verifying),
                                diff=replace(dedupe.DiffOptions(), **diffing))

    def scan(self, docs):
        return self._dedupe.scan(docs, self._options)

    def diff(self, original: str, copy: str):
        return self._dedupe.diff(original, copy, self._options.diff.match)


def verify_setting(text: str) -> tuple[str, float]:
    """NAME=VALUE of ``--verify``, checked against VerifyOptions' and DiffOptions' fields."""
    name, sep, value = text.partition("=")
    dedupe = import_dedupe()
    fields = {**dedupe.VerifyOptions.__dataclass_fields__, **dedupe.DiffOptions.__dataclass_fields__}
    if not sep or name not in fields:
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE with NAME one of {', '.join(fields)}; got {text!r}")
    kind = float if fields[name].default is None else type(fields[name].default)  # threshold: None = the model's
    try:
        if fields[name].type in ("str | None",):
            return name, value
        return name, kind(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{name} needs a {kind.__name__}, got {value!r}") from None


# ---------------------------------------------------------------- meter_showbiz

def predict_derivation(doc_id: str, where: dict[str, tuple[dict, dict]], labels: dict[str, dict]) -> str:
    """wholly / partially / non for a newspaper text, from the report.

    Derived only when the text's `of` chain reaches a PA text of its own story; the
    grade then follows the text's relation.
    """
    if doc_id not in where:
        return "non"
    cluster, member = where[doc_id]
    story = labels[doc_id]["cluster"]
    reaches_pa = any(labels.get(a, {}).get("role") == "source" and labels[a]["cluster"] == story
                     for a in ancestry(member, cluster))
    if not reaches_pa:
        return "non"
    return RELATION_TO_DERIVATION.get(member["relation"], "non")


def derivation_figures(report: dict, labels: dict[str, dict], newspapers: list[str]) -> Figures:
    where = placements(report)
    gold = [labels[d]["derivation"] for d in newspapers]
    pred = [predict_derivation(d, where, labels) for d in newspapers]
    figures: Figures = {
        "derived_vs_non_macro_f1": macro_f1(as_derived(gold), as_derived(pred), ("derived", "non")),
        "three_class_macro_f1": macro_f1(gold, pred, DERIVATIONS),
    }
    for c, f in f1_by_class(gold, pred, DERIVATIONS).items():
        figures[f"f1_{c}"] = f
    matrix = confusion(gold, pred, DERIVATIONS)
    figures["confusion"] = "gold->pred(" + ",".join(DERIVATIONS) + ") " + " ".join(
        f"{c}=[{','.join(map(str, row))}]" for c, row in zip(DERIVATIONS, matrix))
    figures["original_is_wire"] = wire_share(report, labels, newspapers)
    figures["of_is_wire"] = of_wire_share(report, labels, newspapers)
    return figures


def as_derived(grades: Sequence[str]) -> list[str]:
    """wholly / partially -> derived; non stays non."""
    return ["non" if g == "non" else "derived" for g in grades]


def wire_share(report: dict, labels: dict[str, dict], newspapers: list[str]) -> float:
    """Share of derived-predicted newspaper texts whose cluster's original is a PA text."""
    where = placements(report)
    derived = [d for d in newspapers if predict_derivation(d, where, labels) != "non"]
    wire = sum(1 for d in derived if labels[where[d][0]["original"]["id"]]["role"] == "source")
    return share(wire, len(derived))


def of_wire_share(report: dict, labels: dict[str, dict], newspapers: list[str]) -> float:
    """Share of linked newspaper texts (members with an `of`) whose `of` is a PA text of their story."""
    where = placements(report)
    linked = [where[d][1] for d in newspapers if d in where and where[d][1].get("of") is not None]
    wire = sum(1 for m in linked if labels[m["of"]]["role"] == "source"
               and labels[m["of"]]["cluster"] == labels[m["id"]]["cluster"])
    return share(wire, len(linked))


def cross_story_figures(report: dict, labels: dict[str, dict]) -> Figures:
    """(member, of) edges and clusters joining texts of different METER stories.

    METER files a few PA texts under two story folders with the same text; those edges
    are reported as `duplicate` and counted apart as well.
    """
    edges = [m for c in report["clusters"] for m in c["members"]
             if m.get("of") is not None and labels[m["id"]]["cluster"] != labels[m["of"]]["cluster"]]
    mixed = sum(1 for c in report["clusters"] if len({labels[m["id"]]["cluster"] for m in c["members"]}) > 1)
    return {"cross_story_links_edges": len(edges),
            "cross_story_links_edges_duplicate": sum(1 for m in edges if m["relation"] == "duplicate"),
            "cross_story_links_clusters": mixed}


def gold_word_labels(text: str, record: dict) -> list[str | None]:
    """verbatim / rewrite / new of each word of `text` from a spans.jsonl record."""
    annotated = record["annotated_text"]
    ann = char_labels(len(annotated), ((s["start"], s["end"], s["type"]) for s in record["spans"]))
    return label_words(word_spans(text), transfer_labels(text, annotated, ann))


def predicted_word_labels(text: str, segments: Sequence[dict] | None) -> list[str]:
    """verbatim / rewrite / new of each word from diff segments (None: all new).

    Words no segment covers (wire furniture the normalizer drops) count as added.
    """
    words = word_spans(text)
    if not segments:
        return ["new"] * len(words)
    chars = char_labels(len(text), ((s["start"], s["end"], PRED_TO_GOLD[s["kind"]]) for s in segments))
    return [label or "new" for label in label_words(words, chars)]


def word_figures(pairs: Iterable[tuple[list[str | None], list[str]]], suffix: str = "") -> Figures:
    """Per-kind and macro F1 over all words with a gold label, pooled across texts."""
    gold: list[str] = []
    pred: list[str] = []
    unaligned = 0
    for g_words, p_words in pairs:
        for g, p in zip(g_words, p_words, strict=True):
            if g is None:
                unaligned += 1
            else:
                gold.append(g)
                pred.append(p)
    scores = f1_by_class(gold, pred, GOLD_KINDS)
    figures: Figures = {f"word_f1_{k}_{g}{suffix}": scores[g] for k, g in WORD_FIGURES}
    figures[f"word_macro_f1{suffix}"] = sum(scores.values()) / len(GOLD_KINDS)
    if not suffix:
        figures["words_scored"] = len(gold)
        figures["words_unaligned"] = unaligned
    return figures


def best_source(paper: str, candidates: Sequence[tuple[str, str]]) -> tuple[str, str]:
    """The (id, text) among `candidates` holding the largest share of the paper's words."""
    words = {w.casefold() for w in WORD.findall(paper)}

    def shared(candidate: tuple[str, str]) -> float:
        return share(len(words & {w.casefold() for w in WORD.findall(candidate[1])}), len(words))

    return max(sorted(candidates), key=shared)


def meter_word_figures(dedupe, report: dict, docs: dict[str, dict], labels: dict[str, dict],
                       spans: list[dict]) -> Figures:
    where = placements(report)
    scan_pairs, diff_pairs = [], []
    for record in spans:
        doc_id = record["id"]
        text = docs[doc_id]["text"]
        gold = gold_word_labels(text, record)
        member = where.get(doc_id, (None, {}))[1]
        segments = member.get("segments") if member.get("relation", "original") != "original" else None
        scan_pairs.append((gold, predicted_word_labels(text, segments)))
        story = labels[doc_id]["cluster"]
        sources = [(d, docs[d]["text"]) for d, lab in labels.items()
                   if lab["role"] == "source" and lab["cluster"] == story]
        _, pa_text = best_source(text, sources)
        d = dedupe.diff(pa_text, text)
        diff_pairs.append((gold, predicted_word_labels(text, [s.to_dict() for s in d.segments])))
    return {**word_figures(scan_pairs), **word_figures(diff_pairs, "_given_source")}


def measure_meter(dedupe, folder: Path, seeds: Path) -> Figures:
    docs = read_jsonl(folder / "docs.jsonl")
    labels = {r["id"]: r for r in read_jsonl(folder / "labels.jsonl")}
    spans = read_jsonl(folder / "spans.jsonl")
    by_id = {d["id"]: d for d in docs}
    newspapers = sorted(d for d, lab in labels.items() if lab["role"] == "newspaper")
    report = run_scan(dedupe, docs)
    figures: Figures = {"skipped": len(report["skipped"])}
    figures.update(derivation_figures(report, labels, newspapers))
    undated = run_scan(dedupe, [{k: v for k, v in d.items() if k != "published"} for d in docs])
    figures["original_is_wire_no_dates"] = wire_share(undated, labels, newspapers)
    figures["of_is_wire_no_dates"] = of_wire_share(undated, labels, newspapers)
    figures.update(cross_story_figures(report, labels))
    figures.update(meter_word_figures(dedupe, report, by_id, labels, spans))
    return figures


# ---------------------------------------------------------------- clough_stevenson

def answer_relation(source: str, answer: str, where: dict[str, tuple[dict, dict]]) -> str:
    """The answer's relation in its source's cluster, or unlinked / other_cluster."""
    if answer not in where:
        return "unlinked"
    if source not in where or where[source][0]["id"] != where[answer][0]["id"]:
        return "other_cluster"
    return where[answer][1]["relation"]


def measure_clough(dedupe, folder: Path, seeds: Path) -> Figures:
    """cut / light / heavy answers should share a cluster with their Wikipedia source, non not."""
    docs = read_jsonl(folder / "docs.jsonl")
    pairs = read_jsonl(folder / "labels.jsonl")
    where = placements(run_scan(dedupe, docs))
    correct: Counter[str] = Counter()
    total: Counter[str] = Counter()
    relations: dict[str, Counter[str]] = defaultdict(Counter)
    for pair in pairs:
        relation = answer_relation(pair["a"], pair["b"], where)
        linked = relation not in ("unlinked", "other_cluster")
        total[pair["label"]] += 1
        correct[pair["label"]] += linked == (pair["label"] != "non")
        relations[pair["label"]][relation] += 1
    figures: Figures = {"accuracy": share(sum(correct.values()), sum(total.values()))}
    for label in CLOUGH_LABELS:
        figures[f"accuracy_{label}"] = share(correct[label], total[label])
    for label in CLOUGH_LABELS:
        counts = relations[label]
        figures[f"relations_{label}"] = " ".join(f"{r}={counts[r]}" for r in RELATION_ORDER if counts[r])
    sources = sorted({pair["a"] for pair in pairs})
    figures["sources_named_original"] = sum(1 for s in sources if s in where and where[s][0]["original"]["id"] == s)
    figures["sources"] = len(sources)
    return figures


# ---------------------------------------------------------------- news_story_chains

def measure_chains(dedupe, folder: Path, seeds: Path) -> Figures:
    docs = read_jsonl(folder / "docs.jsonl")
    gold = {frozenset((r["a"], r["b"])): r["label"] for r in read_jsonl(folder / "labels.jsonl")}
    linked = linked_pairs(run_scan(dedupe, docs))
    unrelated = sum(1 for p in linked if gold.get(p) == "unrelated")
    same_chain = [p for p, label in gold.items() if label == "same_chain"]
    found = sum(1 for p in same_chain if p in linked)
    return {
        "linked_pairs": len(linked),
        "linked_unrelated": unrelated,
        "unrelated_share": share(unrelated, len(linked)),
        "same_chain_pairs": len(same_chain),
        "same_chain_linked": found,
        "same_chain_recall": share(found, len(same_chain)),
    }


# ---------------------------------------------------------------- semeval2022_task8

def score_band(score: float) -> tuple[float, float] | None:
    """The band (low, high] holding `score`; the first band also holds its low end (1.0)."""
    if score < SEMEVAL_BANDS[0][0]:
        return None
    for low, high in SEMEVAL_BANDS:
        if score <= high:
            return low, high
    return None


def measure_semeval(dedupe, folder: Path, seeds: Path) -> Figures:
    docs = read_jsonl(folder / "docs.jsonl")
    # labels.jsonl repeats some pairs (same score); each distinct pair counts once
    scores: dict[frozenset[str], float] = {}
    for pair in read_jsonl(folder / "labels.jsonl"):
        if not pair["synthetic_translation"]:
            scores.setdefault(frozenset((pair["a"], pair["b"])), pair["label"])
    cluster_of = cluster_ids(run_scan(dedupe, docs))
    counts: Counter[tuple[float, float]] = Counter()
    linked: Counter[tuple[float, float]] = Counter()
    for pair, score in scores.items():
        band = score_band(score)
        if band is None:
            continue
        counts[band] += 1
        a, b = (cluster_of.get(d) for d in sorted(pair))
        linked[band] += a is not None and a == b
    figures: Figures = {}
    for band in SEMEVAL_BANDS:
        name = f"band_{band[0]}-{band[1]}"
        figures[f"{name}_pairs"] = counts[band]
        figures[f"{name}_linked"] = linked[band]
        figures[f"{name}_linked_share"] = share(linked[band], counts[band])
    return figures


# ---------------------------------------------------------------- seeds

def measure_seeds(dedupe, folder: Path, seeds: Path) -> Figures:
    if not seeds.is_dir():
        raise DataMissing(f"seeds folder not found: {seeds} (use --seeds DIR)")
    report = run_scan(dedupe, [seeds])
    texts = report["documents"]
    together = [c for c in report["clusters"] if len(c["members"]) == texts]
    if not together:
        return {"same_cluster": 0, "original": "none", "relation": "unlinked", "relation_is_rewrite": 0}
    members = together[0]["members"]
    copy = next(m for m in members if m["relation"] != "original")
    return {"same_cluster": 1, "original": together[0]["original"]["id"], "relation": copy["relation"],
            "relation_is_rewrite": int(copy["relation"] == "rewrite")}


# ---------------------------------------------------------------- driver

Measure = Callable[[Any, Path, Path], Figures]
CORPORA: tuple[tuple[str, Measure], ...] = (
    ("meter_showbiz", measure_meter),
    ("clough_stevenson", measure_clough),
    ("news_story_chains", measure_chains),
    ("semeval2022_task8", measure_semeval),
    ("seeds", measure_seeds),
)


def import_dedupe():
    """The dedupe package of this checkout (an installed one may belong to another tree)."""
    sys.path.insert(0, str(REPO_ROOT))
    import dedupe

    return dedupe


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA,
                        help=f"folder of the corpora (default: {DEFAULT_DATA})")
    parser.add_argument("--seeds", type=Path, default=None,
                        help="folder of the two seed articles (default: DATA/../seeds)")
    parser.add_argument("--corpus", choices=[name for name, _ in CORPORA], action="append",
                        help="run only this corpus (repeatable)")
    parser.add_argument("--check", action="store_true",
                        help=f"compare with the floors in {FLOORS_FILE.name}; exit 1 if one fails")
    parser.add_argument("--floors", type=Path, default=FLOORS_FILE, help=argparse.SUPPRESS)
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write all figures as JSON")
    parser.add_argument("--verify", type=verify_setting, action="append", default=[], metavar="NAME=VALUE",
                        help="run with this threshold changed (a field of dedupe.VerifyOptions or "
                             "dedupe.DiffOptions; repeatable)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    data = args.data.resolve()
    if not data.is_dir():
        print(f"quality.py: data folder not found: {data} (use --data DIR)", file=sys.stderr)
        return 2
    if args.check and not args.floors.is_file():
        print(f"quality.py: floors file not found: {args.floors}", file=sys.stderr)
        return 2
    seeds = (args.seeds or data.parent / "seeds").resolve()
    selected = [name for name, _ in CORPORA if not args.corpus or name in args.corpus]
    dedupe = import_dedupe()
    if args.verify:
        try:
            dedupe = Tuned(dedupe, dict(args.verify))
        except dedupe.OptionsError as exc:
            print(f"quality.py: --verify: {exc}", file=sys.stderr)
            return 2
    figures: dict[str, Value] = {}
    for name, measure in CORPORA:
        if name not in selected:
            continue
        started = time.perf_counter()
        try:
            result = measure(dedupe, data / name, seeds)
        except DataMissing as exc:
            print(f"quality.py: {name}: {exc}", file=sys.stderr)
            return 2
        result["wall_seconds"] = time.perf_counter() - started
        for key, value in result.items():
            print(f"{name} {key} {format_value(value)}", flush=True)
            figures[f"{name} {key}"] = round(value, 6) if isinstance(value, float) else value
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    if not args.check:
        return 0
    floors = json.loads(args.floors.read_text(encoding="utf-8"))
    failures = check_floors(figures, floors, selected)
    for line in failures:
        print(line, file=sys.stderr)
    checked = sum(1 for key in floors if key.split(" ", 1)[0] in selected)
    print(f"quality floors: {checked - len(failures)} of {checked} figures within their floors", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
