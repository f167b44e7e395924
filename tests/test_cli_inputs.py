"""scan's inputs and outputs on the command line: field options, --keep, JSON Lines out."""
import csv
import gzip
import io
import json

import pytest
from click.testing import CliRunner

from dedupe.cli import main
from conftest import DATA

SAMPLE = DATA / "sample" / "news.jsonl"


@pytest.fixture(scope="module")
def sample_records():
    return [json.loads(line) for line in SAMPLE.read_text(encoding="utf-8").splitlines() if line.strip()]


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_keep_jsonl_writes_the_input_lines_as_they_were(tmp_path):
    kept = tmp_path / "kept.jsonl"
    result = run("scan", SAMPLE, "--keep", kept, "-o", tmp_path / "r.json")
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "r.json").read_text())
    gone = {m["id"] for c in report["clusters"] for m in c["members"] if m["relation"] in ("duplicate", "copy", "rewrite")}
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    expected = [line for line in lines if line.strip() and json.loads(line)["id"] not in gone]
    assert kept.read_text(encoding="utf-8").splitlines() == expected
    assert "northfield-post-ferry" in gone and "mpa-ferry" not in gone and len(expected) == 27 - len(gone)
    assert any(json.loads(line)["id"] == "harbor-gazette-ferry" for line in expected)  # partial kept by default
    assert f"kept {len(expected)} of 27 documents in {kept}" in result.stderr


def test_keep_csv_with_field_names_drop_partial_and_gzip(tmp_path, sample_records):
    source = tmp_path / "export.csv"
    with source.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["story", "headline", "copy", "when", "paper", "desk"])
        for r in sample_records:
            w.writerow([r["id"], r.get("title", ""), r["text"], r.get("published", ""), r.get("source", ""), "news"])
    kept = tmp_path / "kept.csv.gz"
    result = run("scan", source, "--id-field", "story", "--text-field", "copy", "--date-field", "when",
                 "--source-field", "paper", "--keep", kept, "--drop-partial", "--format", "jsonl")
    assert result.exit_code == 0, result.output
    assert result.stderr.count("ignoring fields 'desk'") == 1
    records = [json.loads(line) for line in result.stdout.splitlines()]
    ferry = next(r for r in records if r["id"] == "mpa-ferry")
    assert ferry["relation"] == "original" and ferry["source"] == "Meridian Press Agency"
    assert ferry["title"] == "Ferry strikes harbour wall at Port Calder, 14 passengers hurt"
    rows = list(csv.reader(io.StringIO(gzip.decompress(kept.read_bytes()).decode())))
    assert rows[0] == ["story", "headline", "copy", "when", "paper", "desk"]
    ids = [row[0] for row in rows[1:]]
    removed = {r["id"] for r in records if r["relation"] in ("duplicate", "copy", "rewrite", "partial")}
    assert ids == [r["id"] for r in sample_records if r["id"] not in removed]
    assert "harbor-gazette-ferry" not in ids and "mpa-ferry" in ids
    original = next(row for row in rows[1:] if row[0] == "mpa-ferry")
    assert original[2] == next(r["text"] for r in sample_records if r["id"] == "mpa-ferry")


def test_keep_of_mixed_inputs_follows_the_file_name(tmp_path):
    kept = tmp_path / "kept.json"
    note = tmp_path / "council-note.txt"
    note.write_text("Millbrook council will vote on Thursday on a plan to close two branch libraries and move "
                    "their books to the main library on Station Road, a change opponents say would hurt older readers.")
    result = run("scan", SAMPLE, note, "--keep", kept, "-q", "--format", "json")
    assert result.exit_code == 0, result.output
    articles = json.loads(kept.read_text(encoding="utf-8"))
    assert next(a for a in articles if a["id"] == note.as_posix()) == {"id": note.as_posix(), "text": note.read_text()}
    assert next(a for a in articles if a["id"] == "mpa-ferry")["source"] == "Meridian Press Agency"
    assert not any(a["id"] == "northfield-post-ferry" for a in articles)
    bad = run("scan", DATA / "sample", "--keep", tmp_path / "kept.txt")
    assert bad.exit_code == 1 and "cannot tell the format to keep the corpus in" in bad.stderr


def test_outputs_are_checked_before_the_scan(tmp_path):
    for flag in ("-o", "--keep"):
        result = run("scan", SAMPLE, flag, tmp_path / "missing" / "out.jsonl")
        assert result.exit_code == 1
        assert "does not exist" in result.stderr and "read done" not in result.stderr
    result = run("scan", "-", "--keep", tmp_path / "k.jsonl")
    assert result.exit_code == 2 and "standard input" in result.stderr


def test_jsonl_from_the_file_name(tmp_path):
    result = run("scan", SAMPLE, "-o", tmp_path / "out.jsonl", "-q")
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert len(records) == 27 and {"cluster", "relation", "of", "cosine", "url", "title"} <= set(records[0])


def test_directory_with_nothing_readable_fails(tmp_path):
    (tmp_path / "feed.xml").write_text("<rss/>")
    result = run("scan", tmp_path)
    assert result.exit_code == 1 and "no readable files (found .xml)" in result.stderr


def test_keep_parquet_keeps_its_columns_and_types(tmp_path, sample_records):
    pa = pytest.importorskip("pyarrow", reason="the optional extra parquet is not installed")
    import pyarrow.parquet as pq
    from datetime import datetime

    import dedupe
    from dedupe.stages.keep import write_kept

    rows = [{"doc_id": n, "content": r["text"], "outlet": r.get("source"),
             "date": datetime.fromisoformat(r["published"]) if r.get("published") else None}
            for n, r in enumerate(sample_records)]
    source = tmp_path / "news.parquet"
    pq.write_table(pa.Table.from_pylist(rows), source)
    report = dedupe.scan([source])
    kept, total = write_kept([source], report, tmp_path / "kept.parquet")
    table = pq.read_table(tmp_path / "kept.parquet")
    assert total == 27 and table.num_rows == kept < 27
    assert table.schema.names == ["doc_id", "content", "outlet", "date"]
    assert table.schema.field("date").type == pa.table({"d": [rows[0]["date"]]}).schema.field("d").type
    removed = {m.id for c in report.clusters for m in c.members if m.relation in ("duplicate", "copy", "rewrite")}
    assert {str(i) for i in table.column("doc_id").to_pylist()} == {str(r["doc_id"]) for r in rows} - removed
