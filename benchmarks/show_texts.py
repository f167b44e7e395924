"""Print texts of a corpus by id, for a reader auditing a cluster (issue 13): texts, dates, titles.

    python benchmarks/show_texts.py ../shared/data/reuters21578/docs.jsonl 4 16 2411

Only the texts are shown, never a score or a relation: verdicts come from reading.
"""
from __future__ import annotations

import argparse
import json
import textwrap


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus")
    parser.add_argument("ids", nargs="+")
    parser.add_argument("--width", type=int, default=3000, help="characters shown of each text")
    args = parser.parse_args()
    wanted = set(args.ids)
    docs = {}
    with open(args.corpus) as f:
        for line in f:
            d = json.loads(line)
            if str(d["id"]) in wanted:
                docs[str(d["id"])] = d
    for key in args.ids:
        d = docs.get(key)
        if d is None:
            print(f"\n--- id={key}: not in {args.corpus}")
            continue
        text = " ".join(d.get("text", "").split())
        more = f" [... {len(text) - args.width} more chars]" if len(text) > args.width else ""
        print(f"\n--- id={key} date={d.get('date') or d.get('published')} title={d.get('title')!r}")
        print(textwrap.fill(text[:args.width], 160) + more)


if __name__ == "__main__":
    main()
