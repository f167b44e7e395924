"""Read a saved JSON report (`dedupe/report-v1`) back into a Report, checking every part.

The writer is `Report.to_json()` (model.py). A report that does not hold together (wrong
schema, a relation that does not exist, an offset outside its text) raises ReportError naming
the file and the place, for example ``report.json: clusters[2].members[1].relation: expected
one of duplicate, copy, rewrite, partial, got 'clone'``.
"""
from __future__ import annotations

import json
import os
from typing import Any

from ..errors import ReportError
from ..model import (RELATIONS, SCHEMA, SCORE_NAMES, SEGMENT_KINDS, Cluster, Diff, Document, Member, Original, Report,
                    Scores, Segment, Skipped, Span)

ORIGIN_RELATIONS = ("original", "copy", "derived")
TEXT_FIELDS = ("source", "published", "title", "url")


def load_report(path: str | os.PathLike) -> Report:
    """Read and check a saved report file.

    >>> load_report("report.json").clusters  # doctest: +SKIP
    """
    where = os.fspath(path)
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        raise ReportError(f"{where}: cannot read file: {exc.strerror or exc}") from None
    return parse_report(data, where)


def parse_report(data: bytes | str | dict, where: str = "report") -> Report:
    """A Report from JSON bytes or text, or from the already-parsed object."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")  # a BOM, as scan accepts it
        except UnicodeDecodeError:
            raise ReportError(f"{where}: not UTF-8 text") from None
    if isinstance(data, str):
        try:
            data = json.loads(data.removeprefix("\ufeff"), parse_constant=_refuse_constant)
        except json.JSONDecodeError as exc:
            raise ReportError(f"{where}: not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})") from None
        except RecursionError:
            raise ReportError(f"{where}: not valid JSON: nested too deeply") from None
        except ValueError as exc:  # NaN/Infinity, an integer of more than 4300 digits
            raise ReportError(f"{where}: not valid JSON: {str(exc).split(':')[0]}") from None
    return _Reader(where).report(data)


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not a JSON number")


class _Reader:
    """Checks one parsed report; every failure names the JSON path."""

    def __init__(self, where: str) -> None:
        self.where = where

    def fail(self, path: str, problem: str) -> None:
        raise ReportError(f"{self.where}: {path}: {problem}" if path else f"{self.where}: {problem}")

    def field(self, obj: dict, key: str, path: str, kind: type | tuple[type, ...], required: bool = True) -> Any:
        if key not in obj:
            if required:
                self.fail(path, f"missing {key!r}")
            return None
        value = obj[key]
        name = f"{path}.{key}" if path else key
        if kind is int and isinstance(value, bool) or not isinstance(value, kind):
            wanted = " or ".join(k.__name__ for k in (kind if isinstance(kind, tuple) else (kind,)))
            self.fail(name, f"expected {wanted.replace('NoneType', 'null')}, got {type(value).__name__}")
        return value

    def items(self, obj: dict, key: str, path: str, required: bool = True) -> list:
        return self.field(obj, key, path, list, required) or []

    def obj(self, value: Any, path: str) -> dict:
        if not isinstance(value, dict):
            self.fail(path, f"expected an object, got {type(value).__name__}")
        return value

    def report(self, data: Any) -> Report:
        if not isinstance(data, dict):
            self.fail("", f"not a dedupe report: the JSON is {type(data).__name__}, not an object")
        if data.get("schema") != SCHEMA:
            self.fail("", f"not a dedupe report: schema is {data.get('schema')!r}, expected {SCHEMA!r}")
        documents = self.field(data, "documents", "", int)
        skipped = tuple(self.skipped(self.obj(s, f"skipped[{i}]"), f"skipped[{i}]")
                        for i, s in enumerate(self.items(data, "skipped", "")))
        clusters = tuple(self.cluster(self.obj(c, f"clusters[{i}]"), f"clusters[{i}]")
                         for i, c in enumerate(self.items(data, "clusters", "")))
        seen: dict[str, str] = {}
        for n, cluster in enumerate(clusters):
            for member in cluster.members:
                if member.id in seen:
                    self.fail(f"clusters[{n}]", f"{member.id!r} is also in cluster {seen[member.id]}")
                seen[member.id] = cluster.id
        texts = self.texts(data)
        self.offsets(clusters, texts)
        return Report(documents=documents, skipped=skipped, clusters=clusters, texts=texts)

    def skipped(self, obj: dict, path: str) -> Skipped:
        return Skipped(self.field(obj, "id", path, str), self.field(obj, "reason", path, str))

    def cluster(self, obj: dict, path: str) -> Cluster:
        cluster_id = self.field(obj, "id", path, str)
        original = self.original(self.obj(self.field(obj, "original", path, dict), f"{path}.original"), f"{path}.original")
        raw = self.items(obj, "members", path)
        if not raw:
            self.fail(f"{path}.members", "a cluster needs at least its original")
        members: list[Member] = []
        for i, m in enumerate(raw):
            members.append(self.member(self.obj(m, f"{path}.members[{i}]"), f"{path}.members[{i}]", i, members))
        if original.id not in {m.id for m in members}:
            self.fail(f"{path}.original.id", f"{original.id!r} is not a member of the cluster")
        return Cluster(id=cluster_id, original=original, members=tuple(members))

    def original(self, obj: dict, path: str) -> Original:
        evidence = self.items(obj, "evidence", path)
        agencies = self.items(obj, "agencies", path, required=False)
        for key, values in (("evidence", evidence), ("agencies", agencies)):
            for i, value in enumerate(values):
                if not isinstance(value, str):
                    self.fail(f"{path}.{key}[{i}]", f"expected str, got {type(value).__name__}")
        relation = self.field(obj, "relation", path, str, required=False) or "original"
        if relation not in ORIGIN_RELATIONS:
            self.fail(f"{path}.relation", f"expected one of {', '.join(ORIGIN_RELATIONS)}, got {relation!r}")
        return Original(id=self.field(obj, "id", path, str), source=self.field(obj, "source", path, (str, type(None))),
                        in_corpus=self.field(obj, "in_corpus", path, bool), evidence=tuple(evidence),
                        relation=relation, wire=bool(self.field(obj, "wire", path, bool, required=False)),
                        agencies=tuple(agencies))

    def member(self, obj: dict, path: str, index: int, earlier: list[Member]) -> Member:
        member_id = self.field(obj, "id", path, str)
        relation = self.field(obj, "relation", path, str)
        fields = {k: self.field(obj, k, path, (str, type(None)), required=False) for k in ("source", "published", "title", "url")}
        if index == 0:
            if relation != "original" or "of" in obj:
                self.fail(path, "the first member is the cluster's original (relation 'original', no 'of')")
            return Member(id=member_id, relation=relation, **fields)
        allowed = RELATIONS[1:]
        if relation not in allowed:
            self.fail(f"{path}.relation", f"expected one of {', '.join(allowed)}, got {relation!r}")
        of = self.field(obj, "of", path, str)
        if of not in {m.id for m in earlier}:
            self.fail(f"{path}.of", f"{of!r} is not an earlier member of the cluster")
        raw_scores = self.obj(self.field(obj, "scores", path, dict), f"{path}.scores")
        scores = Scores(**{k: float(self.field(raw_scores, k, f"{path}.scores", (int, float), k != "coverage") or 0.0)
                           for k in SCORE_NAMES})
        segments = tuple(self.segment(self.obj(s, f"{path}.segments[{i}]"), f"{path}.segments[{i}]")
                         for i, s in enumerate(self.items(obj, "segments", path)))
        removed = tuple(self.span(self.obj(s, f"{path}.removed[{i}]"), f"{path}.removed[{i}]")
                        for i, s in enumerate(self.items(obj, "removed", path)))
        facts = self.items(obj, "new_facts", path, required=False)
        if not all(isinstance(f, str) for f in facts):
            self.fail(f"{path}.new_facts", "expected a list of strings")
        return Member(id=member_id, relation=relation, of=of, scores=scores,
                      diff=Diff(segments=segments, removed=removed, new_facts=tuple(facts)), **fields)

    def span(self, obj: dict, path: str) -> Span:
        start, end = self.field(obj, "start", path, int), self.field(obj, "end", path, int)
        if not 0 <= start <= end:
            self.fail(path, f"bad offsets {start}..{end}")
        return Span(start, end)

    def segment(self, obj: dict, path: str) -> Segment:
        span = self.span(obj, path)
        kind = self.field(obj, "kind", path, str)
        if kind not in SEGMENT_KINDS:
            self.fail(f"{path}.kind", f"expected one of {', '.join(SEGMENT_KINDS)}, got {kind!r}")
        return Segment(span.start, span.end, kind)

    def texts(self, data: dict) -> dict[str, Document]:
        raw = self.field(data, "texts", "", dict, required=False) or {}
        texts = {}
        for doc_id, entry in raw.items():
            path = f"texts[{doc_id!r}]"
            entry = self.obj(entry, path)
            fields = {k: self.field(entry, k, path, (str, type(None)), required=False) for k in TEXT_FIELDS}
            texts[doc_id] = Document(id=doc_id, text=self.field(entry, "text", path, str), **fields)
        return texts

    def offsets(self, clusters: tuple[Cluster, ...], texts: dict[str, Document]) -> None:
        """Marks must fall inside the texts they point into (when the report carries them)."""
        for c, cluster in enumerate(clusters):
            for i, member in enumerate(cluster.members):
                if member.diff is None:
                    continue
                path = f"clusters[{c}].members[{i}]"
                for key, spans, doc_id in (("segments", member.diff.segments, member.id),
                                           ("removed", member.diff.removed, member.of)):
                    doc = texts.get(doc_id)
                    if doc is None:
                        continue
                    for n, span in enumerate(spans):
                        if span.end > len(doc.text):
                            self.fail(f"{path}.{key}[{n}]", f"offsets {span.start}..{span.end} run past the end "
                                                            f"of the text of {doc_id!r} ({len(doc.text)} characters)")
