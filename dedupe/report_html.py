"""Render a Report as one self-contained HTML page.

No scripts, no fetches: the page carries its own CSS, and a Content-Security-Policy that forbids
scripts and every network load, so even a mistake in escaping could not run anything. Article
text, titles, ids and outlet names are untrusted input and pass through `html.escape`.

Sections are collapsed (<details>): sources, then stories, then each copy with its original and
the copy side by side, kept / reworded / added marked in the copy and removed in the original.
A report of a few thousand stories stays one file a browser opens quickly, because closed
sections are not laid out.
"""
from __future__ import annotations

from collections import Counter
from html import escape

from .model import Cluster, Document, Member, Report, Segment, Span
from .report import (RELATION_ORDER, SourceGroup, group_by_source, origin_note, plural, relation_counts,
                     relation_summary, reuse_table)

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"

STYLE = """
:root { --kept: #dbe8fb; --reworded: #fff0a0; --added: #c6efc6; --removed: #ffc9c9; --line: #d0d4da; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: #1d2430;
       margin: 0 auto; padding: 1.2em 2em 3em; max-width: 1500px; background: #fafbfc; }
h1 { font-size: 1.5em; margin: 0 0 .2em; } h2 { font-size: 1.15em; margin: 1.4em 0 .5em; }
.counts { color: #444; margin: 0 0 .8em; }
table { border-collapse: collapse; background: #fff; margin: .3em 0 1em; }
th, td { border: 1px solid var(--line); padding: .25em .6em; text-align: left; vertical-align: top; }
th { background: #eef1f5; } .n { text-align: right; font-variant-numeric: tabular-nums; }
.legend { display: flex; gap: .6em; flex-wrap: wrap; align-items: center; margin: .4em 0 1em; }
.legend span, .legend del { padding: .1em .5em; border-radius: 3px; }
.kept { background: var(--kept); } .reworded { background: var(--reworded); }
.added { background: var(--added); } del.removed { background: var(--removed); text-decoration: line-through; }
details { background: #fff; border: 1px solid var(--line); border-radius: 6px; margin: .4em 0; }
details > summary { cursor: pointer; padding: .45em .8em; list-style-position: inside; }
details[open] > summary { border-bottom: 1px solid var(--line); background: #f3f5f8; }
details > .body { padding: .4em .9em .7em; }
details.source > summary { font-weight: 600; font-size: 1.05em; }
details.story, details.copy { margin-left: .3em; }
.rel { display: inline-block; min-width: 5.6em; font-size: .85em; font-weight: 600; text-transform: uppercase;
       letter-spacing: .03em; color: #345; }
.muted { color: #667; } .badge { font-size: .8em; border: 1px solid #99a; border-radius: 3px; padding: 0 .35em; }
ul.evidence { margin: .3em 0 .6em; padding-left: 1.3em; } ul.evidence li { margin: .1em 0; }
.pair { display: grid; grid-template-columns: 1fr 1fr; gap: 1em; margin-top: .6em; }
.side h4 { margin: .2em 0 .4em; font-size: .95em; }
.text { white-space: pre-wrap; overflow-wrap: anywhere; border: 1px solid var(--line); border-radius: 4px;
        padding: .6em .8em; background: #fff; font-size: .93em; max-height: 42em; overflow: auto; }
.scores td { font-variant-numeric: tabular-nums; }
@media (max-width: 900px) { .pair { grid-template-columns: 1fr; } }
"""


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def _link(url: str | None, label: str) -> str:
    """A link only for http(s) addresses; anything else stays text."""
    if url and url.lower().startswith(("http://", "https://")):
        return f'<a href="{_e(url)}" rel="noopener noreferrer nofollow">{_e(label)}</a>'
    return _e(label)


def marked_text(text: str, spans: list[tuple[int, int, str]]) -> str:
    """`text` escaped, with each (start, end, kind) span wrapped in its mark."""
    out, pos = [], 0
    for start, end, kind in sorted(spans):
        start, end = max(start, pos), min(end, len(text))
        if start >= end:
            continue
        out.append(_e(text[pos:start]))
        tag = "del" if kind == "removed" else "span"
        out.append(f'<{tag} class="{kind}" title="{kind}">{_e(text[start:end])}</{tag}>')
        pos = end
    out.append(_e(text[pos:]))
    return "".join(out)


def _copy_marks(segments: tuple[Segment, ...]) -> list[tuple[int, int, str]]:
    return [(s.start, s.end, s.kind) for s in segments]


def _removed_marks(removed: tuple[Span, ...]) -> list[tuple[int, int, str]]:
    return [(s.start, s.end, "removed") for s in removed]


def _who(member: Member | None, doc: Document | None) -> str:
    source = (member.source if member else None) or (doc.source if doc else None)
    published = (member.published if member else None) or (doc.published if doc else None)
    parts = [p for p in (source, published) if p]
    return f' <span class="muted">({_e(", ".join(parts))})</span>' if parts else ""


def _side(label: str, doc_id: str, member: Member | None, doc: Document | None,
          marks: list[tuple[int, int, str]]) -> str:
    title = (member.title if member else None) or (doc.title if doc else None)
    head = f"{_e(label)}: {_link(doc.url if doc else None, doc_id)}{_who(member, doc)}"
    if title:
        head += f'<br><span class="muted">“{_e(title)}”</span>'
    body = (marked_text(doc.text, marks) if doc is not None
            else '<span class="muted">The text is not in this report (it was saved without texts).</span>')
    return f'<div class="side"><h4>{head}</h4><div class="text">{body}</div></div>'


def render_copy(member: Member, cluster: Cluster, anchor: str, texts: dict[str, Document]) -> str:
    by_id = {m.id: m for m in cluster.members}
    diff, scores = member.diff, member.scores
    kept = f"kept {diff.share('kept'):.0%} · reworded {diff.share('reworded'):.0%} · added {diff.share('added'):.0%}" \
        if diff else ""
    summary = (f'<span class="rel">{_e(member.relation)}</span> <b>{_e(member.id)}</b>{_who(member, None)}'
               f' <span class="muted">· {kept}</span>')
    rows = ""
    if scores:
        rows = "".join(f"<td>{getattr(scores, k):.2f}</td>" for k in ("cosine", "containment", "jaccard", "coverage"))
    share_cells = "".join(f"<td>{diff.share(k):.0%}</td>" for k in ("kept", "reworded", "added")) if diff else ""
    table = ('<table class="scores"><tr><th>derives from</th><th>cosine</th><th>containment</th><th>jaccard</th>'
             '<th>coverage</th><th>kept</th><th>reworded</th><th>added</th></tr>'
             f'<tr><td>{_e(member.of)}</td>{rows}{share_cells}</tr></table>')
    parent = by_id.get(member.of)
    left = _side("Original", member.of or "", parent, texts.get(member.of or ""),
                 _removed_marks(diff.removed) if diff else [])
    right = _side(member.relation.capitalize(), member.id, member, texts.get(member.id),
                  _copy_marks(diff.segments) if diff else [])
    return (f'<details class="copy" id="{anchor}" data-id="{_e(member.id)}" data-relation="{_e(member.relation)}">'
            f'<summary>{summary}</summary><div class="body">{table}<div class="pair" id="{anchor}-text">{left}{right}</div>'
            '</div></details>')


def render_story(cluster: Cluster, texts: dict[str, Document]) -> str:
    origin, root = cluster.original, cluster.members[0]
    closest = next((m for m in cluster.members if m.id == origin.id), root)
    doc = texts.get(closest.id)
    title = closest.title or (doc.title if doc else None) or root.title
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
    evidence = "".join(f"<li>{_e(e)}</li>" for e in origin.evidence)
    body = "".join(lines) + (f'<b>Evidence</b><ul class="evidence">{evidence}</ul>' if evidence else "")
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


def render_html(report: Report, open_sources: int = 30) -> str:
    """The HTML report: summary, legend, and the sources with their stories and copies.

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
    legend = ('<div class="legend"><b>Legend:</b> <span class="kept">kept (verbatim)</span>'
              '<span class="reworded">reworded</span><span class="added">added</span>'
              '<del class="removed">removed from the original</del>'
              '<span class="muted">Scores: cosine (TF-IDF of content words), containment (word 3-grams), '
              'jaccard (word 3-grams), coverage (words in aligned sentences).</span></div>')
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
        f'<header><h1>Syndication report</h1><p class="counts">{_e(counts)}</p>{legend}</header>\n'
        f'<section class="summary"><h2>Sources</h2>{_summary_tables(report, groups)}{skipped}</section>\n'
        f'<section class="stories"><h2>Stories by source</h2>\n{sources}\n</section>\n'
        "</body>\n</html>\n"
    )
