"""JSON Lines out: one record per document (report/jsonl.py), the same as Report.to_records()."""
import json
from pathlib import Path

import pytest

import dedupe
from dedupe.report.json import parse_report
from dedupe.report.jsonl import render_jsonl

DATA = Path(__file__).resolve().parent.parent / "data"


@pytest.fixture(scope="module")
def sample_report():
    return dedupe.scan([DATA / "sample"])


def test_one_line_per_document_with_cluster_relation_and_scores(sample_report):
    lines = render_jsonl(sample_report).splitlines()
    records = [json.loads(line) for line in lines]
    assert records == sample_report.to_records()
    assert len(records) == sample_report.documents  # every document read: clustered, unique and skipped
    assert len({r["id"] for r in records}) == len(records)
    copy = next(r for r in records if r["id"] == "harbor-gazette-ferry")
    assert (copy["cluster"], copy["relation"], copy["of"], copy["original"]) == ("c1", "partial", "mpa-ferry", "mpa-ferry")
    assert copy["source"] == "Harbor Gazette" and copy["url"].startswith("https://www.harborgazette.example/")
    assert copy["title"].startswith("'Everyone was thrown forward'") and copy["published"] == "2026-03-14T16:45:00+00:00"
    assert 0.4 < copy["cosine"] < 0.6 and abs(copy["kept"] + copy["reworded"] + copy["added"] - 1) < 0.01
    original = next(r for r in records if r["id"] == "mpa-ferry")
    assert original["relation"] == "original" and original["of"] is None and original["cosine"] is None
    clustered = {m.id for c in sample_report.clusters for m in c.members}
    others = [r for r in records if r["id"] not in clustered]
    assert others and all(r["cluster"] is None and r["relation"] in ("unique", "skipped") for r in others)
    assert {r["relation"] for r in records} >= {"original", "duplicate", "copy", "rewrite", "partial", "unique"}


def test_member_gives_title_and_url_and_they_survive_json(sample_report):
    member = next(m for c in sample_report.clusters for m in c.members if m.id == "harbor-gazette-ferry")
    assert member.url == "https://www.harborgazette.example/news/2026/03/14/everyone-was-thrown-forward-port-calder-counts-the-cost-of-ferry-crash"
    again = parse_report(sample_report.to_json())
    fields = lambda r: [(m.id, m.title, m.url, m.source) for c in r.clusters for m in c.members]  # noqa: E731
    assert fields(again) == fields(sample_report) and all(url for _, _, url, _ in fields(again)[:3])
    # read back, only the clustered documents are known
    assert [r["id"] for r in again.to_records()] == [m.id for c in again.clusters for m in c.members] + \
        [s.id for s in again.skipped]


def test_skipped_text_has_its_reason():
    wire = ("Police in Harwick said on Monday that a 43-year-old man had been charged with arson after a fire "
            "destroyed the town's old grain store on Saturday night, causing damage estimated at 2 million.")
    report = dedupe.scan([{"id": "w", "text": wire}, {"id": "brief", "text": "Man charged over Harwick fire."}])
    records = report.to_records()
    assert [(r["id"], r["relation"]) for r in records] == [("w", "unique"), ("brief", "skipped")]
    assert "words" in records[1]["reason"]
