"""Static inline SVG charts for the HTML report: horizontal bar charts and a story's timeline.

Plain markup, no script and no external reference; every label is escaped, and each bar and
point carries a <title> a browser shows on hover.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone
from html import escape

from .text import _short

COLOURS = {"original": "#4a5568", "duplicate": "#1f4e9c", "copy": "#4f86d9", "rewrite": "#e0a800",
           "partial": "#6bbf6b", "stories": "#7a8799", "": "#7a8799"}
"""A bar's or point's fill by what it counts (the relations, or stories)."""

BAR, GAP, LABEL, WIDTH = 16, 5, 190, 600
LINE = 780  # width of a timeline


def _e(value: object) -> str:
    """`value` as HTML text or attribute value (the HTML report's escaping too)."""
    return escape(str(value), quote=True)


def bar_chart(title: str, rows: Sequence[tuple[str, Sequence[tuple[str, int]]]], more: int = 0) -> str:
    """Horizontal bars, one per (label, [(kind, value), ...]), each bar stacked by kind.

    `more` rows left out are named under the chart."""
    if not rows:
        return ""
    top = max(sum(v for _, v in parts) for _, parts in rows) or 1
    scale = (WIDTH - LABEL - 50) / top
    height = len(rows) * (BAR + GAP) + 4
    out = [f'<figure class="chart"><figcaption>{_e(title)}</figcaption>'
           f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
           f'viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{_e(title)}">']
    for n, (label, parts) in enumerate(rows):
        y = 2 + n * (BAR + GAP)
        out.append(f'<text x="{LABEL - 6}" y="{y + BAR - 4}" text-anchor="end">{_e(_short(label, 28))}'
                   f'<title>{_e(label)}</title></text>')
        x = float(LABEL)
        for kind, value in parts:
            if value <= 0:
                continue
            w = value * scale
            out.append(f'<rect x="{x:.1f}" y="{y}" width="{max(w, 1):.1f}" height="{BAR}" '
                       f'fill="{COLOURS.get(kind, COLOURS[""])}"><title>{_e(label)}: {value} {_e(kind)}</title></rect>')
            x += w
        total = sum(v for _, v in parts)
        out.append(f'<text x="{x + 5:.1f}" y="{y + BAR - 4}" class="n">{total}</text>')
    out.append("</svg>")
    if more:
        out.append(f'<p class="muted">and {more} more not shown</p>')
    out.append("</figure>")
    return "".join(out)


def chart_key(kinds: Sequence[str]) -> str:
    """The colour key of the relation charts."""
    return "".join(f'<span class="key"><svg xmlns="http://www.w3.org/2000/svg" width="12" height="12">'
                   f'<rect width="12" height="12" fill="{COLOURS[k]}"/></svg> {_e(k)}</span>' for k in kinds)


def _when(instant: float, span: float) -> str:
    stamp = datetime.fromtimestamp(instant, tz=timezone.utc)
    return stamp.strftime("%d %b %Y %H:%M" if span < 3 * 86400 else "%d %b %Y")


def timeline(points: Sequence[tuple[str, str, float]]) -> str:
    """A story's timeline: one lane per (label, relation, unix time), in time order, with the
    delay after the first. Empty when fewer than two points have a time."""
    if len(points) < 2:
        return ""
    points = sorted(points, key=lambda p: p[2])
    first, last = points[0][2], points[-1][2]
    span = last - first
    left, right, lane = 230, LINE - 130, 18
    height = len(points) * lane + 26
    out = [f'<svg class="timeline" xmlns="http://www.w3.org/2000/svg" width="{LINE}" height="{height}" '
           f'viewBox="0 0 {LINE} {height}" role="img" aria-label="timeline">',
           f'<line x1="{left}" y1="{height - 20}" x2="{right}" y2="{height - 20}" stroke="#99a"/>',
           f'<text x="{left}" y="{height - 5}" text-anchor="start">{_e(_when(first, span))}</text>',
           f'<text x="{right}" y="{height - 5}" text-anchor="end">{_e(_when(last, span))}</text>']
    for n, (label, relation, instant) in enumerate(points):
        y = 4 + n * lane + lane // 2
        x = left + ((instant - first) / span * (right - left) if span else 0)
        delay = _delay(instant - first)
        colour = COLOURS.get(relation, COLOURS[""])
        out.append(f'<text x="{left - 8}" y="{y + 4}" text-anchor="end">{_e(_short(label, 34))}</text>'
                   f'<line x1="{left}" y1="{y}" x2="{right}" y2="{y}" stroke="#e3e6ea"/>'
                   f'<circle cx="{x:.1f}" cy="{y}" r="5" fill="{colour}"><title>{_e(label)}: {_e(relation)}, '
                   f'{_e(_when(instant, 0))} UTC</title></circle>'
                   f'<text x="{right + 8}" y="{y + 4}">{_e(relation)} {_e(delay)}</text>')
    out.append("</svg>")
    return "".join(out)


def _delay(seconds: float) -> str:
    if seconds <= 0:
        return ""
    if seconds < 3600:
        return f"+{seconds / 60:.0f} min"
    if seconds < 2 * 86400:
        return f"+{seconds / 3600:.1f} h"
    return f"+{seconds / 86400:.0f} d"
