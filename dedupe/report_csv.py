"""Render a Report as CSV: one row per copy, for spreadsheets and scripts.

Written with the csv module (fields with commas, quotes or line breaks are quoted). Text cells
that begin with = + - @ or a tab are prefixed with an apostrophe, so a spreadsheet shows them
instead of running them as formulas (outlet names and ids come from untrusted input).
"""
from __future__ import annotations

import csv
import io

from .model import Report

COLUMNS = ("cluster", "original_id", "original_source", "original_in_corpus", "original_published",
           "copy_id", "copy_source", "copy_published", "relation", "of",
           "cosine", "containment", "jaccard", "coverage", "kept", "reworded", "added")


def _cell(value: object) -> str:
    if value is None:
        return ""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def render_csv(report: Report) -> str:
    """One row per copy (every cluster member but the original), in report order.

    >>> render_csv(dedupe.scan(["data/sample"])).splitlines()[0]  # doctest: +SKIP
    'cluster,original_id,original_source,...'
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for cluster in report.clusters:
        origin = cluster.original
        closest = next((m for m in cluster.members if m.id == origin.id), cluster.members[0])
        for member in cluster.members[1:]:
            scores, diff = member.scores, member.diff
            numbers = ([f"{getattr(scores, k):.4f}" for k in ("cosine", "containment", "jaccard", "coverage")]
                       if scores else [""] * 4)
            shares = [f"{diff.share(k):.4f}" for k in ("kept", "reworded", "added")] if diff else [""] * 3
            writer.writerow([_cell(v) for v in (
                cluster.id, origin.id, origin.source, "true" if origin.in_corpus else "false", closest.published,
                member.id, member.source, member.published, member.relation, member.of)] + numbers + shares)
    return out.getvalue()
