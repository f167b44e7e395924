"""How the stages' work is scheduled: in this process, or in forked worker processes.

An executor runs ``function(chunk, shared)`` over consecutive chunks of a list and
returns the chunks' results in input order; it never changes what they compute, so
the output does not depend on the executor or on `jobs`.  The stages (pipeline.py)
take an executor; the Dask engine's (engines/dask.py, DaskExecutor) has the same methods.

    executor = LocalExecutor(jobs=2)
    lengths = executor.map(lambda chunk, shared: [len(x) for x in chunk], texts, None)
"""
from __future__ import annotations

import gc
import multiprocessing
import pickle
import queue
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..text.fingerprint import Fingerprints
from ..stages.pairwise import SentenceRows, pair_feature_arrays

Chunked = Callable[[Sequence, Any], list]
"""A stage's work on one chunk of items: ``function(chunk, shared) -> list`` (one result per item
or any list; the executor concatenates them)."""
Pack = Callable[[Sequence, Any], tuple[Sequence, Any]]
"""What a chunk needs when it travels to another process: ``pack(chunk, shared) -> (chunk, shared)``,
equivalent for `function` to the originals (for example only the documents the chunk reads).
Forked workers inherit `shared` and use only the packed chunk."""

MIN_ITEMS_PER_JOB = 200
PROGRESS_PARTS = 20
"""Chunks a stage run in this process is cut into when its progress is followed."""


class LocalExecutor:
    """Runs chunks in this process (``jobs=1``) or in `jobs` forked worker processes.

    Pure-Python stages hold the GIL, hence processes.  Fork hands each worker the large
    read-only state (the items, `shared`) without pickling it: only chunk bounds travel,
    and the results.  With ``ship=True`` the chunks travel instead (packed), so that the
    workers never read the parent's copies of the items.
    """

    def __init__(self, jobs: int = 1) -> None:
        self.jobs = jobs

    def map(self, function: Chunked, items: Sequence, shared: Any, *, min_items: int | None = None,
            parts: int | None = None, pack: Pack | None = None, ship: bool = False,
            progress: Callable[[int], None] | None = None) -> list:
        """``function(chunk, shared)`` over chunks of `items`, the results concatenated in input order.

        A worker for every `min_items` items at most (a fork costs more than a few items);
        `parts` chunks (default four per worker); ``ship=True``: chunks travel as `pack` makes them.
        `progress` is told the number of items of each chunk done (in this process too, where
        the items are then run in up to `PROGRESS_PARTS` chunks)."""
        min_items = MIN_ITEMS_PER_JOB if min_items is None else min_items
        workers = min(self.jobs, len(items) // max(min_items, 1))
        if workers <= 1 or "fork" not in multiprocessing.get_all_start_methods():
            if progress is None:
                return function(items, shared)
            parts = min(parts or PROGRESS_PARTS, PROGRESS_PARTS, max(len(items), 1))
            bounds = [len(items) * p // parts for p in range(parts + 1)]
            results: list = []
            for lo, hi in zip(bounds[:-1], bounds[1:]):
                results.extend(function(items[lo:hi], shared))
                progress(hi - lo)
            return results
        # several chunks per worker, so that one slow chunk (a big cluster) does not hold up the rest
        parts = min(parts or workers * 4, len(items))
        bounds = [len(items) * p // parts for p in range(parts + 1)]
        tasks: list[tuple] = []
        for lo, hi in zip(bounds[:-1], bounds[1:]):
            if ship:  # the chunk travels pickled; the worker never reads the parent's copy of it
                tasks.append(("chunk", pack(items[lo:hi], shared)[0] if pack else items[lo:hi]))
            else:
                tasks.append(("range", lo, hi))
        sizes = [hi - lo for lo, hi in zip(bounds[:-1], bounds[1:])]
        results = fork_map(function, items, shared, tasks, workers,
                           progress=None if progress is None else lambda n: progress(sizes[n]))
        return [x for part in results for x in part]

    def pair_features(self, pairs: np.ndarray, fp: Fingerprints, rows: SentenceRows | None,
                      sentence_match: float) -> tuple[np.ndarray, ...]:
        """`pairwise.pair_feature_arrays`: its compiled kernel releases the GIL, so `jobs`
        threads of this process share the pairs."""
        return pair_feature_arrays(pairs, fp, rows, sentence_match, jobs=self.jobs)


def fork_map(function: Chunked, items: Sequence, shared: Any, tasks: Sequence[tuple], workers: int,
             progress: Callable[[int], None] | None = None) -> list:
    """``function(chunk, shared)`` for each task in `workers` forked processes, results in task order.

    A task is ``("range", lo, hi)``: the chunk ``items[lo:hi]`` as the parent holds it, inherited
    through fork (never pickled); or ``("chunk", chunk)``: the chunk itself, pickled.  `shared` is
    always inherited.  `progress` is told the number of each task done."""
    context = multiprocessing.get_context("fork")
    todo, done = context.Queue(), context.Queue()
    # Inherited objects go to the collector's permanent generation: a worker's collections
    # then skip them instead of touching (and so copying) every page of the parent's heap.
    gc.freeze()
    try:
        procs = [context.Process(target=_fork_worker, args=(function, items, shared, todo, done), daemon=True)
                 for _ in range(workers)]
        for p in procs:
            p.start()
    finally:
        gc.unfreeze()
    for n, task in enumerate(tasks):
        todo.put((n, task))
    for _ in range(workers):
        todo.put(None)
    results: list[Any] = [None] * len(tasks)
    complete = False
    try:
        for _ in range(len(tasks)):
            n, ok, payload = _next_result(done, procs)
            if not ok:
                raise pickle.loads(payload)
            results[n] = pickle.loads(payload)
            if progress is not None:
                progress(n)
        complete = True
    finally:
        for p in procs:
            if not complete and p.is_alive():
                p.terminate()
        for p in procs:
            p.join()
        todo.close()
        done.close()
    return results


def _next_result(done, procs) -> tuple[int, bool, bytes]:
    while True:
        try:
            return done.get(timeout=0.5)
        except queue.Empty:
            dead = [p.exitcode for p in procs if p.exitcode not in (None, 0)]
            if dead:
                raise WorkerError(f"a worker process died (exit code {dead[0]})")


class WorkerError(RuntimeError):
    """A forked worker ended without returning its chunk (killed, out of memory)."""


def _fork_worker(function: Chunked, items: Sequence, shared: Any, todo, done) -> None:
    """A forked worker: `items` and `shared` are the parent's, inherited."""
    while True:
        task = todo.get()
        if task is None:
            return
        n, (kind, *where) = task
        try:
            chunk = items[where[0]:where[1]] if kind == "range" else where[0]
            done.put((n, True, pickle.dumps(function(chunk, shared), protocol=pickle.HIGHEST_PROTOCOL)))
        except BaseException as exc:  # sent back and raised in the parent
            try:
                payload = pickle.dumps(exc)
            except Exception:
                payload = pickle.dumps(RuntimeError(f"{type(exc).__name__}: {exc}"))
            done.put((n, False, payload))
