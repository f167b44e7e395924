"""Share of a report's links whose two texts share fewer than half of their figures (issue 13).

    python benchmarks/link_figures.py REPORT.json DOCS.jsonl

A figure is a token with a digit, as the verifier reads them (`features.number_set`); a
link's share is the figures both texts state over the smaller text's figures.  Links where
one text states none are counted apart.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dedupe.stages.features import number_set  # noqa: E402
from dedupe.text.normalize import normalize  # noqa: E402
from dedupe.stages.read import read_documents  # noqa: E402


def main() -> None:
    report = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    docs = {d.id: d for d in read_documents([sys.argv[2]])}
    figures = {}
    low = none = total = 0
    for cluster in report["clusters"]:
        for member in cluster["members"]:
            if member["relation"] == "original":
                continue
            total += 1
            a, b = (figures.setdefault(k, number_set(normalize(docs[k]))) for k in (member["of"], member["id"]))
            if not a or not b:
                none += 1
            elif len(a & b) / min(len(a), len(b)) < 0.5:
                low += 1
    print(f"links {total}; sharing fewer than half of their figures {low} ({low / max(total, 1):.1%}); "
          f"one text without figures {none}")


if __name__ == "__main__":
    main()
