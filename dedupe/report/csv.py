"""Render a Report as CSV: one row per copy, for spreadsheets and scripts.

RFC 4180 quoting as the csv module does it (fields with commas, quotes or line breaks are quoted),
except that a field holding a carriage return is always quoted: the csv module leaves a lone
``\r`` bare when rows end with ``\n``, and a reader then starts a new row there. Text cells whose
first character after any leading whitespace or control characters is = + - @ (or that begin
with a tab or carriage return) are prefixed with an apostrophe, so a spreadsheet shows them
instead of running them as formulas (outlet names and ids come from untrusted input).
"""
from __future__ import annotations

import re

from ..model import SCORE_NAMES, SEGMENT_KINDS, Report

COLUMNS = ("cluster", "original_id", "original_source", "original_in_corpus", "original_published",
           "original_title", "original_url",
           "copy_id", "copy_source", "copy_published", "relation", "of", "copy_title", "copy_url",
           *SCORE_NAMES, *SEGMENT_KINDS)


FORMULA = re.compile(r"[\s\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]*[=+\-@]")
NEEDS_QUOTES = re.compile(r'[",\r\n]')


def _cell(value: object) -> str:
    if value is None:
        return ""
    text = str(value)
    return "'" + text if FORMULA.match(text) or text[:1] in ("\t", "\r") else text


def _row(cells: list[str]) -> str:
    return ",".join('"' + c.replace('"', '""') + '"' if NEEDS_QUOTES.search(c) else c for c in cells) + "\n"


def render_csv(report: Report) -> str:
    """One row per copy (every cluster member but the original), in report order.

    >>> render_csv(dedupe.scan(["data/sample"])).splitlines()[0]  # doctest: +SKIP
    'cluster,original_id,original_source,...'
    """
    out = [_row(list(COLUMNS))]
    for cluster in report.clusters:
        origin = cluster.original
        closest = next((m for m in cluster.members if m.id == origin.id), cluster.members[0])
        for member in cluster.members[1:]:
            scores, diff = member.scores, member.diff
            numbers = ([f"{getattr(scores, k):.4f}" for k in SCORE_NAMES]
                       if scores else [""] * 4)
            shares = [f"{diff.share(k):.4f}" for k in SEGMENT_KINDS] if diff else [""] * 3
            out.append(_row([_cell(v) for v in (
                cluster.id, origin.id, origin.source, "true" if origin.in_corpus else "false", closest.published,
                closest.title, closest.url, member.id, member.source, member.published, member.relation, member.of, member.title, member.url)] + numbers + shares))
    return "".join(out)
