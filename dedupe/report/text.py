"""Render a Report for people: the plain-text terminal view, and the summary every view shares.

The JSON form is `Report.to_json()` (model.py), read back by report/json.py; HTML and CSV are in
report/html.py and report/csv.py. Renderers only format: they take a Report and return text.
"""
from __future__ import annotations

import re
import textwrap
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from ..model import SEGMENT_KINDS, Cluster, Diff, Document, Edit, Member, Original, Report, Span, WatchResult

RELATION_ORDER = ("duplicate", "copy", "rewrite", "partial")
UNKNOWN_SOURCE = "unknown source"
UNKNOWN_OUTLET = "unknown outlet"


# C0 and C1 controls, DEL, line/paragraph separators and bidirectional overrides: a terminal
# would act on them (ESC and OSC sequences, a carriage return that overwrites the line)
UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def printable(text: str | None) -> str:
    """`text` with every control character shown as an escape (``\\x1b``, ``\\r``...), so ids,
    sources and titles from untrusted input cannot move the cursor, forge lines or set the
    terminal's title."""
    if not text:
        return text or ""
    return UNSAFE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


@dataclass(frozen=True)
class SourceGroup:
    """The stories that come from one source, and what was made of them."""

    source: str
    clusters: tuple[Cluster, ...]

    @property
    def relations(self) -> Counter[str]:
        return relation_counts(self.clusters)

    @property
    def copies(self) -> int:
        return sum(self.relations.values())


def relation_counts(clusters: Sequence[Cluster]) -> Counter[str]:
    """Copies (every member but the original) by relation."""
    return Counter(m.relation for c in clusters for m in c.members[1:])


def group_by_source(report: Report) -> list[SourceGroup]:
    """Clusters grouped by the source they come from: most copies first, unknown source last."""
    groups: dict[str, list[Cluster]] = {}
    for cluster in report.clusters:
        groups.setdefault(cluster.original.source or UNKNOWN_SOURCE, []).append(cluster)
    made = [SourceGroup(source, tuple(clusters)) for source, clusters in groups.items()]
    return sorted(made, key=lambda g: (g.source == UNKNOWN_SOURCE, -g.copies, -len(g.clusters), g.source.casefold()))


def reuse_table(report: Report, limit: int = 10) -> list[tuple[str, str, int, Counter[str]]]:
    """Which outlets reuse which sources most: (outlet, source, copies, by relation), most first.
    An outlet's own later versions of its story are not reuse and are left out."""
    pairs: dict[tuple[str, str], Counter[str]] = {}
    for cluster in report.clusters:
        source = cluster.original.source or UNKNOWN_SOURCE
        for member in cluster.members[1:]:
            outlet = member.source or UNKNOWN_OUTLET
            if outlet.casefold() == source.casefold():
                continue
            pairs.setdefault((outlet, source), Counter())[member.relation] += 1
    rows = [(outlet, source, sum(c.values()), c) for (outlet, source), c in pairs.items()]
    rows.sort(key=lambda r: (-r[2], r[0].casefold(), r[1].casefold()))
    return rows[:limit]


def origin_note(origin: Original, root: Member) -> str | None:
    """How the corpus text closest to the source stands to it, when that needs saying."""
    if not origin.in_corpus:
        how = "a syndicated copy" if origin.relation == "copy" else "derived from it"
        return f"{printable(origin.id)} ({how}; the source's own text is not in the input)"
    if origin.id != root.id:
        return (f"{printable(origin.id)} (the source's own text; the derivation tree below starts at "
                f"{printable(root.id)})")
    return None


def plural(n: int, word: str, words: str | None = None) -> str:
    """ "1 story", "2 stories", "1 copy", "3 copies"."""
    return f"{n} {word if n == 1 else words or word + 's'}"


def relation_summary(relations: Counter[str]) -> str:
    return ", ".join(f"{relations[r]} {r}" for r in RELATION_ORDER if relations[r]) or "none"


def passages(spans: Sequence[Span], text: str, count: int = 2, min_words: int = 3, width: int = 90) -> list[str]:
    """The first `count` passages of at least `min_words` words, on one line each."""
    out = []
    for span in spans:
        piece = " ".join(text[span.start:span.end].split())
        if len(piece.split()) >= min_words:
            out.append(piece if len(piece) <= width else piece[: width - 1].rstrip() + "…")
            if len(out) == count:
                break
    return out


def shares(diff: Diff) -> str:
    return ", ".join(f"{kind} {diff.share(kind):.0%}" for kind in SEGMENT_KINDS)


def _table(rows: list[list[str]], right: set[int]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["  ".join(cell.rjust(w) if i in right else cell.ljust(w) for i, (cell, w) in enumerate(zip(row, widths)))
            .rstrip() for row in rows]


def _short(name: str, width: int = 36) -> str:
    name = printable(name)
    return name if len(name) <= width else name[: width - 1] + "…"


def render_summary(report: Report, groups: list[SourceGroup]) -> list[str]:
    """The summary table: sources, stories, copies by relation, and the outlets reusing most."""
    relations = relation_counts(report.clusters)
    copies = sum(relations.values())
    lines = [f"{plural(report.documents, 'document')}, {len(report.skipped)} skipped, "
             f"{plural(len(report.clusters), 'story', 'stories')} with copies from {plural(len(groups), 'source')}, "
             f"{plural(copies, 'copy', 'copies')} ({relation_summary(relations)})"]
    if not groups:
        return lines
    rows = [["source", "stories", "copies", *RELATION_ORDER]]
    for g in groups:
        rows.append([_short(g.source), str(len(g.clusters)), str(g.copies), *(str(g.relations[r]) for r in RELATION_ORDER)])
    rows.append(["total", str(len(report.clusters)), str(copies), *(str(relations[r]) for r in RELATION_ORDER)])
    lines += ["", *_table(rows, right=set(range(1, len(rows[0]))))]
    reuse = reuse_table(report)
    if reuse:
        rows = [["outlet", "reuses source", "copies", "relations"]]
        rows += [[_short(outlet), _short(source), str(n), relation_summary(c)] for outlet, source, n, c in reuse]
        lines += ["", *_table(rows, right={2})]
    return lines


def _heading(member: Member) -> str:
    parts = [printable(member.id)]
    if member.source:
        parts.append(printable(member.source))
    if member.published:
        parts.append(printable(member.published))
    head = " | ".join(parts)
    if member.title:
        head += f"\n      \"{printable(member.title)}\""
    return head


def render_member(member: Member, texts: dict[str, Document]) -> list[str]:
    scores = member.scores
    similarity = f"cosine {scores.cosine:.2f}, containment {scores.containment:.2f}" if scores else ""
    lines = [f"  └ {member.relation:<9} {_heading(member)}", f"      of {printable(member.of)}  ({similarity})"]
    diff = member.diff
    if diff is None:
        return lines
    lines.append(f"      {shares(diff)}")
    if member.id in texts:
        lines += [f"      + {p}" for p in passages([s for s in diff.segments if s.kind == "added"], texts[member.id].text)]
    if member.of in texts:
        lines += [f"      - {p}" for p in passages(diff.removed, texts[member.of].text)]
    return lines


def render_cluster(cluster: Cluster, texts: dict[str, Document], evidence: int = 3) -> list[str]:
    origin = cluster.original
    root = cluster.members[0]
    where = printable(origin.source) or UNKNOWN_SOURCE
    if not origin.in_corpus:
        where += " (named by the copies; its own text is not in the input)"
    lines = [f"[{cluster.id}] story from {where}", f"  original  {_heading(root)}"]
    note = origin_note(origin, root)
    if note:
        lines.append(f"  closest   {note}")
    for n, reason in enumerate(origin.evidence[:evidence]):
        lines.append(f"  {'evidence' if n == 0 else '':<9} {printable(reason)}")
    if len(origin.evidence) > evidence:
        lines.append(f"  {'':<9} (+{len(origin.evidence) - evidence} more in the JSON and HTML reports)")
    for member in cluster.members[1:]:
        lines.extend(render_member(member, texts))
    return lines


def render_text(report: Report) -> str:
    """The terminal report: a summary table, then the stories grouped by source.

    >>> print(render_text(dedupe.scan(["data/sample"])))  # doctest: +SKIP
    """
    groups = group_by_source(report)
    lines = render_summary(report, groups)
    if report.skipped:
        lines.append("")
    for skipped in report.skipped:
        lines.append(f"  skipped {printable(skipped.id)}: {printable(skipped.reason)}")
    for group in groups:
        lines += ["", f"== {printable(group.source)}: {plural(len(group.clusters), 'story', 'stories')}, "
                      f"{plural(group.copies, 'copy', 'copies')} ({relation_summary(group.relations)}) =="]
        for cluster in group.clusters:
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
    lines.append(f"\n{shares(diff)}")
    return "\n".join(lines) + "\n"


# -- a watch run (dedupe watch) -----------------------------------------------------------

def render_watch_text(result: WatchResult) -> str:
    """What a run found, for people: a summary line, then each new or grown story
    (new members with their marks), then the edited articles."""
    feeds = result.feeds
    failed = sum(1 for f in feeds if f.status == "failed")
    partly = sum(1 for f in feeds if f.status != "failed" and not f.ok)
    unchanged = sum(1 for f in feeds if f.status == "not modified")
    new_stories = sum(1 for s in result.story_status.values() if s == "new")
    grown = len(result.story_status) - new_stories
    notes = [f"{unchanged} not modified"] if unchanged else []
    if failed:
        notes.append(f"{failed} failed")
    if partly:
        notes.append(f"{partly} with unreadable entries")
    line = (f"run {result.run}: {_count(len(feeds), 'feed')}" + (f" ({', '.join(notes)})" if notes else "")
            + f", {_count(len(result.new), 'new article')} ({len(result.edits)} edited), "
            f"{_count(new_stories, 'new story', 'new stories')}, "
            f"{_count(grown, 'known story', 'known stories')} with new articles")
    if result.dropped:
        line += f", {_count(result.dropped, 'old article')} dropped"
    lines = [line]
    if result.recovered:
        lines.append(f"  including the articles of interrupted run(s) {', '.join(map(str, result.recovered))}")
    for skipped in result.report.skipped:
        lines.append(f"  skipped {printable(skipped.id)}: {skipped.reason}")
    new = set(result.new)
    edited = {e.id for e in result.edits}
    texts = result.report.texts
    for cluster in result.report.clusters:
        lines.append("")
        lines.extend(_render_story(cluster, result.story_status.get(cluster.id, "grown"), new, edited, texts))
    for edit in result.edits:
        lines.append("")
        lines.extend(_render_edit(edit))
    return "\n".join(lines) + "\n"


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def _render_story(cluster: Cluster, status: str, new: set[str], edited: set[str],
                  texts: dict[str, Document]) -> list[str]:
    origin = cluster.original
    where = printable(origin.source) or "unknown source"
    if not origin.in_corpus:
        where += " (named by the texts; its own text is not in the store)"
    added = sum(1 for m in cluster.members if m.id in new)
    head = f"[{cluster.id}] new story from {where}" if status == "new" else \
        f"[{cluster.id}] known story from {where}: {added} new"
    root = cluster.members[0]
    mark = "  (edited, see below)" if root.id in edited else "  (new)" if root.id in new else ""
    lines = [head, f"  original  {_describe(root)}{mark}"]
    for member in cluster.members[1:]:
        if member.id in new:
            lines.extend(render_member(member, texts))
        else:
            lines.append(f"  · {member.relation:<9} {_describe(member)}  (seen before)")
    return lines


def _describe(member) -> str:
    return " | ".join(printable(p) for p in (member.id, member.source, member.published) if p)


def _render_edit(edit: Edit) -> list[str]:
    d = edit.diff
    shares = ", ".join(f"{kind} {d.share(kind):.0%}" for kind in SEGMENT_KINDS)
    lines = [f"edited {printable(edit.id)} (version {edit.version}; version {edit.previous} seen {edit.previous_seen})",
             f"      {shares}"]
    for span in _largest([s for s in d.segments if s.kind != "kept"]):
        lines.append(f"      + {_snippet(edit.after.text, span.start, span.end)}")
    for span in _largest(list(d.removed)):
        lines.append(f"      - {_snippet(edit.before.text, span.start, span.end)}")
    return lines


def _largest(spans, count: int = 3):
    ranked = sorted(spans, key=lambda s: (-(s.end - s.start), s.start))[:count]
    return sorted(ranked, key=lambda s: s.start)


def _snippet(text: str, start: int, end: int, width: int = 90) -> str:
    piece = printable(" ".join(text[start:end].split()))
    return piece if len(piece) <= width else piece[: width - 1].rstrip() + "…"
