"""The one place that calls the stages in order."""
from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import BinaryIO

import numpy as np

from .attribute import AttributeOptions, Link, attribute, is_wire_agency
from .candidates import find_candidates
from .cluster import build_trees
from .config import ScanOptions
from .diff import classify, diff_documents
from .fingerprint import Stemmer, fingerprint
from .model import Cluster, Diff, Document, Member, Normalized, Report, Skipped
from .normalize import normalize
from .read import read_documents
from .verify import SentenceVectors, verify

Progress = Callable[[str, float], None]
"""Called after each stage with the stage's name and its duration in seconds."""


def scan(inputs: Iterable, options: ScanOptions | None = None, progress: Progress | None = None,
         stdin: BinaryIO | None = None) -> Report:
    """Find copies, rewrites and partial reuse among articles and group them by original.

    `inputs` are paths (files or directories), ``"-"`` for JSONL on stdin,
    Document objects or dicts with ``id`` and ``text``.

    >>> report = scan([{"id": "a", "text": "..."}, {"id": "b", "text": "..."}])
    >>> report.to_json()  # doctest: +SKIP
    """
    options = options or ScanOptions()
    timer = _Timer(progress)
    docs = read_documents(inputs, stdin=stdin)
    timer.done("read")
    return scan_documents(docs, options, timer)


def scan_documents(docs: list[Document], options: ScanOptions, timer: "_Timer | None" = None) -> Report:
    timer = timer or _Timer(None)
    kept: list[Normalized] = []
    skipped: list[Skipped] = []
    for doc in docs:
        norm = normalize(doc)
        if len(norm.tokens) < options.min_words:
            reason = "empty" if not norm.tokens else f"too short ({len(norm.tokens)} words)"
            skipped.append(Skipped(doc.id, reason))
        else:
            kept.append(norm)
    timer.done("normalize")
    stemmer = Stemmer()
    fp = fingerprint(kept, options.fingerprint, stemmer=stemmer)
    timer.done("fingerprint")
    pairs = find_candidates(fp.signatures, fp.terms, options.candidates, options.fingerprint.seed)
    timer.done("candidates")
    sentences = SentenceVectors(kept, fp, stemmer)
    matches = verify(pairs, fp, sentences, options.verify)
    timer.done("verify")
    agencies = AttributeOptions() if options.agencies is None else AttributeOptions(agencies=options.agencies)
    wire = frozenset(i for i, n in enumerate(kept) if is_wire_agency(n.doc.source, agencies))
    trees = build_trees([n.doc for n in kept], matches, wire=wire)
    timer.done("cluster")
    clusters = []
    for number, tree in enumerate(trees, 1):
        clusters.append(_make_cluster(f"c{number}", tree, kept, options, stemmer, agencies))
    timer.done("attribute+diff")
    return Report(documents=len(docs), skipped=tuple(skipped), clusters=tuple(clusters),
                  texts={d.id: d for d in docs})


def _make_cluster(cluster_id, tree, kept: list[Normalized], options: ScanOptions, stemmer: Stemmer,
                  agencies: AttributeOptions) -> Cluster:
    root = kept[tree.root]
    links = [Link.from_match(kept[c].doc.id, kept[p].doc.id, tree.edges[c], tree.edges[c].a == c)
             for c, p in sorted(tree.parents.items())]
    origin = attribute(root.doc, [kept[i].doc for i in [tree.root, *sorted(tree.parents)]], links, agencies)
    members = [Member(id=root.doc.id, relation="original", source=root.doc.source,
                      published=root.doc.published, title=root.doc.title)]
    order = _tree_order(tree)
    for child in order:
        parent = kept[tree.parents[child]]
        doc = kept[child]
        d = diff_documents(parent, doc, options.verify.diff_match, stemmer)
        relation = classify(d, doc.content_hash == parent.content_hash,
                            options.verify.partial_added, options.verify.copy_kept,
                            options.verify.partial_facts)
        members.append(Member(id=doc.doc.id, relation=relation, of=parent.doc.id,
                              scores=tree.edges[child].scores, diff=d, source=doc.doc.source,
                              published=doc.doc.published, title=doc.doc.title))
    return Cluster(id=cluster_id, original=origin, members=tuple(members))


def _tree_order(tree) -> list[int]:
    """Members parents-first, siblings in input order."""
    children: dict[int, list[int]] = {}
    for child, parent in tree.parents.items():
        children.setdefault(parent, []).append(child)
    order, stack = [], [tree.root]
    while stack:
        node = stack.pop()
        kids = sorted(children.get(node, []))
        order.extend(kids)
        stack.extend(reversed(kids))
    return order


def diff(original_text: str, copy_text: str, sentence_match: float | None = None) -> Diff:
    """Marks of one text against another: kept / reworded / added in the copy, removed from the original.

    >>> d = diff("Storm hits the coast. Ferries halted.", "Storm hits the coast, say officials.")
    >>> [s.kind for s in d.segments]  # doctest: +SKIP
    """
    if sentence_match is None:
        sentence_match = ScanOptions().verify.diff_match
    return diff_documents(normalize(Document("original", original_text)),
                          normalize(Document("copy", copy_text)), sentence_match)


class _Timer:
    def __init__(self, progress: Progress | None) -> None:
        self._progress = progress
        self._last = time.perf_counter()

    def done(self, stage: str) -> None:
        now = time.perf_counter()
        if self._progress is not None:
            self._progress(stage, now - self._last)
        self._last = now
