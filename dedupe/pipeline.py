"""The one place that calls the stages in order."""
from __future__ import annotations

import gc
import multiprocessing
import os
import time
from dataclasses import replace
from functools import partial
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, BinaryIO

import numpy as np

from .attribute import AttributeOptions, Link, attribute, is_wire_agency
from .candidates import find_candidates
from .cluster import build_trees
from .config import ScanOptions
from .diff import Differ, classify, diff_documents
from .digest import Digest, TokenTable, digest_documents, merge_digests, sentence_rows
from .fingerprint import Stemmer, assemble_fingerprints
from .gcpause import collector_paused
from .model import Cluster, Diff, Document, Member, Normalized, Report
from .normalize import normalize
from .features import corpus_stats
from .pairwise import SentenceRows, verify_pairs
from .read import read_documents

Progress = Callable[[str, float], None]
"""Called after each stage with the stage's name and its duration in seconds."""


def scan(inputs: Iterable, options: ScanOptions | None = None, progress: Progress | None = None,
         stdin: BinaryIO | None = None, engine: str | None = None, scheduler: str | None = None) -> Report:
    """Find copies, rewrites and partial reuse among articles and group them by original.

    `inputs` are paths (files or directories), ``"-"`` for JSONL on stdin,
    Document objects or dicts with ``id`` and ``text``.  `engine` and `scheduler`
    override the options' (``engine="dask"`` runs the heavy stages on a Dask
    cluster: the one at `scheduler`, or a local one with ``options.jobs`` workers).

    >>> report = scan([{"id": "a", "text": "..."}, {"id": "b", "text": "..."}])
    >>> report.to_json()  # doctest: +SKIP
    """
    options = options or ScanOptions()
    if engine is not None or scheduler is not None:
        options = replace(options, engine=engine or ("dask" if scheduler else options.engine),
                          scheduler=scheduler if scheduler is not None else options.scheduler)
    timer = _Timer(progress)
    with collector_paused():  # a Document and a meta dict per line, no cycles
        docs = read_documents(inputs, stdin=stdin)
    timer.done("read")
    return scan_documents(docs, options, timer)


def scan_documents(docs: list[Document], options: ScanOptions, timer: "_Timer | None" = None) -> Report:
    """`scan` on documents already read.

    Stages reported to `progress`: ``normalize`` (normalization, shingles, MinHash
    and stems, batch by batch), ``fingerprint`` (TF-IDF over the corpus),
    ``candidates``, ``verify``, ``cluster``, ``attribute+diff``.
    """
    timer = timer or _Timer(None)
    if options.engine == "dask":
        from .engine_dask import scan_documents_dask  # optional dependency, loaded on demand

        return scan_documents_dask(docs, options, timer)
    with collector_paused():  # the stages allocate much and make (almost) no cycles
        return _scan_local(docs, options, timer)


def _scan_local(docs: list[Document], options: ScanOptions, timer: "_Timer") -> Report:
    verifier = options.verify.verifier()  # a bad model file stops the scan before any work
    stemmer = Stemmer()
    digest = digest_all(docs, options, stemmer)
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
                           jobs=options.jobs)
    shingles = fp.shingle_sets  # the trees read what linked texts share; freed with the rest below
    del digest, fp, pairs  # nothing after the trees needs them: free them before the diffs
    timer.done("verify")
    agencies = AttributeOptions() if options.agencies is None else AttributeOptions(agencies=options.agencies)
    wire = frozenset(i for i, doc in enumerate(kept) if is_wire_agency(doc.source, agencies))
    trees = build_trees(kept, matches, wire=wire, shingles=shingles)
    del shingles
    timer.done("cluster")
    clusters = _make_clusters(trees, kept, options, stemmer, agencies)
    timer.done("attribute+diff")
    return Report(documents=len(docs), skipped=tuple(skipped), clusters=tuple(clusters),
                  texts={d.id: d for d in docs})


def _sentence_rows(digest: Digest, fp, only: np.ndarray) -> SentenceRows:
    return SentenceRows.from_id_rows(*sentence_rows(digest, only), fp)


BATCH = 5000
"""Documents normalized at a time: their token objects are dropped once digested."""


def digest_all(docs: Sequence[Document], options: ScanOptions, stemmer: Stemmer) -> Digest:
    """`digest_documents` over all documents, batch by batch (in `options.jobs` processes)."""
    batches = [docs[lo:lo + BATCH] for lo in range(0, len(docs), BATCH)] or [[]]
    state = (options, stemmer, TokenTable())
    if options.jobs > 1 and len(batches) >= 2:
        # Workers get each batch as (id, text) pairs, one batch per task: reading the parent's
        # Document objects would touch their reference counts and so copy those pages into
        # every worker (a corpus-sized copy each, by the end of a large run).
        shipped = [[(d.id, d.text) for d in batch] for batch in batches]
        parts = _fan_out(_digest_shipped, shipped, options.jobs, state, min_items=2, parts=len(batches),
                         ship=True)
    else:
        parts = _digest_batches(batches, state)
    return merge_digests(parts, [len(b) for b in batches], options.fingerprint.num_perm)


def _digest_batches(batches, state) -> list[Digest]:
    options, stemmer, table = state
    return [digest_documents(batch, options, stemmer, table) for batch in batches]


def _digest_shipped(batches, state) -> list[Digest]:
    # the digest reads only the text (and the id, for skipped documents)
    return _digest_batches([[Document(id=i, text=t) for i, t in batch] for batch in batches], state)


def _make_clusters(trees, kept: list[Document], options: ScanOptions, stemmer: Stemmer,
                   agencies: AttributeOptions) -> list[Cluster]:
    numbered = [(f"c{number}", tree) for number, tree in enumerate(trees, 1)]
    return _fan_out(_cluster_chunk, numbered, options.jobs, (kept, options, stemmer, agencies))


def _cluster_chunk(numbered, state) -> list[Cluster]:
    kept, options, stemmer, agencies = state
    out = []
    for cluster_id, tree in numbered:
        # only cluster members need their tokens again: normalize them afresh (deterministic)
        members = {tree.root, *tree.parents, *tree.parents.values()}
        normalized = {i: normalize(kept[i]) for i in members}
        out.append(make_cluster(cluster_id, tree, normalized, options, stemmer, agencies))
    return out


# Pure-Python stages hold the GIL, so with jobs > 1 they run in forked worker
# processes.  Fork hands each worker the large read-only state (the documents, the
# items) without pickling; only index ranges and results travel.  Results come back
# in input order, so the output does not depend on `jobs`.
_MIN_ITEMS_PER_JOB = 200
_FORK_STATE: dict[str, Any] = {}  # set in the parent just before forking; read by the workers


def _fan_out(function: Callable, items: Sequence, jobs: int, state: Any,
             min_items: int = _MIN_ITEMS_PER_JOB, parts: int | None = None, ship: bool = False) -> list:
    workers = min(jobs, len(items) // min_items)
    if workers <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        return function(items, state)
    # several chunks per worker, so that one slow chunk (a big cluster) does not hold up the rest
    parts = min(parts or workers * 4, len(items))
    bounds = [len(items) * p // parts for p in range(parts + 1)]
    token = f"{os.getpid()}-{id(state)}-{time.perf_counter_ns()}"
    _FORK_STATE[token] = (function, items, state)  # inherited by the workers, never pickled
    # Inherited objects go to the collector's permanent generation: a worker's collections
    # then skip them instead of touching (and so copying) every page of the parent's heap.
    gc.freeze()
    try:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            if ship:  # items travel pickled; the workers never read the parent's copies
                results = list(pool.map(_run_shipped, [token] * parts,
                                        [items[lo:hi] for lo, hi in zip(bounds[:-1], bounds[1:])]))
            else:
                results = list(pool.map(_run_forked, [token] * parts, bounds[:-1], bounds[1:]))
    finally:
        gc.unfreeze()
        del _FORK_STATE[token]
    return [x for part in results for x in part]


def _run_shipped(token: str, chunk: Sequence) -> list:
    function, _, state = _FORK_STATE[token]
    return function(chunk, state)


def _run_forked(token: str, lo: int, hi: int) -> list:
    function, items, state = _FORK_STATE[token]
    return function(items[lo:hi], state)


def make_cluster(cluster_id, tree, kept: Mapping[int, Normalized], options: ScanOptions, stemmer: Stemmer,
                  agencies: AttributeOptions) -> Cluster:
    root = kept[tree.root]
    links = [Link.from_match(kept[c].doc.id, kept[p].doc.id, tree.edges[c], tree.edges[c].a == c)
             for c, p in sorted(tree.parents.items())]
    origin = attribute(root.doc, [kept[i].doc for i in [tree.root, *sorted(tree.parents)]], links, agencies)
    members = [Member(id=root.doc.id, relation="original", source=root.doc.source,
                      published=root.doc.published, title=root.doc.title)]
    order = tree_order(tree)
    differ = Differ([root, *(kept[child] for child in order)], stemmer)  # each text prepared once
    for child in order:
        parent = kept[tree.parents[child]]
        doc = kept[child]
        d = differ(parent, doc, options.verify.diff_match)
        relation = classify(d, doc.content_hash == parent.content_hash,
                            options.verify.partial_added, options.verify.copy_kept,
                            options.verify.partial_facts)
        members.append(Member(id=doc.doc.id, relation=relation, of=parent.doc.id,
                              scores=tree.edges[child].scores, diff=d, source=doc.doc.source,
                              published=doc.doc.published, title=doc.doc.title))
    return Cluster(id=cluster_id, original=origin, members=tuple(members))


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


class _Timer:
    def __init__(self, progress: Progress | None) -> None:
        self._progress = progress
        self._last = time.perf_counter()

    def done(self, stage: str) -> None:
        now = time.perf_counter()
        if self._progress is not None:
            self._progress(stage, now - self._last)
        self._last = now
