"""Render a Report for people: the plain-text terminal view.

The JSON form is `Report.to_json()` (model.py); this module only formats.
"""
from __future__ import annotations

import textwrap
from collections import Counter

from .model import Cluster, Document, Member, Report

RELATION_ORDER = ("duplicate", "copy", "rewrite", "partial")


def _snippet(text: str, start: int, end: int, width: int = 90) -> str:
    piece = " ".join(text[start:end].split())
    return piece if len(piece) <= width else piece[: width - 1].rstrip() + "…"


def _largest(spans, text: str, count: int = 2) -> list[str]:
    ranked = sorted(spans, key=lambda s: (-(s.end - s.start), s.start))[:count]
    return [_snippet(text, s.start, s.end) for s in sorted(ranked, key=lambda s: s.start)]


def _heading(member: Member) -> str:
    parts = [member.id]
    if member.source:
        parts.append(member.source)
    if member.published:
        parts.append(member.published)
    head = " | ".join(parts)
    if member.title:
        head += f"\n      \"{member.title}\""
    return head


def render_member(member: Member, texts: dict[str, Document], original: Member | None) -> list[str]:
    scores = member.scores
    similarity = f"cosine {scores.cosine:.2f}, containment {scores.containment:.2f}" if scores else ""
    lines = [f"  └ {member.relation:<9} {_heading(member)}", f"      of {member.of}  ({similarity})"]
    diff = member.diff
    if diff is None:
        return lines
    shares = ", ".join(f"{kind} {diff.share(kind):.0%}" for kind in ("kept", "reworded", "added"))
    lines.append(f"      {shares}")
    copy_text = texts[member.id].text if member.id in texts else None
    source_text = texts[member.of].text if member.of in texts else None
    if copy_text is not None:
        for piece in _largest([s for s in diff.segments if s.kind == "added"], copy_text):
            lines.append(f"      + {piece}")
    if source_text is not None:
        for piece in _largest(diff.removed, source_text):
            lines.append(f"      - {piece}")
    return lines


def render_cluster(cluster: Cluster, texts: dict[str, Document]) -> list[str]:
    origin = cluster.original
    root = cluster.members[0]
    where = origin.source or "unknown source"
    if not origin.in_corpus:
        where += " (named by the copies; its own text is not in the input)"
    lines = [f"[{cluster.id}] story from {where}", f"  original  {_heading(root)}"]
    for member in cluster.members[1:]:
        lines.extend(render_member(member, texts, root))
    return lines


def render_text(report: Report) -> str:
    """The terminal report: a summary, then each cluster under its original."""
    relations = Counter(m.relation for c in report.clusters for m in c.members[1:])
    copies = sum(relations.values())
    summary = ", ".join(f"{relations[r]} {r}" for r in RELATION_ORDER if relations[r]) or "none"
    lines = [
        f"{report.documents} documents, {len(report.skipped)} skipped, "
        f"{len(report.clusters)} stories with copies, {copies} copies ({summary})",
    ]
    for skipped in report.skipped:
        lines.append(f"  skipped {skipped.id}: {skipped.reason}")
    for cluster in report.clusters:
        lines.append("")
        lines.extend(render_cluster(cluster, report.texts))
    return "\n".join(lines) + "\n"


def render_diff_text(original: str, copy: str, diff, colour: bool = True) -> str:
    """The copy with its marks, then what the original lost. Colours: kept plain,
    reworded yellow, added green, removed red (brackets when colour is off)."""
    styles = {"kept": ("", ""), "reworded": ("\x1b[33m", "\x1b[0m"), "added": ("\x1b[32m", "\x1b[0m")}
    plain = {"kept": ("", ""), "reworded": ("{~", "~}"), "added": ("{+", "+}")}
    marks = styles if colour else plain
    out, pos = [], 0
    for seg in diff.segments:
        out.append(copy[pos:seg.start])
        left, right = marks[seg.kind]
        out.append(f"{left}{copy[seg.start:seg.end]}{right}")
        pos = seg.end
    out.append(copy[pos:])
    legend = ("legend: plain = kept, yellow = reworded, green = added, red = removed" if colour
              else "legend: plain = kept, {~ ~} = reworded, {+ +} = added, [- -] = removed")
    lines = [legend, "", "".join(out).rstrip(), ""]
    if diff.removed:
        lines.append("removed from the original:")
        left, right = ("\x1b[31m", "\x1b[0m") if colour else ("[-", "-]")
        for span in diff.removed:
            lines.append(textwrap.indent(f"{left}{' '.join(original[span.start:span.end].split())}{right}", "  "))
    shares = ", ".join(f"{kind} {diff.share(kind):.0%}" for kind in ("kept", "reworded", "added"))
    lines.append(f"\n{shares}")
    return "\n".join(lines) + "\n"
