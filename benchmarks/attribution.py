"""How often the chosen original of a derived newspaper story is the PA wire text (METER showbiz).

Reads the corpus from ../shared/data/meter_showbiz (or DEDUPE_SHARED/data/meter_showbiz, or the
directory given as the first argument) and never copies it. Runs the scan twice: with the
documents as they are (PA wire copy carries its transmission time, papers printed the next day)
and with `published` removed from every document, so the original must be found from content
and credits alone.

    python benchmarks/attribution.py [METER_DIR]

It imports the `dedupe` package of the checkout it lives in, not an installed copy.
"""
from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import dedupe  # noqa: E402  (the checkout's own package)

SHARED = Path(os.environ.get("DEDUPE_SHARED", ROOT.parent / "shared"))


def load(folder: Path) -> tuple[list[dict], dict[str, dict]]:
    with open(folder / "docs.jsonl", encoding="utf-8") as fh:
        docs = [json.loads(line) for line in fh if line.strip()]
    with open(folder / "labels.jsonl", encoding="utf-8") as fh:
        labels = {row["id"]: row for row in map(json.loads, fh) if row}
    return docs, labels


def measure(docs: list[dict], labels: dict[str, dict]) -> dict[str, float | int]:
    """Counts over the derived (wholly or partially) newspaper texts."""
    started = time.perf_counter()
    report = dedupe.scan(docs)
    seconds = time.perf_counter() - started
    cluster_of = {m.id: c for c in report.clusters for m in c.members}
    derived = [i for i, row in labels.items()
               if row["role"] == "newspaper" and row["derivation"] in ("wholly", "partially")]
    clustered = [i for i in derived if i in cluster_of]
    with_wire = [i for i in clustered if any(labels[m.id]["role"] == "source" for m in cluster_of[i].members)]
    wire = [i for i in clustered if labels[cluster_of[i].original.id]["role"] == "source"]
    same_story = [i for i in wire if labels[cluster_of[i].original.id]["cluster"] == labels[i]["cluster"]]
    return {"derived": len(derived), "clustered": len(clustered), "with_wire": len(with_wire),
            "wire": len(wire), "same_story": len(same_story),
            "named_pa": sum(cluster_of[i].original.source == "PA" for i in clustered), "seconds": seconds}


def _share(part: int, whole: int) -> str:
    return f"{part}/{whole} = {part / whole:.1%}" if whole else f"{part}/0"


def show(name: str, m: dict[str, float | int]) -> None:
    print(f"{name} (scan {m['seconds']:.1f}s):\n"
          f"  chosen original is a PA wire text: {_share(m['wire'], m['clustered'])} of the derived newspaper "
          f"texts found in a cluster ({_share(m['wire'], m['derived'])} of all derived)\n"
          f"  ... of those whose cluster holds a PA text: {_share(m['wire'], m['with_wire'])}; "
          f"PA text of the same story: {m['same_story']}; source named PA: {m['named_pa']}\n"
          f"  derived texts in a cluster without any PA text (a detection miss): {m['clustered'] - m['with_wire']}; "
          f"in no cluster: {m['derived'] - m['clustered']}")


def main(argv: list[str]) -> int:
    folder = Path(argv[1]) if len(argv) > 1 else SHARED / "data" / "meter_showbiz"
    if not (folder / "docs.jsonl").is_file():
        print(f"METER showbiz corpus not found at {folder}", file=sys.stderr)
        return 1
    docs, labels = load(folder)
    show("with published", measure(docs, labels))
    undated = [{k: v for k, v in d.items() if k != "published"} for d in docs]
    show("without published", measure(undated, labels))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
