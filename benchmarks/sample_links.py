"""Draw reported links that no label file holds yet, for reading by hand (issue 13).

    dedupe scan ../shared/data/reuters21578/docs.jsonl --format json -o build/reuters.json
    python benchmarks/sample_links.py build/reuters.json --per-relation 30 --seed 7 \
        --out build/audit.tsv --readers build/audit-ids.tsv

A link is a report member with an ``of``: (``of``, member id, relation).  Pairs that any
``data/labels/*.jsonl`` file (or ``--exclude`` file) already labels are not drawn again, so a
sample measures links nobody has read (``--labelled-too`` draws among all links).  ``--per-relation N`` draws at most N of each relation at
random (fixed seed); without it every unlabelled link is listed.  ``--out`` gets
``a<TAB>b<TAB>relation``; ``--readers`` the same pairs in a shuffled order without the relation,
which is what the readers get (`show_pairs.py` prints their texts): they never see what the tool
said.
"""
from __future__ import annotations

import argparse
import json
import random
from collections import Counter
from pathlib import Path

LABELS = Path(__file__).resolve().parent.parent / "data" / "labels"


def labelled_pairs(extra: list[str]) -> set[frozenset[str]]:
    seen: set[frozenset[str]] = set()
    for path in sorted(LABELS.glob("*.jsonl")) + [Path(p) for p in extra]:
        for line in path.read_text().splitlines():
            row = json.loads(line) if line.strip() else {}
            if "a" in row and "b" in row:
                seen.add(frozenset((str(row["a"]), str(row["b"]))))
            elif "\t" in line:
                a, b = line.split("\t")[:2]
                seen.add(frozenset((a, b)))
    return seen


def report_links(path: str) -> list[tuple[str, str, str]]:
    report = json.loads(Path(path).read_text())
    return [(m["of"], m["id"], m["relation"]) for c in report["clusters"] for m in c["members"] if m.get("of")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report", help="a JSON report (dedupe scan --format json)")
    parser.add_argument("--per-relation", type=int, default=None)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--exclude", nargs="*", default=[], help="more label or pair files to skip")
    parser.add_argument("--labelled-too", action="store_true",
                        help="draw among every link, labelled before or not (for the precision of what a scan "
                             "reports, and how far new readers agree with the earlier labels)")
    parser.add_argument("--out", required=True)
    parser.add_argument("--readers", required=True)
    args = parser.parse_args()
    links = report_links(args.report)
    seen = labelled_pairs(args.exclude)
    fresh = [link for link in links if args.labelled_too or frozenset(link[:2]) not in seen]
    rng = random.Random(args.seed)
    drawn = []
    for relation in ("duplicate", "copy", "rewrite", "partial"):
        mine = [link for link in fresh if link[2] == relation]
        rng.shuffle(mine)
        drawn += mine[:args.per_relation] if args.per_relation is not None else mine
    Path(args.out).write_text("".join(f"{a}\t{b}\t{r}\n" for a, b, r in drawn))
    shuffled = drawn[:]
    rng.shuffle(shuffled)
    Path(args.readers).write_text("".join(f"{a}\t{b}\n" for a, b, _ in shuffled))
    print(f"{len(links)} links ({dict(Counter(r for _, _, r in links))}); {len(fresh)} to draw from "
          f"({dict(Counter(r for _, _, r in fresh))}); drawn {len(drawn)} ({dict(Counter(r for _, _, r in drawn))})")


if __name__ == "__main__":
    main()
