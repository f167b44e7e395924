"""The Dask engine's report is byte-identical to the local engine's."""
from pathlib import Path

import pytest

import dedupe
from dedupe.config import ScanOptions
from dedupe.errors import OptionsError

distributed = pytest.importorskip("distributed")
from dedupe import pipeline
from dedupe.engines import dask as engine_dask  # noqa: E402  (needs distributed)

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
METER = Path(__file__).resolve().parents[2] / "shared" / "data" / "meter_showbiz" / "docs.jsonl"


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=None)
    with distributed.Client(cluster) as c:
        yield c
    cluster.close()


def _dask_json(paths, client, monkeypatch, partition, pair_chunk, cluster_chunk):
    # small pieces, so that digest batches and task chunks really split the work
    monkeypatch.setattr(pipeline, "BATCH", partition)
    docs = dedupe.read_documents(paths)
    executor = engine_dask.DaskExecutor(client, pair_chunk=pair_chunk, chunk=cluster_chunk)
    return pipeline.scan_documents(docs, ScanOptions(engine="dask"), executor=executor).to_json()


def test_sample_identical_to_local(client, monkeypatch):
    expected = dedupe.scan([SAMPLE]).to_json()
    assert _dask_json([SAMPLE], client, monkeypatch, 4, 25, 1) == expected


@pytest.mark.skipif(not METER.exists(), reason="shared METER data not present")
def test_meter_identical_to_local(client, monkeypatch):
    expected = dedupe.scan([METER]).to_json()
    assert _dask_json([METER], client, monkeypatch, 60, 500, 10) == expected


def test_scan_starts_and_closes_a_local_cluster():
    report = dedupe.scan([SAMPLE], ScanOptions(jobs=2), engine="dask")
    assert report.to_json() == dedupe.scan([SAMPLE]).to_json()


def test_scheduler_needs_the_dask_engine():
    with pytest.raises(OptionsError):
        ScanOptions(scheduler="tcp://127.0.0.1:8786")
    with pytest.raises(OptionsError):
        ScanOptions(engine="spark")
