"""Print texts of a corpus by id, for a reader auditing a cluster (issue 13): texts, dates, titles.

    python benchmarks/show_texts.py ../shared/data/reuters21578/docs.jsonl 4 16 2411

Only the texts are shown, never a score or a relation: verdicts come from reading.
"""
from __future__ import annotations

import argparse
import json
import textwrap
from collections.abc import Iterable


def load_texts(corpus: str, ids: Iterable[str]) -> dict[str, dict]:
    """The records of `corpus` (JSONL) whose id is among `ids`, by id."""
    wanted = set(ids)
    docs = {}
    with open(corpus) as f:
        for line in f:
            d = json.loads(line)
            if str(d["id"]) in wanted:
                docs[str(d["id"])] = d
    return docs


def print_text(label: str, d: dict, width: int) -> None:
    """One text under a header line with its date and title, cut at `width` characters."""
    text = " ".join(d.get("text", "").split())
    more = f" [... {len(text) - width} more chars]" if len(text) > width else ""
    print(f"--- {label} date={d.get('date') or d.get('published')} title={d.get('title')!r}")
    print(textwrap.fill(text[:width], 160) + more)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus")
    parser.add_argument("ids", nargs="+")
    parser.add_argument("--width", type=int, default=3000, help="characters shown of each text")
    args = parser.parse_args()
    docs = load_texts(args.corpus, args.ids)
    for key in args.ids:
        print()
        if key not in docs:
            print(f"--- id={key}: not in {args.corpus}")
            continue
        print_text(f"id={key}", docs[key], args.width)


if __name__ == "__main__":
    main()
