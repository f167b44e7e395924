"""Print pairs of texts for a labeller to read (issue 13): both texts, their dates and titles.

    python benchmarks/show_pairs.py ../shared/data/reuters21578/docs.jsonl PAIRS.tsv --start 0 --count 10

PAIRS.tsv holds one pair a line: ``id_a<TAB>id_b[<TAB>anything]``.  Only the texts are
shown, never a score: labels come from reading.
"""
from __future__ import annotations

import argparse

from show_texts import load_texts, print_text


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
    docs = load_texts(args.corpus, (x for pair in pairs[args.start:args.start + args.count] for x in pair))
    for n in range(args.start, min(args.start + args.count, len(pairs))):
        a, b = pairs[n]
        print(f"\n######## pair {n}: {a} vs {b}")
        for side, key in (("A", a), ("B", b)):
            print_text(f"{side} id={key}", docs[key], args.width)


if __name__ == "__main__":
    main()
