"""The scan's output does not depend on how the work is spread."""
from pathlib import Path

import pytest

import dedupe
from dedupe import pipeline
from dedupe.config import ScanOptions

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
METER = Path(__file__).resolve().parents[2] / "shared" / "data" / "meter_showbiz" / "docs.jsonl"


@pytest.fixture(scope="module")
def sample_json():
    return dedupe.scan([SAMPLE]).to_json()


def test_sample_has_clusters(sample_json):
    assert '"clusters"' in sample_json and '"relation": "copy"' in sample_json


def test_jobs_2_gives_identical_json(sample_json, monkeypatch):
    monkeypatch.setattr(pipeline, "_MIN_ITEMS_PER_JOB", 1)  # force the worker processes on a small corpus
    assert dedupe.scan([SAMPLE], ScanOptions(jobs=2)).to_json() == sample_json


def test_small_batches_give_identical_json(sample_json, monkeypatch):
    monkeypatch.setattr(pipeline, "BATCH", 4)
    assert dedupe.scan([SAMPLE]).to_json() == sample_json
    assert dedupe.scan([SAMPLE], ScanOptions(jobs=2)).to_json() == sample_json


@pytest.mark.skipif(not METER.exists(), reason="shared METER data not present")
def test_meter_identical_with_jobs(monkeypatch):
    expected = dedupe.scan([METER]).to_json()
    monkeypatch.setattr(pipeline, "_MIN_ITEMS_PER_JOB", 10)
    monkeypatch.setattr(pipeline, "BATCH", 50)
    assert dedupe.scan([METER], ScanOptions(jobs=2)).to_json() == expected
