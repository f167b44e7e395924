"""Run a scan's heavy stages on a Dask distributed cluster, with the local engine's output.

    report = dedupe.scan(["corpus/"], ScanOptions(engine="dask", scheduler="tcp://10.0.0.5:8786"))

Without a scheduler address a `LocalCluster` of ``jobs`` worker processes is started
for the scan and closed after it.  The stages:

1. digest (normalize, shingles, MinHash, stems) per partition of documents, on the
   workers; the digests stay there;
2. LSH: each partition emits (band, band values, document) rows hash-partitioned
   into shards (the shuffle); each shard groups its rows into buckets and emits
   candidate pairs (the group-by);
3. the driver gathers the compact digests, fits TF-IDF over the corpus (one global
   vocabulary), adds the rare-term route and builds sentence rows;
4. verification (pair features and the verifier) on the driver, with `jobs` threads;
5. the driver clusters; diffs run per chunk of clusters on the workers, each task
   carrying only its members' documents.

Every step computes the same numbers as the local engine, in the same order, so
the JSON report is byte-identical (tested on a 2-worker LocalCluster).  Dask is an
optional extra: ``pip install newsdedupe[dask]``.
"""
from __future__ import annotations

from collections.abc import Sequence
from contextlib import ExitStack

import numpy as np

from .attribute import AttributeOptions, is_wire_agency
from .candidates import bucket_pair_codes, rare_term_pair_codes
from .cluster import build_trees
from .config import ScanOptions
from .digest import Digest, TokenTable, digest_documents, merge_digests, sentence_rows
from .errors import OptionsError
from .fingerprint import Stemmer, assemble_fingerprints
from .model import Document, Report
from .features import corpus_stats
from .pairwise import SentenceRows, verify_pairs

PARTITION = 5000  # documents per digest task
CLUSTER_CHUNK = 200  # clusters per diff task


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


def scan_documents_dask(docs: list[Document], options: ScanOptions, timer=None, client=None) -> Report:
    """`pipeline.scan_documents` on a Dask cluster (`client`, or one made from `options`)."""
    from .pipeline import _Timer

    timer = timer or _Timer(None)
    with ExitStack() as stack:
        if client is None:
            client, closing = connect(options.scheduler, options.jobs)
            for thing in reversed(closing):
                stack.callback(thing.close)
        # 1. digests per partition, kept on the workers
        bounds = list(range(0, len(docs), PARTITION)) + [len(docs)]
        parts = [docs[lo:hi] for lo, hi in zip(bounds[:-1], bounds[1:])] or [[]]
        digests = client.map(_digest_partition, parts, options=options, pure=False)
        kept_counts = client.gather(client.map(len, digests))
        starts = np.cumsum([0, *kept_counts[:-1]]).tolist()
        total = int(sum(kept_counts))
        timer.done("normalize")
        # 2. LSH bands: shuffle rows to shards, group each shard into buckets
        c = options.candidates
        shards = max(len(parts), 2)
        mapped = [client.submit(_band_rows, d, start, c.shingle_bands, c.shingle_rows, shards, pure=False)
                  for d, start in zip(digests, starts)]
        lsh_codes = [client.submit(_shard_pairs, r, c.max_bucket, total, *mapped, pure=False)
                     for r in range(shards)]
        # 3. the corpus-wide steps on the driver
        digest = merge_digests(client.gather(digests), [len(p) for p in parts], options.fingerprint.num_perm)
        del digests, mapped
        kept = [docs[i] for i in digest.kept.tolist()]
        skipped = [why for _, why in digest.skipped]
        fp = assemble_fingerprints(digest.shingle_values, digest.shingle_offsets, digest.signatures,
                                   digest.stem_rows(), options.fingerprint)
        timer.done("fingerprint")
        codes = np.union1d(np.concatenate([np.empty(0, np.int64), *client.gather(lsh_codes)]),
                           rare_term_pair_codes(fp.terms, c.max_df, c.min_shared, c.min_share))
        pairs = np.stack(divmod(codes.astype(np.int64), max(total, 1)), axis=1).astype(np.int64) \
            if len(codes) else np.empty((0, 2), dtype=np.int64)
        timer.done("candidates")
        # 4. verification (features and the verifier's decision) on the driver
        stats = corpus_stats(fp, digest.numbers, [d.published for d in kept])
        matches = verify_pairs(pairs, fp, lambda only: SentenceRows.from_id_rows(*sentence_rows(digest, only), fp),
                               stats, options.verify.verifier(), options.verify, jobs=options.jobs)
        del digest
        timer.done("verify")
        agencies = AttributeOptions() if options.agencies is None else AttributeOptions(agencies=options.agencies)
        wire = frozenset(i for i, doc in enumerate(kept) if is_wire_agency(doc.source, agencies))
        trees = build_trees(kept, matches, wire=wire, shingles=fp.shingle_sets)  # as pipeline._scan_local
        del fp
        timer.done("cluster")
        # 5. diffs per chunk of clusters, each task carrying its members' documents
        numbered = [(f"c{k}", tree) for k, tree in enumerate(trees, 1)]
        tasks = []
        for lo in range(0, len(numbered), CLUSTER_CHUNK):
            chunk = numbered[lo:lo + CLUSTER_CHUNK]
            members = {i for _, t in chunk for i in (t.root, *t.parents, *t.parents.values())}
            tasks.append(client.submit(_diff_chunk, chunk, {i: kept[i] for i in members}, options, agencies,
                                       pure=False))
        clusters = [cl for part in client.gather(tasks) for cl in part]
        timer.done("attribute+diff")
    return Report(documents=len(docs), skipped=tuple(skipped), clusters=tuple(clusters),
                  texts={d.id: d for d in docs})


def _digest_partition(docs: Sequence[Document], options: ScanOptions) -> Digest:
    return digest_documents(docs, options, Stemmer(), TokenTable())


def _band_rows(digest: Digest, start: int, bands: int, rows: int, shards: int) -> list[tuple]:
    """(band ids, band values, global document numbers) per shard, for one partition."""
    sigs = digest.signatures
    valid = np.flatnonzero(~(sigs == np.iinfo(np.uint32).max).all(axis=1))  # no shingles: no buckets
    band_ids = np.repeat(np.arange(bands, dtype=np.int64), len(valid))
    keys = np.concatenate([sigs[valid, b * rows:(b + 1) * rows] for b in range(bands)]) if bands else \
        np.empty((0, rows), np.uint32)
    members = np.tile(valid + start, bands).astype(np.int64)
    shard = (keys[:, 0].astype(np.int64) * 31 + band_ids) % shards
    return [(band_ids[shard == r], keys[shard == r], members[shard == r]) for r in range(shards)]


def _shard_pairs(r: int, max_bucket: int, n: int, *mapped) -> np.ndarray:
    bands = np.concatenate([m[r][0] for m in mapped])
    keys = np.concatenate([m[r][1] for m in mapped])
    members = np.concatenate([m[r][2] for m in mapped])
    return bucket_pair_codes(bands, keys, members, max_bucket, n)


def _diff_chunk(numbered, docs: dict[int, Document], options: ScanOptions, agencies: AttributeOptions):
    from .normalize import normalize
    from .pipeline import make_cluster

    stemmer = Stemmer()
    out = []
    for cluster_id, tree in numbered:
        normalized = {i: normalize(docs[i]) for i in (tree.root, *tree.parents, *tree.parents.values())}
        out.append(make_cluster(cluster_id, tree, normalized, options, stemmer, agencies))
    return out
