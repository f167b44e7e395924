"""The one place that calls the stages in order.

    read -> digest (normalize, shingles, MinHash, stems) -> fingerprint (TF-IDF) -> candidates
      -> verify -> cluster -> attribute + diff

`run_stages` sequences them for a scan; an executor (executors.LocalExecutor, or the Dask
engine's) decides where their chunks run, never what they compute.  `watch.py` drives the
same verify, cluster and attribute + diff functions on what is new in a store.
"""
from __future__ import annotations

import time
from dataclasses import replace
from functools import partial
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import BinaryIO, Protocol

import numpy as np

from .attribute import Derivation, attribute, is_wire_agency
from .candidates import find_candidates
from .cluster import Tree, build_trees
from .config import AttributeOptions, ScanOptions
from .diff import Differ, classify, diff_documents
from .digest import Digest, TokenTable, digest_documents, merge_digests, sentence_rows
from .executors import LocalExecutor
from .fingerprint import Stemmer, assemble_fingerprints
from .gcpause import collector_paused
from .model import Cluster, Diff, Document, Match, Member, Normalized, Report
from .normalize import normalize
from .features import corpus_stats
from .pairwise import SentenceRows, verify_pairs
from .read import read_documents


class Executor(Protocol):
    """Where a stage's chunks run (executors.LocalExecutor, engine_dask.DaskExecutor)."""

    def map(self, function: Callable, items: Sequence, shared, **how) -> list: ...

    def pair_features(self, pairs: np.ndarray, fp, rows, sentence_match: float) -> tuple[np.ndarray, ...]: ...


Progress = Callable[[str, float], None]
"""Called after each stage with the stage's name and its duration in seconds."""


def scan(inputs: Iterable, options: ScanOptions | None = None, progress: Progress | None = None,
         stdin: BinaryIO | None = None, engine: str | None = None, scheduler: str | None = None,
         notify: Callable[[str], None] | None = None) -> Report:
    """Find copies, rewrites and partial reuse among articles and group them by original.

    `inputs` are paths (files or directories), ``"-"`` for JSONL on stdin,
    Document objects or dicts with ``id`` and ``text``.  `engine` and `scheduler`
    override the options' (``engine="dask"`` runs the heavy stages on a Dask
    cluster: the one at `scheduler`, or a local one with ``options.jobs`` workers).
    `notify` is told of input fields the tool ignores (``options.read`` names the fields).

    >>> report = scan([{"id": "a", "text": "..."}, {"id": "b", "text": "..."}])
    >>> report.to_json()  # doctest: +SKIP
    """
    options = options or ScanOptions()
    if engine is not None or scheduler is not None:
        options = replace(options, engine=engine or ("dask" if scheduler else options.engine),
                          scheduler=scheduler if scheduler is not None else options.scheduler)
    timer = Timer(progress)
    with collector_paused():  # a Document and a meta dict per line, no cycles
        docs = read_documents(inputs, stdin=stdin, options=options.read, notify=notify)
    timer.done("read")
    return scan_documents(docs, options, timer)


def scan_documents(docs: list[Document], options: ScanOptions, timer: "Timer | None" = None,
                   executor: Executor | None = None) -> Report:
    """`scan` on documents already read, its stages scheduled by `executor` (by default
    ``options.engine``'s: this process and forked ones, or a Dask cluster).

    Stages reported to `progress`: ``normalize`` (normalization, shingles, MinHash
    and stems, batch by batch), ``fingerprint`` (TF-IDF over the corpus),
    ``candidates``, ``verify``, ``cluster``, ``attribute+diff``.
    """
    timer = timer or Timer(None)
    if executor is not None:
        return run_stages(docs, options, executor, timer)
    if options.engine == "dask":
        from .engine_dask import dask_executor  # optional dependency, loaded on demand

        with dask_executor(options.scheduler, options.jobs) as executor:
            return run_stages(docs, options, executor, timer)
    with collector_paused():  # the stages allocate much and make (almost) no cycles
        return run_stages(docs, options, LocalExecutor(options.jobs), timer)


def run_stages(docs: list[Document], options: ScanOptions, executor: Executor, timer: "Timer") -> Report:
    """The stages in order; `executor` decides where their chunks run, never what they compute."""
    verifier = options.verify.verifier()  # a bad model file stops the scan before any work
    stemmer = Stemmer()
    digest = digest_all(docs, options, stemmer, executor)
    kept = [docs[i] for i in digest.kept.tolist()]
    skipped = [why for _, why in digest.skipped]
    timer.done("normalize")
    fp = assemble_fingerprints(digest.shingle_values, digest.shingle_offsets, digest.signatures,
                               digest.stem_rows(), options.fingerprint)
    timer.done("fingerprint")
    pairs = find_candidates(fp.signatures, fp.terms, options.candidates, options.fingerprint.seed)
    # signatures are done with (512 MB per million articles): keep the rest for verification
    none = np.empty((0, fp.signatures.shape[1]), dtype=fp.signatures.dtype)  # not a view: frees the buffer
    fp = replace(fp, signatures=none)
    digest.signatures = none
    timer.done("candidates")
    stats = corpus_stats(fp, digest.numbers, [d.published for d in kept])
    matches = verify_pairs(pairs, fp, partial(_sentence_rows, digest, fp), stats, verifier, options.verify,
                           features=executor.pair_features)
    shingles = fp.shingle_sets  # the trees read what linked texts share; freed with the rest below
    del digest, fp, pairs  # nothing after the trees needs them: free them before the diffs
    timer.done("verify")
    agencies = options.attribution()
    trees = cluster_documents(kept, matches, agencies, shingles)
    del shingles
    timer.done("cluster")
    clusters = make_clusters(trees, kept, options, stemmer, agencies, executor)
    timer.done("attribute+diff")
    return Report(documents=len(docs), skipped=tuple(skipped), clusters=tuple(clusters),
                  texts={d.id: d for d in docs})


def cluster_documents(docs: Sequence[Document], matches: Sequence[Match], agencies: AttributeOptions,
                      shingles=None) -> list[Tree]:
    """Stories of the linked documents; among undated texts a wire agency's ranks as the original.
    `shingles` (each document's word 3-gram hashes) lets a copy attach to the wire text rather
    than to another copy that took the same material (`cluster.build_trees`)."""
    wire = frozenset(i for i, doc in enumerate(docs) if is_wire_agency(doc.source, agencies))
    return build_trees(docs, matches, wire=wire, shingles=shingles)


def _sentence_rows(digest: Digest, fp, only: np.ndarray) -> SentenceRows:
    return SentenceRows.from_id_rows(*sentence_rows(digest, only), fp)


BATCH = 5000
"""Documents normalized at a time: their token objects are dropped once digested."""


def digest_all(docs: Sequence[Document], options: ScanOptions, stemmer: Stemmer,
               executor: Executor | None = None) -> Digest:
    """`digest_documents` over all documents, batch by batch (each batch a task of `executor`)."""
    executor = executor or LocalExecutor(options.jobs)
    batches = [docs[lo:lo + BATCH] for lo in range(0, len(docs), BATCH)] or [[]]
    # Batches travel as (id, text) pairs: a forked worker reading the parent's Document
    # objects would touch their reference counts and so copy those pages into every
    # worker (a corpus-sized copy each, by the end of a large run).
    parts = executor.map(_digest_batches, batches, (options, stemmer, TokenTable()), min_items=2,
                         parts=len(batches), pack=_texts_only, ship=True)
    return merge_digests(parts, [len(b) for b in batches], options.fingerprint.num_perm)


def _digest_batches(batches, state) -> list[Digest]:
    options, stemmer, table = state
    # the digest reads only the text (and the id, for skipped documents)
    return [digest_documents([d if isinstance(d, Document) else Document(id=d[0], text=d[1]) for d in batch],
                             options, stemmer, table) for batch in batches]


def _texts_only(batches, state):
    options, _, _ = state
    return [[(d.id, d.text) for d in batch] for batch in batches], (options, Stemmer(), TokenTable())


def make_clusters(trees: Sequence[Tree], kept: Sequence[Document], options: ScanOptions, stemmer: Stemmer,
                  agencies: AttributeOptions, executor: Executor) -> list[Cluster]:
    """The clusters ``c1, c2, ...`` of `trees`, attributed and marked (chunks of trees are tasks)."""
    numbered = [(f"c{number}", tree) for number, tree in enumerate(trees, 1)]
    return executor.map(_cluster_chunk, numbered, (kept, options, stemmer, agencies), pack=_members_only)


def _cluster_chunk(numbered, state) -> list[Cluster]:
    docs, options, stemmer, agencies = state
    return [make_cluster(cluster_id, tree, docs, options, stemmer, agencies) for cluster_id, tree in numbered]


def _members_only(numbered, state):
    """A chunk of trees with only its members' documents, for executors that ship each task."""
    kept, options, _, agencies = state
    members = {i for _, tree in numbered for i in (tree.root, *tree.parents, *tree.parents.values())}
    return numbered, ({i: kept[i] for i in members}, options, Stemmer(), agencies)


def make_cluster(cluster_id: str, tree: Tree, docs: Mapping[int, Document] | Sequence[Document],
                 options: ScanOptions, stemmer: Stemmer, agencies: AttributeOptions,
                 known: Mapping[int, str] | None = None) -> Cluster:
    """One story: its original named (attribute) and every member marked against its parent.

    `known` maps members to a relation found earlier (a store's): those keep it and get
    no marks, so only the others are normalized and compared.
    """
    known = known or {}
    root = docs[tree.root]
    links = [Derivation.from_match(docs[c].id, docs[p].id, tree.edges[c], tree.edges[c].a == c)
             for c, p in sorted(tree.parents.items())]
    origin = attribute(root, [docs[i] for i in [tree.root, *sorted(tree.parents)]], links, agencies)
    members = [Member(id=root.id, relation="original", source=root.source, published=root.published,
                      title=root.title, url=root.url)]
    order = tree_order(tree)
    marked = [child for child in order if child not in known]
    # only the members compared need their tokens again: normalize them afresh (deterministic)
    wanted = {*marked, *(tree.parents[child] for child in marked)}
    norms = {i: normalize(docs[i]) for i in [tree.root, *order] if i in wanted}
    differ = Differ(norms.values(), stemmer)  # each text prepared once
    for child in order:
        parent, doc = tree.parents[child], docs[child]
        d, relation = None, known.get(child)
        if relation is None:
            d, relation = mark(norms[parent], norms[child], options, differ)
        members.append(Member(id=doc.id, relation=relation, of=docs[parent].id, scores=tree.edges[child].scores,
                              diff=d, source=doc.source, published=doc.published, title=doc.title,
                              url=doc.url))
    return Cluster(id=cluster_id, original=origin, members=tuple(members))


def mark(parent: Normalized, child: Normalized, options: ScanOptions, differ: Differ | None = None
         ) -> tuple[Diff, str]:
    """The marks of `child` against its `parent`, and the relation they make (`diff.classify`)."""
    d = (differ or Differ((parent, child)))(parent, child, options.verify.diff_match)
    return d, classify(d, child.content_hash == parent.content_hash, options.verify.partial_added,
                       options.verify.copy_kept, options.verify.partial_facts)


def tree_order(tree) -> list[int]:
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


class Timer:
    """Reports each stage's duration to `progress`."""

    def __init__(self, progress: Progress | None) -> None:
        self._progress = progress
        self._last = time.perf_counter()

    def done(self, stage: str) -> None:
        now = time.perf_counter()
        if self._progress is not None:
            self._progress(stage, now - self._last)
        self._last = now
