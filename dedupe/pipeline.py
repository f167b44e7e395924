"""The one place that calls the stages in order.

    read -> digest (normalize, shingles, MinHash, stems) -> fingerprint (TF-IDF) -> candidates
      -> verify -> cluster -> attribute + diff

`run_stages` sequences them for a scan; an executor (engines.local.LocalExecutor, or the Dask
engine's) decides where their chunks run, never what they compute.  engines/incremental.py drives the
same verify, cluster and attribute + diff functions on what is new in a store.
"""
from __future__ import annotations

import time
from dataclasses import replace
from functools import partial
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import BinaryIO, Protocol

import numpy as np

from .stages.attribute import Derivation, attribute, is_wire_agency
from .stages.candidates import find_candidates
from .stages.cluster import Tree, build_trees
from .config import AttributeOptions, DiffOptions, ScanOptions
from .stages.textdiff import Differ, classify, diff_documents
from .stages.digest import Digest, TokenTable, digest_documents, merge_digests, sentence_rows
from .engines.local import LocalExecutor
from .text.fingerprint import Stemmer, assemble_fingerprints
from .gcpause import collector_paused
from .model import Cluster, Diff, Document, Match, Member, Normalized, Notify, Report
from .text.normalize import normalize
from .stages.features import corpus_stats
from .stages.pairwise import SentenceRows, verify_pairs
from .stages.read import read_documents


class Executor(Protocol):
    """Where a stage's chunks run (engines.local.LocalExecutor, engines.dask.DaskExecutor)."""

    def map(self, function: Callable, items: Sequence, shared, **how) -> list: ...

    def pair_features(self, pairs: np.ndarray, fp, rows, sentence_match: float) -> tuple[np.ndarray, ...]: ...


Progress = Callable[[str, int, int], None]
"""Called as the stages run with (stage, done, total): ``done == 0`` when a stage starts,
``done == total`` when it ends, and counts in between as its chunks finish. Totals count
documents (normalize), candidate pairs (verify), stories (attribute+diff), or are 1."""

COMPILE_STAGE = "compile (first run)"
"""The stage in which a first run compiles the numeric kernels (numba caches them for the next)."""


def scan(inputs: Iterable, options: ScanOptions | None = None, progress: Progress | None = None,
         stdin: BinaryIO | None = None, engine: str | None = None, scheduler: str | None = None,
         notify: Notify | None = None) -> Report:
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
    stages = Stages(progress)
    stages.start("read")
    with collector_paused():  # a Document and a meta dict per line, no cycles
        docs = read_documents(inputs, stdin=stdin, options=options.read, notify=notify)
    stages.finish()
    if options.engine == "local" and not kernels_compiled():
        stages.start(COMPILE_STAGE)
        warm_up(options, docs)
        stages.finish()
    return scan_documents(docs, options, stages)


def scan_documents(docs: list[Document], options: ScanOptions, stages: "Stages | None" = None,
                   executor: Executor | None = None) -> Report:
    """`scan` on documents already read, its stages scheduled by `executor` (by default
    ``options.engine``'s: this process and forked ones, or a Dask cluster).

    Stages reported (see `Progress`): ``normalize`` (normalization, shingles, MinHash
    and stems, batch by batch), ``fingerprint`` (TF-IDF over the corpus),
    ``candidates``, ``verify``, ``cluster``, ``attribute+diff``.
    """
    stages = stages or Stages(None)
    if executor is not None:
        return run_stages(docs, options, executor, stages)
    if options.engine == "dask":
        from .engines.dask import dask_executor  # optional dependency, loaded on demand

        with dask_executor(options.scheduler, options.jobs) as executor:
            return run_stages(docs, options, executor, stages)
    with collector_paused():  # the stages allocate much and make (almost) no cycles
        return run_stages(docs, options, LocalExecutor(options.jobs), stages)


VERIFY_CHUNK = 50_000
"""Candidate pairs verified at a time (each pair's features are its own: the chunks only pace
the progress report)."""


def run_stages(docs: list[Document], options: ScanOptions, executor: Executor, stages: "Stages") -> Report:
    """The stages in order; `executor` decides where their chunks run, never what they compute."""
    verifier = options.verify.verifier()  # a bad model file stops the scan before any work
    stemmer = Stemmer()
    stages.start("normalize", len(docs))
    digest = digest_all(docs, options, stemmer, executor, progress=stages.advance)
    kept = [docs[i] for i in digest.kept.tolist()]
    skipped = [why for _, why in digest.skipped]
    stages.finish()
    stages.start("fingerprint")
    fp = assemble_fingerprints(digest.shingle_values, digest.shingle_offsets, digest.signatures,
                               digest.stem_rows(), options.fingerprint)
    stages.finish()
    stages.start("candidates")
    pairs = find_candidates(fp.signatures, fp.terms, options.candidates, options.fingerprint.seed)
    # signatures are done with (512 MB per million articles): keep the rest for verification
    none = np.empty((0, fp.signatures.shape[1]), dtype=fp.signatures.dtype)  # not a view: frees the buffer
    fp = replace(fp, signatures=none)
    digest.signatures = none
    stages.finish()
    stages.start("verify", len(pairs))
    stats = corpus_stats(fp, digest.numbers, [d.published for d in kept], kept)
    rows = partial(_sentence_rows, digest, fp)
    matches: list[Match] = []
    for lo in range(0, len(pairs), VERIFY_CHUNK):
        chunk = pairs[lo:lo + VERIFY_CHUNK]
        matches.extend(verify_pairs(chunk, fp, rows, stats, verifier, options.verify, features=executor.pair_features))
        stages.advance(len(chunk))
    shingles = fp.shingle_sets  # the trees read what linked texts share; freed with the rest below
    del digest, fp, pairs, rows  # nothing after the trees needs them: free them before the diffs
    stages.finish()
    stages.start("cluster")
    agencies = options.attribution()
    trees = cluster_documents(kept, matches, agencies, shingles)
    del shingles
    stages.finish()
    stages.start("attribute+diff", len(trees))
    clusters = make_clusters(trees, kept, options, stemmer, agencies, executor, progress=stages.advance)
    stages.finish()
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
               executor: Executor | None = None, progress: Callable[[int], None] | None = None) -> Digest:
    """`digest_documents` over all documents, batch by batch (each batch a task of `executor`;
    `progress` is told the documents of each batch done)."""
    executor = executor or LocalExecutor(options.jobs)
    batches = [docs[lo:lo + BATCH] for lo in range(0, len(docs), BATCH)] or [[]]
    how = {} if progress is None else {"progress": lambda n: progress(n * BATCH)}  # Stages caps the count
    # Batches travel as (id, text) pairs: a forked worker reading the parent's Document
    # objects would touch their reference counts and so copy those pages into every
    # worker (a corpus-sized copy each, by the end of a large run).
    parts = executor.map(_digest_batches, batches, (options, stemmer, TokenTable()), min_items=2,
                         parts=len(batches), pack=_texts_only, ship=True, **how)
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
                  agencies: AttributeOptions, executor: Executor,
                  progress: Callable[[int], None] | None = None) -> list[Cluster]:
    """The clusters ``c1, c2, ...`` of `trees`, attributed and marked (chunks of trees are tasks;
    `progress` is told the trees of each chunk done)."""
    numbered = [(f"c{number}", tree) for number, tree in enumerate(trees, 1)]
    how = {} if progress is None else {"progress": progress}
    return executor.map(_cluster_chunk, numbered, (kept, options, stemmer, agencies), pack=_members_only, **how)


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
    d = (differ or Differ((parent, child)))(parent, child, options.diff.match)
    return d, classify(d, child.content_hash == parent.content_hash, options.diff.partial_added,
                       options.diff.copy_kept, options.diff.partial_facts)


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
    `sentence_match`: the TF-IDF cosine at which a sentence counts as reworded (default
    ``DiffOptions().match``).

    >>> d = diff("Storm hits the coast. Ferries halted.", "Storm hits the coast, say officials.")
    >>> [s.kind for s in d.segments]  # doctest: +SKIP
    """
    if sentence_match is None:
        sentence_match = DiffOptions().match
    return diff_documents(normalize(Document("original", original_text)),
                          normalize(Document("copy", copy_text)), sentence_match)


class Stages:
    """Tells `progress` where the stages are: ``start`` (done 0), ``advance`` as chunks finish,
    ``finish`` (done == total)."""

    def __init__(self, progress: Progress | None) -> None:
        self._progress = progress
        self.stage, self.done, self.total = "", 0, 0

    def start(self, stage: str, total: int = 1) -> None:
        self.stage, self.done, self.total = stage, 0, total
        self._tell()

    def advance(self, n: int) -> None:
        done = min(self.total, self.done + n)
        if done > self.done:
            self.done = done
            if done < self.total:  # the stage's end is told by `finish`, once
                self._tell()

    def finish(self) -> None:
        self.done = self.total
        self._tell()

    def _tell(self) -> None:
        if self._progress is not None:
            self._progress(self.stage, self.done, self.total)


class StageClock:
    """A `Progress` that calls ``on_done(stage, seconds)`` as each stage ends (for logs and benchmarks)."""

    def __init__(self, on_done: Callable[[str, float], None]) -> None:
        self._on_done = on_done
        self._started: dict[str, float] = {}

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = time.perf_counter()
        if done == 0:
            self._started.setdefault(stage, now)
        if done >= total:
            self._on_done(stage, now - self._started.pop(stage, now))


# -- the first run's compilation ------------------------------------------------------------------

_WARM_UP_STORY = (
    "Council workers began repairing the sea wall at Harbour City on Tuesday after storms damaged 120 metres of "
    "the promenade, the mayor said. Repairs are expected to cost 2.4 million and take six weeks. The promenade "
    "will stay closed to walkers and cyclists until the work is finished, and buses will stop at the old ferry "
    "terminal instead. Engineers said the wall had been weakened by three storms since January.")
WARM_UP = (
    ("warm-up-wire", "HARBOUR CITY, March 3 (MPA) - " + _WARM_UP_STORY),
    ("warm-up-copy", _WARM_UP_STORY + " Local traders said the closure would hurt business over the Easter holiday."),
)
"""A wire story and a copy of it: the warm-up links them and marks the copy, so every stage runs.
(ASCII only: the scans take every text's code points as uint32, so other texts need no other compile.)"""


def kernels_compiled() -> bool:
    """True when numba's cache holds the tokenizer's compiled kernels (so this is not a first
    run, or not one after the package changed); True too when that cannot be told."""
    import os

    from numba.core.registry import CPUDispatcher

    from .text import normalize as kernels

    try:
        return all(os.path.exists(value._cache._cache_file._index_path)
                   for value in vars(kernels).values()
                   if isinstance(value, CPUDispatcher) and value.targetoptions.get("inline") != "always")
    except AttributeError:  # another numba's internals: assume compiled
        return True


def warm_up(options: ScanOptions, docs: Sequence[Document] = ()) -> None:
    """Scan a few tiny texts, so that numba compiles (or loads) the kernels of every stage now
    (`docs`, the scan's input, is not needed: every kind of text takes the same kernels).

    numba compiles on one core; meanwhile another process compiles the verify and diff
    kernels into numba's cache (`compile_later_kernels`), and the warm-up waits for it
    before its verify stage and loads them from there (a first run 40% shorter on 2 cores)."""
    helper = _start_compiling_later_kernels()

    def wait_for_helper(stage: str, done: int, total: int) -> None:
        if stage == "verify" and done == 0 and helper is not None:
            helper.wait()

    run_stages([Document(id=doc_id, text=text) for doc_id, text in WARM_UP],
               replace(options, min_words=1, jobs=1, engine="local", scheduler=None), LocalExecutor(1),
               Stages(wait_for_helper))


def _start_compiling_later_kernels():
    """A process running `compile_later_kernels` (this package, this numba cache), or None."""
    import os
    import subprocess
    import sys

    package_root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [package_root, os.environ.get("PYTHONPATH")]))}
    try:
        return subprocess.Popen([sys.executable, "-c", "from dedupe.pipeline import compile_later_kernels as c; c()"],
                                env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
    except OSError:  # no process to be had: the warm-up compiles them itself
        return None


def later_kernels() -> list:
    """(kernel, argument types) of the verify and diff stages, as a scan calls them (a test
    checks these against the warm-up's; a stale entry costs time, never a result)."""
    import numba

    from .stages.features import _overlaps
    from .stages.pairwise import _pair_kernel
    from .stages.textdiff import _marks, _sentence_stem_rows
    from .text.cosines import tfidf_cosines

    i8, u4, u1, f4, f8 = (t[::1] for t in (numba.int64, numba.uint32, numba.uint8, numba.float32, numba.float64))
    i8_2, f4_2, f8_2 = numba.int64[:, ::1], numba.float32[:, ::1], numba.float64[:, ::1]
    int64, boolean, float32 = numba.int64, numba.boolean, numba.float32
    return [
        (_overlaps, (i8, i8, u4, i8, f4, u1, f8, i8, i8, i8, i8, i8, i8, f8, f8_2)),
        (_pair_kernel, (i8, i8, u4, i8, i8, i8, f4, i8, f4, boolean, boolean, i8, i8, f4, i8, f8, float32,
                        i8, f4, f8, f8, f4, f4)),
        (tfidf_cosines, (i8, i8_2, i8_2, f4, f4, i8)),
        (_sentence_stem_rows, (i8, i8, i8, i8_2, i8)),
        (_marks, (i8, i8, i8_2, i8, int64, int64, int64, f4_2, boolean, float32, boolean, numba.boolean[::1])),
    ]


def compile_later_kernels() -> None:
    """Compile `later_kernels` into numba's cache (run by `warm_up` in another process)."""
    for kernel, argument_types in later_kernels():
        kernel.compile(argument_types)
