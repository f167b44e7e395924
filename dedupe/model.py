"""Plain values passed between the stages of the pipeline.

Every stage takes and returns these frozen dataclasses (or tuples of them), so
data flows one way: read -> normalize -> fingerprint -> candidates -> verify ->
cluster -> attribute -> diff -> report.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from .report.jsontext import json_document

Notify = Callable[[str], None]
"""Called with a one-line progress message (the CLI prints them on stderr; the library never prints)."""

SCHEMA = "dedupe/report-v1"
RELATIONS = ("original", "duplicate", "copy", "rewrite", "partial")
SEGMENT_KINDS = ("kept", "reworded", "added")
"""What the words of a copy are, against the text it was taken from (also the shares reports give)."""
SCORE_NAMES = ("cosine", "containment", "jaccard", "coverage")
"""The fields of `Scores`, in the order reports give them."""


def published_instant(published: str | None) -> float | None:
    """Unix time of an ISO 8601 date (a naive time counts as UTC); None when absent or unreadable."""
    if not published:
        return None
    try:
        stamp = datetime.fromisoformat(published)
    except ValueError:
        return None
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=timezone.utc)
    return stamp.timestamp()


@dataclass(frozen=True)
class Document:
    """One article as read from the input.

    >>> Document(id="a", text="Storm hits coast.", source="Harbor Gazette")
    Document(id='a', text='Storm hits coast.', source='Harbor Gazette', ...)
    """

    id: str
    text: str
    source: str | None = None
    published: str | None = None
    title: str | None = None
    url: str | None = None
    meta: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class Skipped:
    """A document left out of the analysis, with the reason."""

    id: str
    reason: str


@dataclass(frozen=True)
class Sentence:
    """A sentence of a normalized text: its character span and its token range."""

    start: int
    end: int
    tok_start: int
    tok_end: int


@dataclass(frozen=True)
class Normalized:
    """A document reduced to comparable tokens that still point into its own text.

    `tokens[i]` is the folded form of `text[starts[i]:ends[i]]`. Wire formatting
    (slug lines, bylines, rules) produces no tokens, so it never counts as content.
    """

    doc: Document
    tokens: tuple[str, ...]
    starts: tuple[int, ...]
    ends: tuple[int, ...]
    sentences: tuple[Sentence, ...]
    content_hash: str

    @property
    def text(self) -> str:
        return self.doc.text


@dataclass(frozen=True)
class Scores:
    """Similarity of a pair. Containment is of the copy's shingles in the original's."""

    cosine: float
    containment: float
    jaccard: float
    coverage: float = 0.0

    def to_dict(self) -> dict[str, float]:
        return {name: round(getattr(self, name), 4) for name in SCORE_NAMES}


@dataclass(frozen=True)
class Match:
    """A verified link between two documents (indices into the scan's documents)."""

    a: int
    b: int
    scores: Scores
    contain_ab: float  # share of a's shingles found in b
    contain_ba: float  # share of b's shingles found in a
    aligned_a: float  # share of a's tokens in sentences aligned to b
    aligned_b: float  # share of b's tokens in sentences aligned to a


@dataclass(frozen=True)
class Segment:
    start: int
    end: int
    kind: str

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "kind": self.kind}


@dataclass(frozen=True)
class Span:
    start: int
    end: int

    def to_dict(self) -> dict[str, int]:
        return {"start": self.start, "end": self.end}


@dataclass(frozen=True)
class Diff:
    """What a copy kept, reworded and added (offsets into the copy), and what it removed
    (offsets into the original)."""

    segments: tuple[Segment, ...]
    removed: tuple[Span, ...]
    new_facts: tuple[str, ...] = ()  # names and numbers the copy adds that the original lacks

    def share(self, kind: str) -> float:
        """Share of the copy's marked characters that are of `kind`."""
        total = sum(s.end - s.start for s in self.segments)
        if not total:
            return 0.0
        return sum(s.end - s.start for s in self.segments if s.kind == kind) / total

    def to_dict(self) -> dict[str, Any]:
        return {
            "segments": [s.to_dict() for s in self.segments],
            "removed": [r.to_dict() for r in self.removed],
            "new_facts": list(self.new_facts),
        }


@dataclass(frozen=True)
class Member:
    """A document's place in a cluster."""

    id: str
    relation: str
    of: str | None = None
    scores: Scores | None = None
    diff: Diff | None = None
    source: str | None = None
    published: str | None = None
    title: str | None = None
    url: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "relation": self.relation}
        if self.of is not None:
            out["of"] = self.of
        if self.source is not None:
            out["source"] = self.source
        if self.published is not None:
            out["published"] = self.published
        if self.title is not None:
            out["title"] = self.title
        if self.url is not None:
            out["url"] = self.url
        if self.scores is not None:
            out["scores"] = self.scores.to_dict()
        if self.diff is not None:
            out.update(self.diff.to_dict())
        return out


@dataclass(frozen=True)
class Original:
    """Where a cluster's story comes from."""

    id: str
    source: str | None
    in_corpus: bool = True
    evidence: tuple[str, ...] = ()
    relation: str = "original"  # how text `id` stands to the source's story: original, copy or derived
    wire: bool = False  # the source is on the wire-agency list
    agencies: tuple[str, ...] = ()  # wire agencies the cluster's texts credit (wire reuse)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "source": self.source, "in_corpus": self.in_corpus,
                "relation": self.relation, "wire": self.wire, "agencies": list(self.agencies),
                "evidence": list(self.evidence)}


@dataclass(frozen=True)
class Cluster:
    id: str
    original: Original
    members: tuple[Member, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "original": self.original.to_dict(),
                "members": [m.to_dict() for m in self.members]}


@dataclass(frozen=True)
class Report:
    """The result of a scan. `to_json()` gives the stable `dedupe/report-v1` document."""

    documents: int
    skipped: tuple[Skipped, ...]
    clusters: tuple[Cluster, ...]
    texts: dict[str, Document] = field(default_factory=dict, compare=False, repr=False)

    def to_dict(self) -> dict[str, Any]:
        """The stable ``dedupe/report-v1`` document (see the README).

        ``texts`` carries the clustered documents (text, source, published, title, url), so a
        saved report can be rendered again without the input."""
        texts: dict[str, Any] = {}
        for cluster in self.clusters:
            for member in cluster.members:
                doc = self.texts.get(member.id)
                if doc is not None and member.id not in texts:
                    texts[member.id] = {"text": doc.text, "source": doc.source, "published": doc.published,
                                        "title": doc.title, "url": doc.url}
        return {
            "schema": SCHEMA,
            "documents": self.documents,
            "skipped": [{"id": s.id, "reason": s.reason} for s in self.skipped],
            "clusters": [c.to_dict() for c in self.clusters],
            "texts": texts,
        }

    def to_json(self, indent: int | str | None = 2) -> str:
        """JSON text of `to_dict()`; the same input always gives the same bytes."""
        return json_document(self.to_dict, indent)

    def to_records(self) -> list[dict[str, Any]]:
        """One flat dict per document, as ``--format jsonl`` writes them (report.jsonl.to_records)."""
        from .report.jsonl import to_records
        return to_records(self)


# -- a watch run ----------------------------------------------------------------------------

WATCH_SCHEMA = "dedupe/watch-v1"


@dataclass(frozen=True)
class FeedStatus:
    """What happened to one feed in a run."""

    feed: str
    status: str  # "read", "not modified" or "failed"
    title: str | None = None
    entries: int = 0
    new: int = 0
    edited: int = 0
    problem: str | None = None  # one line: why the feed, or some of its entries, could not be read

    @property
    def ok(self) -> bool:
        return self.problem is None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"feed": self.feed, "status": self.status, "ok": self.ok}
        if self.title:
            out["title"] = self.title
        out.update(entries=self.entries, new=self.new, edited=self.edited)
        if self.problem:
            out["problem"] = self.problem
        return out


@dataclass(frozen=True)
class Edit:
    """An article whose text changed at the same address: the new version marked against the previous."""

    id: str
    version: int
    previous: int
    previous_seen: str
    diff: Diff
    before: Document = field(compare=False, repr=False)
    after: Document = field(compare=False, repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "version": self.version, "previous": self.previous,
                "previous_seen": self.previous_seen, **self.diff.to_dict()}


@dataclass(frozen=True)
class WatchResult:
    """What one run added: the feeds' status, the new articles, the stories they joined or
    started (`report`, whose ``documents`` counts the new articles) and the edits."""

    run: int
    started: str
    finished: str
    feeds: tuple[FeedStatus, ...]
    new: tuple[str, ...]
    edits: tuple[Edit, ...]
    report: Report
    story_status: dict[str, str]  # cluster id -> "new" (first seen in this run) or "grown"
    recovered: tuple[int, ...] = ()  # interrupted runs whose articles this run reports
    dropped: int = 0  # articles removed by --keep-days

    @property
    def ok(self) -> bool:
        """True when every feed, and every entry of it, was read."""
        return all(f.ok for f in self.feeds)

    def to_dict(self) -> dict[str, Any]:
        """The ``dedupe/watch-v1`` document: run facts, then the report-v1 fields for the new part."""
        report = self.report.to_dict()
        new = set(self.new)
        for cluster in report["clusters"]:
            cluster["status"] = self.story_status.get(cluster["id"], "grown")
            for member in cluster["members"]:
                member["new"] = member["id"] in new
        return {
            "schema": WATCH_SCHEMA,
            "run": self.run,
            "started": self.started,
            "finished": self.finished,
            "recovered_runs": list(self.recovered),
            "feeds": [f.to_dict() for f in self.feeds],
            "new": list(self.new),
            "dropped": self.dropped,
            "edits": [e.to_dict() for e in self.edits],
            "documents": report["documents"],
            "skipped": report["skipped"],
            "clusters": report["clusters"],
        }

    def to_json(self, indent: int | None = 2) -> str:
        return json_document(self.to_dict, indent)
