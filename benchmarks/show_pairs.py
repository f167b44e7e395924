"""Print pairs of texts for a labeller to read (issue 13): both texts, their dates and titles.

    python benchmarks/show_pairs.py ../shared/data/reuters21578/docs.jsonl PAIRS.tsv --start 0 --count 10

PAIRS.tsv holds one pair a line: ``id_a<TAB>id_b[<TAB>anything]``.  Only the texts are
shown, never a score: labels come from reading.
"""
from __future__ import annotations

import argparse
import json
import textwrap


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus")
    parser.add_argument("pairs")
    parser.add_argument("--start", type=int, default=0)
    parser.add_argument("--count", type=int, default=10)
    parser.add_argument("--width", type=int, default=3000, help="characters shown of each text")
    args = parser.parse_args()
    with open(args.pairs) as f:
        pairs = [line.rstrip("\n").split("\t")[:2] for line in f if line.strip()]
    wanted = {x for pair in pairs[args.start:args.start + args.count] for x in pair}
    docs = {}
    with open(args.corpus) as f:
        for line in f:
            d = json.loads(line)
            if str(d["id"]) in wanted:
                docs[str(d["id"])] = d
    for n in range(args.start, min(args.start + args.count, len(pairs))):
        a, b = pairs[n]
        print(f"\n######## pair {n}: {a} vs {b}")
        for side, key in (("A", a), ("B", b)):
            d = docs[key]
            text = " ".join(d.get("text", "").split())
            more = f" [... {len(text) - args.width} more chars]" if len(text) > args.width else ""
            print(f"--- {side} id={key} date={d.get('date') or d.get('published')} title={d.get('title')!r}")
            print(textwrap.fill(text[:args.width], 160) + more)


if __name__ == "__main__":
    main()
