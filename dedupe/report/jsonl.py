"""A Report as records: one flat dict per document (`to_records`), one JSON line each (`render_jsonl`),
for jq, pandas (``pd.read_json(path, lines=True)``) and scripts.

Each record: ``id``, ``cluster`` (None when the document is in no cluster), ``relation``
(original, duplicate, copy, rewrite, partial; ``unique`` for a document in no cluster, ``skipped``
for a text too short to compare, with its ``reason``), ``of`` (the member it was taken from),
``original`` (the cluster's original text), ``source``, ``title``, ``url``, ``published``, the
scores against ``of`` (``cosine``, ``containment``, ``jaccard``, ``coverage``) and the shares of
its words ``kept``, ``reworded`` and ``added`` (None where they do not apply).

Documents come in report order: every cluster's members, then the other documents in input order
(a report read back from JSON holds only the clustered ones).
"""
from __future__ import annotations

import json
from typing import Any

from ..model import SCORE_NAMES, SEGMENT_KINDS, Document, Member, Report



def _record(doc_id: str, cluster: str | None, relation: str, member: Member | None, doc: Document | None,
            original: str | None = None) -> dict[str, Any]:
    def field(name: str) -> str | None:
        value = getattr(member, name, None) if member is not None else None
        return value if value is not None else getattr(doc, name, None)

    scores, diff = (member.scores, member.diff) if member is not None else (None, None)
    return {"id": doc_id, "cluster": cluster, "relation": relation, "of": member.of if member else None,
            "original": original, "source": field("source"), "title": field("title"), "url": field("url"),
            "published": field("published"),
            **{k: round(getattr(scores, k), 4) if scores else None for k in SCORE_NAMES},
            **{k: round(diff.share(k), 4) if diff else None for k in SEGMENT_KINDS}}


def to_records(report: Report) -> list[dict[str, Any]]:
    """One dict per document: the clustered ones in report order, then the rest in input order."""
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for cluster in report.clusters:
        for member in cluster.members:
            out.append(_record(member.id, cluster.id, member.relation, member, report.texts.get(member.id),
                               cluster.members[0].id))
            seen.add(member.id)
    skipped = {s.id: s.reason for s in report.skipped}
    for doc_id, doc in report.texts.items():
        if doc_id not in seen:
            relation = "skipped" if doc_id in skipped else "unique"
            out.append(_record(doc_id, None, relation, None, doc))
            if relation == "skipped":
                out[-1]["reason"] = skipped[doc_id]
            seen.add(doc_id)
    for doc_id, reason in skipped.items():
        if doc_id not in seen:  # a report read back: the skipped texts are not in it
            out.append({**_record(doc_id, None, "skipped", None, None), "reason": reason})
    return out


def render_jsonl(report: Report) -> str:
    """`to_records` as JSON Lines (one compact object a line, UTF-8 kept as it is)."""
    return "".join(json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n" for r in to_records(report))
