"""Render a Report as one self-contained HTML page.

No fetches and one script of our own: the page carries its own CSS and SVG charts, and a
Content-Security-Policy that forbids every network load and every script but `SCRIPT` (allowed by
its SHA-256), so even a mistake in escaping could not run anything. Article text, titles, ids and
outlet names are untrusted input and pass through `html.escape`.

The page: counts, a legend defining the relations and marks, charts, an index of the stories by
source (filtered and sorted by `SCRIPT`; plain links without it), then collapsed sections
(<details>): sources, stories, and each copy with its original side by side as aligned rows of
sentences (`report/rows.py`). A report of a few thousand stories stays one file a browser opens
quickly, because closed sections are not laid out.
"""
from __future__ import annotations

import base64
import hashlib
from importlib import resources
from collections import Counter
from typing import TYPE_CHECKING

from ..config import DiffOptions
from ..model import SCORE_NAMES, SEGMENT_KINDS, Cluster, Document, Member, Report, published_instant
from .text import (RELATION_ORDER, SourceGroup, group_by_source, origin_note, plural, relation_counts,
                     relation_summary, reuse_table)
from .svg import _e, bar_chart, chart_key, timeline

if TYPE_CHECKING:
    from .rows import Row


def _asset(name: str) -> str:
    return resources.files(__package__).joinpath("assets", name).read_text(encoding="utf-8")


SCRIPT = _asset("report.js")
"""The page's only script: the index's filter box and sort order (set from a ``?find=words&order=copies``
query too), and opening the sections around a linked story. It reads the page's own data-* attributes
and never builds markup from them."""

SCRIPT_HASH = "sha256-" + base64.b64encode(hashlib.sha256(SCRIPT.encode("utf-8")).digest()).decode("ascii")
CSP = (f"default-src 'none'; script-src '{SCRIPT_HASH}'; style-src 'unsafe-inline'; img-src data:; "
       "base-uri 'none'; form-action 'none'")

STYLE = _asset("report.css")
"""The page's style sheet (the marks' colours, the aligned rows, the collapsed sections)."""


def _link(url: str | None, label: str) -> str:
    """A link only for http(s) addresses; anything else stays text."""
    if url and url.lower().startswith(("http://", "https://")):
        return f'<a href="{_e(url)}" rel="noopener noreferrer nofollow">{_e(label)}</a>'
    return _e(label)


def marked_text(text: str, spans: list[tuple[int, int, str]], start: int = 0, end: int | None = None) -> str:
    """`text[start:end]` escaped, with each (start, end, kind) span wrapped in its mark."""
    end = len(text) if end is None else end
    out, pos = [], start
    for a, b, kind in sorted(spans):
        a, b = max(a, pos), min(b, end)
        if a >= b:
            continue
        out.append(_e(text[pos:a]))
        tag = "del" if kind == "removed" else "span"
        out.append(f'<{tag} class="{kind}" title="{kind}">{_e(text[a:b])}</{tag}>')
        pos = b
    out.append(_e(text[pos:end]))
    return "".join(out)


def _who(member: Member | None, doc: Document | None) -> str:
    source = (member.source if member else None) or (doc.source if doc else None)
    published = (member.published if member else None) or (doc.published if doc else None)
    parts = [p for p in (source, published) if p]
    return f' <span class="muted">({_e(", ".join(parts))})</span>' if parts else ""


def _head(label: str, doc_id: str, member: Member | None, doc: Document | None) -> str:
    title = (member.title if member else None) or (doc.title if doc else None)
    head = f"<b>{_e(label)}</b>: {_link(doc.url if doc else None, doc_id)}{_who(member, doc)}"
    return head + (f'<br><span class="muted">“{_e(title)}”</span>' if title else "")


def row_tag(row: Row) -> str:
    """The middle column of a row: what the row shows."""
    if row.moved:
        return "moved"
    if row.copy is None:
        return "removed"
    if row.original is None:
        return "added"
    return "kept" if row.copy.kind == "kept" else "reworded" if row.copy.kind else ""


def render_rows(rows: list[Row], original: Document, copy: Document, member: Member) -> str:
    """The aligned rows of a copy and its original; word marks shown with the row's checkbox."""
    diff = member.diff
    copy_marks = [(s.start, s.end, s.kind) for s in diff.segments] if diff else []
    removed = [(s.start, s.end, "removed") for s in diff.removed] if diff else []
    out = []
    for row in rows:
        left, right = row.original, row.copy
        tag = row_tag(row)
        para = (left and left.paragraph) or (right and right.paragraph)
        o = (f'<div class="o {left.kind}">{marked_text(original.text, removed, left.start, left.end)}</div>'
             if left else '<div class="o"></div>')
        c = (f'<div class="c {right.kind}">{marked_text(copy.text, copy_marks, right.start, right.end)}</div>'
             if right else '<div class="c"></div>')
        out.append(f'<div class="row{" para" if para else ""}">{o}<div class="tag">{tag}</div>{c}</div>')
    return "".join(out)


def render_copy(member: Member, cluster: Cluster, anchor: str, texts: dict[str, Document]) -> str:
    by_id = {m.id: m for m in cluster.members}
    diff, scores = member.diff, member.scores
    kept = f"kept {diff.share('kept'):.0%} · reworded {diff.share('reworded'):.0%} · added {diff.share('added'):.0%}" \
        if diff else ""
    summary = (f'<span class="rel">{_e(member.relation)}</span> <b>{_e(member.id)}</b>{_who(member, None)}'
               f' <span class="muted">· {kept}</span>')
    rows = ""
    if scores:
        rows = "".join(f"<td>{getattr(scores, k):.2f}</td>" for k in SCORE_NAMES)
    share_cells = "".join(f"<td>{diff.share(k):.0%}</td>" for k in SEGMENT_KINDS) if diff else ""
    table = ('<table class="scores"><tr><th>derives from</th><th>cosine</th><th>containment</th><th>jaccard</th>'
             '<th>coverage</th><th>kept</th><th>reworded</th><th>added</th></tr>'
             f'<tr><td>{_e(member.of)}</td>{rows}{share_cells}</tr></table>')
    original, copy = texts.get(member.of or ""), texts.get(member.id)
    heads = (f'<div class="head"><div>{_head("Original", member.of or "", by_id.get(member.of), original)}</div>'
             f'<div></div><div>{_head(member.relation.capitalize(), member.id, member, copy)}</div></div>')
    if original is not None and copy is not None:
        from .rows import aligned_rows  # numeric libraries: loaded by a render, not by `dedupe --help`
        body = render_rows(aligned_rows(original, copy, diff), original, copy, member)
        toggle = (f'<input type="checkbox" class="wd" id="{anchor}-wd"><label class="words" for="{anchor}-wd"> '
                  'word detail: mark each kept, reworded and added word and each removed one</label>')
    else:
        body = '<div class="missing muted">The text is not in this report (it was saved without texts).</div>'
        toggle = ""
    return (f'<details class="copy" id="{anchor}" data-id="{_e(member.id)}" data-relation="{_e(member.relation)}">'
            f'<summary>{summary}</summary><div class="body">{table}{toggle}'
            f'<div class="rows" id="{anchor}-text">{heads}{body}</div></div></details>')


def story_title(cluster: Cluster, texts: dict[str, Document], words: int = 12) -> str:
    """The story's title: its closest text's, else any member's, else its first words."""
    origin = cluster.original
    ordered = sorted(cluster.members, key=lambda m: m.id != origin.id)
    for member in ordered:
        doc = texts.get(member.id)
        title = member.title or (doc.title if doc else None)
        if title and title.strip():
            return " ".join(title.split())
    for member in ordered:
        doc = texts.get(member.id)
        if doc is not None and doc.text.strip():
            first = doc.text.split()
            return " ".join(first[:words]) + (" …" if len(first) > words else "")
    return ""


def _story_date(cluster: Cluster, texts: dict[str, Document]) -> str:
    """The earliest readable publication time of the story's texts (ISO 8601), or ""."""
    dated = [(published_instant(p), p) for p in (_published(m, texts) for m in cluster.members) if p]
    dated = [(t, p) for t, p in dated if t is not None]
    return min(dated)[1] if dated else ""


def _published(member: Member, texts: dict[str, Document]) -> str | None:
    doc = texts.get(member.id)
    return member.published or (doc.published if doc else None)


def render_story(cluster: Cluster, texts: dict[str, Document]) -> str:
    origin, root = cluster.original, cluster.members[0]
    closest = next((m for m in cluster.members if m.id == origin.id), root)
    doc = texts.get(closest.id)
    title = story_title(cluster, texts)
    relations = relation_counts([cluster])
    copies = sum(relations.values())
    summary = (f'<b>[{_e(cluster.id)}]</b> {("“" + _e(title) + "” ") if title else ""}'
               f'<span class="muted">· {plural(copies, "copy", "copies")} ({_e(relation_summary(relations))})</span>')
    source = _e(origin.source or "unknown source")
    badges = ""
    if origin.wire:
        badges += ' <span class="badge">wire agency</span>'
    if not origin.in_corpus:
        badges += ' <span class="badge">own text not in the input</span>'
    lines = [f"<p><b>Source:</b> {source}{badges}<br>",
             f"<b>Original in the corpus:</b> {_link(doc.url if doc else None, closest.id)}{_who(closest, doc)}"]
    note = origin_note(origin, root)
    if note:
        lines.append(f'<br><span class="muted">{_e(note)}</span>')
    if origin.agencies:
        lines.append(f"<br><b>Wire agencies credited:</b> {_e(', '.join(origin.agencies))}")
    lines.append("</p>")
    points = [(" · ".join(p for p in ((m.source or (texts[m.id].source if m.id in texts else None)), m.id) if p),
               m.relation, published_instant(_published(m, texts))) for m in cluster.members]
    line = timeline([p for p in points if p[2] is not None])
    evidence = "".join(f"<li>{_e(e)}</li>" for e in origin.evidence)
    body = "".join(lines) + (f"<b>Timeline</b>{line}" if line else "")
    body += f'<b>Evidence</b><ul class="evidence">{evidence}</ul>' if evidence else ""
    body += "".join(render_copy(m, cluster, f"{_e(cluster.id)}-{n}", texts)
                    for n, m in enumerate(cluster.members[1:], 1))
    return (f'<details class="story" id="{_e(cluster.id)}" data-cluster="{_e(cluster.id)}" '
            f'data-copies="{copies}"><summary>{summary}</summary><div class="body">{body}</div></details>')


def render_source(group: SourceGroup, n: int, texts: dict[str, Document], open_: bool) -> str:
    summary = (f'{_e(group.source)} <span class="muted">· {plural(len(group.clusters), "story", "stories")}, '
               f'{plural(group.copies, "copy", "copies")} ({_e(relation_summary(group.relations))})</span>')
    body = "".join(render_story(c, texts) for c in group.clusters)
    return (f'<details class="source" id="source-{n}"{" open" if open_ else ""}><summary>{summary}</summary>'
            f'<div class="body">{body}</div></details>')


def _summary_tables(report: Report, groups: list[SourceGroup]) -> str:
    relations = relation_counts(report.clusters)
    head = "".join(f"<th>{r}</th>" for r in RELATION_ORDER)
    rows = "".join(
        f'<tr><td><a href="#source-{n}">{_e(g.source)}</a></td><td class="n">{len(g.clusters)}</td>'
        f'<td class="n">{g.copies}</td>' + "".join(f'<td class="n">{g.relations[r]}</td>' for r in RELATION_ORDER) + "</tr>"
        for n, g in enumerate(groups, 1))
    total = (f'<tr><th>total</th><th class="n">{len(report.clusters)}</th><th class="n">{sum(relations.values())}</th>'
             + "".join(f'<th class="n">{relations[r]}</th>' for r in RELATION_ORDER) + "</tr>")
    html = (f'<table class="sources"><tr><th>source</th><th>stories</th><th>copies</th>{head}</tr>{rows}{total}</table>')
    reuse = reuse_table(report)
    if reuse:
        rows = "".join(f'<tr><td>{_e(outlet)}</td><td>{_e(source)}</td><td class="n">{count}</td>'
                       f'<td>{_e(relation_summary(by))}</td></tr>' for outlet, source, count, by in reuse)
        html += ('<h2>Outlets reusing sources most</h2><table class="reuse"><tr><th>outlet</th><th>reuses source</th>'
                 f'<th>copies</th><th>relations</th></tr>{rows}</table>')
    return html


def legend() -> str:
    """What the relations and the marks mean, in the words of the rules that set them."""
    options = DiffOptions()
    items = [
        ("duplicate", "the same text as its original once case, spacing and page furniture are set aside."),
        ("copy", f"a text taken from the original with at least {options.copy_kept:.0%} of what it took verbatim "
                 "(a syndicated or pasted copy, perhaps cut or with a few words changed)."),
        ("rewrite", f"a text derived from the original with less than {options.copy_kept:.0%} of what it took "
                    "verbatim: the story retold in other words (a paraphrase, often by a machine)."),
        ("partial", f"a text that reuses the original and adds over {options.partial_added:.0%} of its own, "
                    f"naming at least {options.partial_facts} people, places or figures the original does not "
                    "(wire text plus own reporting)."),
        ('<span class="kept">kept</span>', "words the copy shares verbatim with the original (in a run of 3 words "
                                           "or more)."),
        ('<span class="reworded">reworded</span>', "words of a copy's sentence that matches a sentence of the "
                                                   "original, said differently."),
        ('<span class="added">added</span>', "the copy's sentences with no counterpart in the original."),
        ('<del class="removed">removed</del>', "the original's sentences the copy has no counterpart for."),
        ("moved", "in the side-by-side rows: a sentence whose counterpart is elsewhere in the other text "
                  "(each text keeps its own order)."),
        ("scores", "cosine (TF-IDF of content words), containment and jaccard (word 3-grams), coverage (words "
                   "in aligned sentences)."),
    ]
    rows = "".join(f"<dt>{term}</dt><dd>{text}</dd>" for term, text in items)
    return f'<dl class="legend">{rows}</dl>'


def charts(report: Report, groups: list[SourceGroup], top: int = 15) -> str:
    """Bar charts: copies per relation, stories per source, and the outlets that reuse each source."""
    relations = relation_counts(report.clusters)
    shown = [r for r in RELATION_ORDER if relations[r]]
    out = [bar_chart("Copies by relation", [(r, [(r, relations[r])]) for r in shown])]
    out.append(bar_chart("Stories per source", [(g.source, [("stories", len(g.clusters))]) for g in groups[:top]],
                         more=max(len(groups) - top, 0)))
    by_source: dict[str, Counter[str]] = {}
    for cluster in report.clusters:
        source = cluster.original.source or ""
        for member in cluster.members[1:]:
            if member.source and member.source.casefold() != source.casefold():
                by_source.setdefault(source or "unknown source", Counter())[member.source] += 1
    reusers = sorted(by_source.items(), key=lambda kv: (-len(kv[1]), kv[0].casefold()))
    out.append(bar_chart("Outlets that reuse each source", [(s, [("", len(c))]) for s, c in reusers[:top]],
                         more=max(len(reusers) - top, 0)))
    return (f'<div class="tools">{chart_key(shown)}</div><div class="charts">{"".join(out)}</div>')


def index(report: Report, groups: list[SourceGroup]) -> str:
    """Every story in a table, by source, linked to its section; the filter box and order for `SCRIPT`."""
    rows, n = [], 0
    for group in groups:
        for cluster in group.clusters:
            n += 1
            title = story_title(cluster, report.texts)
            relations = relation_counts([cluster])
            date = _story_date(cluster, report.texts)
            find = " ".join([cluster.id, title, group.source, *(m.id for m in cluster.members),
                             *(m.source or "" for m in cluster.members)]).casefold()
            rows.append(f'<tr data-n="{n}" data-story="{_e(cluster.id)}" data-copies="{sum(relations.values())}" '
                        f'data-date="{_e(date)}" data-title="{_e(title.casefold())}" '
                        f'data-source="{_e(group.source.casefold())}" '
                        f'data-find="{_e(find)}"><td>{_e(group.source)}</td>'
                        f'<td><a href="#{_e(cluster.id)}">{_e(cluster.id)}</a></td><td>{_e(title)}</td>'
                        f'<td class="when">{_e(date[:16].replace("T", " "))}</td>'
                        f'<td class="n">{sum(relations.values())}</td>'
                        f'<td>{_e(relation_summary(relations))}</td></tr>')
    tools = ('<div class="tools"><label>Find <input type="search" id="find" placeholder="words of a title, id or '
             'outlet" autocomplete="off"></label><label>Order <select id="order"><option value="n">by source'
             '</option><option value="copies">most copies</option><option value="earliest">earliest</option>'
             '<option value="latest">latest</option><option value="title">title</option></select></label>'
             f'<span class="muted" id="shown">{plural(n, "story", "stories")}</span></div>')
    return (f'{tools}<div class="index-scroll"><table class="index"><thead><tr><th>source</th><th>story</th>'
            '<th>title</th><th>first published</th><th>copies</th><th>relations</th></tr></thead>'
            f'<tbody id="index-rows">{"".join(rows)}</tbody></table></div>')


def render_html(report: Report, open_sources: int = 30) -> str:
    """The HTML report: summary, legend, charts, index, and the sources with their stories and copies.

    Source sections start open when the report has at most `open_sources` stories.

    >>> open("report.html", "w").write(render_html(dedupe.scan(["data/sample"])))  # doctest: +SKIP
    """
    groups = group_by_source(report)
    relations: Counter[str] = relation_counts(report.clusters)
    copies = sum(relations.values())
    counts = (f"{plural(report.documents, 'document')}, {len(report.skipped)} skipped · "
              f"{plural(len(report.clusters), 'story', 'stories')} with copies from {plural(len(groups), 'source')} · "
              f"{plural(copies, 'copy', 'copies')} ({relation_summary(relations)})")
    skipped = ""
    if report.skipped:
        items = "".join(f"<li>{_e(s.id)}: {_e(s.reason)}</li>" for s in report.skipped)
        skipped = (f'<details class="skipped"><summary>{plural(len(report.skipped), "skipped document")}</summary>'
                   f'<div class="body"><ul>{items}</ul></div></details>')
    open_ = len(report.clusters) <= open_sources
    sources = "".join(render_source(g, n, report.texts, open_) for n, g in enumerate(groups, 1))
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        '<meta name="referrer" content="no-referrer">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>dedupe report: {plural(len(report.clusters), 'story', 'stories')}, "
        f"{plural(copies, 'copy', 'copies')}</title>\n"
        f"<style>{STYLE}</style>\n</head>\n<body>\n"
        f'<header><h1>Syndication report</h1><p class="counts">{_e(counts)}</p>{legend()}</header>\n'
        f'<section class="summary"><h2>Sources</h2>{_summary_tables(report, groups)}{skipped}</section>\n'
        f'<section class="charts-section"><h2>Charts</h2>{charts(report, groups)}</section>\n'
        f'<section class="index-section"><h2>Index of stories</h2>{index(report, groups)}</section>\n'
        f'<section class="stories"><h2>Stories by source</h2>\n{sources}\n</section>\n'
        f"<script>{SCRIPT}</script>\n</body>\n</html>\n"
    )
