"""Run a scan's heavy stages on a Dask distributed cluster, with the local engine's output.

    report = dedupe.scan(["corpus/"], ScanOptions(engine="dask", scheduler="tcp://10.0.0.5:8786"))

Without a scheduler address a `LocalCluster` of ``jobs`` worker processes is started
for the scan and closed after it.  `DaskExecutor` schedules the very stages the local
engine runs (pipeline.run_stages), only elsewhere:

1. digest (normalize, shingles, MinHash, stems): one task per batch of documents,
   each carrying its batch's ids and texts;
2. the driver merges the digests, fits TF-IDF over the corpus (one global vocabulary)
   and finds the candidate pairs;
3. verification: the fingerprint arrays (and later the sentence rows) are broadcast
   once, and the pair-feature kernel runs on chunks of candidate pairs on the workers;
   the driver decides;
4. the driver clusters; diffs run per chunk of clusters on the workers, each task
   carrying only its members' documents.

Every task computes what the local engine computes, and the results are put back in
input order, so the JSON report is byte-identical (tested on a 2-worker LocalCluster).
Dask is an optional extra: ``pip install newsdedupe[dask]``.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np

from ..errors import OptionsError
from ..text.fingerprint import Fingerprints
from ..stages.pairwise import SentenceRows, pair_feature_arrays

PAIR_CHUNK = 20000  # candidate pairs per verification task
CLUSTER_CHUNK = 200  # items (clusters) per task when a stage does not say how many parts


def connect(scheduler: str | None, workers: int):
    """A dask.distributed Client for `scheduler`, or for a new LocalCluster; and what to close."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:  # pragma: no cover - depends on the install
        raise OptionsError("engine 'dask' needs dask and distributed: pip install 'newsdedupe[dask]'") from None
    if scheduler:
        client = Client(scheduler)
        return client, [client]
    cluster = LocalCluster(n_workers=max(workers, 1), threads_per_worker=1, processes=True,
                           dashboard_address=None)
    client = Client(cluster)
    return client, [client, cluster]


@contextmanager
def dask_executor(scheduler: str | None, workers: int) -> Iterator["DaskExecutor"]:
    """A DaskExecutor on `scheduler` (or on a LocalCluster of `workers` processes), closed after use."""
    client, closing = connect(scheduler, workers)
    try:
        yield DaskExecutor(client)
    finally:
        for thing in closing:
            thing.close()


class DaskExecutor:
    """The executor interface of engines.local.LocalExecutor on a dask.distributed `client`.

    Every task travels: a stage's `pack` gives what one chunk needs (only its documents),
    otherwise `shared` is broadcast to the workers once per call."""

    def __init__(self, client, pair_chunk: int = PAIR_CHUNK, chunk: int = CLUSTER_CHUNK) -> None:
        self.client = client
        self.pair_chunk = pair_chunk
        self.chunk = chunk

    def map(self, function: Callable, items: Sequence, shared: Any, *, parts: int | None = None,
            pack: Callable | None = None, **_local) -> list:
        """``function(chunk, shared)`` over chunks of `items` (`parts` of them, or of ``self.chunk``
        items), on the workers; the chunks' results concatenated in input order."""
        size = max(-(-len(items) // parts), 1) if parts else self.chunk
        chunks = [items[lo:lo + size] for lo in range(0, len(items), size)]
        client = self.client
        if pack is not None:
            tasks = [client.submit(function, *pack(chunk, shared), pure=False) for chunk in chunks]
        else:
            everywhere = client.scatter(_Shared(shared), broadcast=True, hash=False)
            tasks = [client.submit(_unwrapped, function, chunk, everywhere, pure=False) for chunk in chunks]
        return [x for part in client.gather(tasks) for x in part]

    def pair_features(self, pairs: np.ndarray, fp: Fingerprints, rows: SentenceRows | None,
                      sentence_match: float) -> tuple[np.ndarray, ...]:
        """`pairwise.pair_feature_arrays` on chunks of pairs, the fingerprints broadcast once."""
        if not len(pairs):
            return pair_feature_arrays(pairs, fp, rows, sentence_match)
        everywhere = self.client.scatter(_Shared((fp, rows, sentence_match)), broadcast=True, hash=False)
        chunks = [pairs[lo:lo + self.pair_chunk] for lo in range(0, len(pairs), self.pair_chunk)]
        parts = self.client.gather([self.client.submit(_pair_features, chunk, everywhere, pure=False)
                                    for chunk in chunks])
        return tuple(np.concatenate([p[k] for p in parts]) for k in range(len(parts[0])))


class _Shared:
    """One scattered object (a scattered tuple would become one future per element)."""

    def __init__(self, value: Any) -> None:
        self.value = value


def _unwrapped(function: Callable, chunk: Sequence, shared: _Shared) -> list:
    return function(chunk, shared.value)


def _pair_features(pairs: np.ndarray, shared: _Shared) -> tuple[np.ndarray, ...]:
    fp, rows, sentence_match = shared.value
    return pair_feature_arrays(pairs, fp, rows, sentence_match)
