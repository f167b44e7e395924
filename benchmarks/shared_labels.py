"""Pair labels of the shared corpora in `dedupe train`'s label format, written outside the repo.

    python benchmarks/shared_labels.py --shared ../shared --out build/labels

The corpora and their labels stay in ../shared/data (research-only): this reads them in
place and writes pairs of ids with a label, for training and cross-validation only.
Mapping to the four labels of data/labels/GUIDE.md:

- METER showbiz (`pairs.jsonl`): PA x newspaper of one story; a `wholly`/`partially`
  derived newspaper text -> `derived` from the PA text whose words it shares most (METER
  labels the newspaper text, not which PA text it used), `non` (written independently)
  -> `same_event` with every PA text of its story;
- Clough & Stevenson: `cut`/`light`/`heavy` revisions of the source -> `derived`, `non`
  (the same task answered independently) -> `same_event`;
- news story chains: pairs of different chains -> `different` (pairs of one chain are
  left out: some are cross-edition copies, others follow-ups, and the corpus does not say which);
- SemEval-2022 task 8: pairs scored 3.5-4 (different stories) -> `different`.
"""
from __future__ import annotations

import argparse
import json
import re
from pathlib import Path


def meter(folder: Path):
    # METER labels the newspaper text, not the pair: a story's newspaper text is paired with
    # every PA text of the story (up to 13), most of which it did not use.  A derived
    # newspaper text is taken as derived from the PA text whose words it shares most
    # (plain word sets, no tool score); its other pairs are left out as unknown.
    words = {d["id"]: set(re.findall(r"[a-z0-9]+", d["text"].lower())) for d in _rows(folder / "docs.jsonl")}
    best: dict[str, tuple[float, str]] = {}
    rows = list(_rows(folder / "pairs.jsonl"))
    for row in rows:
        paper = words[row["b"]]
        share = len(paper & words[row["a"]]) / max(len(paper), 1)
        best[row["b"]] = max(best.get(row["b"], (-1.0, "")), (share, row["a"]))
    for row in rows:
        if row["label"] == "non":
            yield row["a"], row["b"], "same_event"
        elif best[row["b"]][1] == row["a"]:
            yield row["a"], row["b"], "derived"


def clough(folder: Path):
    for row in _rows(folder / "labels.jsonl"):
        yield row["a"], row["b"], "derived" if row["label"] in ("cut", "light", "heavy") else "same_event"


def chains(folder: Path):
    for row in _rows(folder / "labels.jsonl"):
        if row["label"] != "same_chain":
            yield row["a"], row["b"], "different"


def semeval(folder: Path):
    for row in _rows(folder / "labels.jsonl"):
        if row["label"] >= 3.5:
            yield row["a"], row["b"], "different"


CORPORA = {"meter_showbiz": meter, "clough_stevenson": clough, "news_story_chains": chains,
           "semeval2022_task8": semeval}


def _rows(path: Path):
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


def write_labels(shared: Path, out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, pairs in CORPORA.items():
        folder = shared / "data" / name
        if not folder.is_dir():
            continue
        path = out / f"{name}.jsonl"
        with open(path, "w", encoding="utf-8") as f:
            for a, b, label in pairs(folder):
                f.write(json.dumps({"corpus": name, "a": a, "b": b, "label": label}) + "\n")
        written.append(path)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", default="../shared", help="the shared folder (default ../shared)")
    parser.add_argument("--out", default="build/labels")
    args = parser.parse_args()
    for path in write_labels(Path(args.shared), Path(args.out)):
        print(path)


if __name__ == "__main__":
    main()
