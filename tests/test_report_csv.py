"""The CSV report: one row per copy, quoted by the csv module, safe to open in a spreadsheet."""
import csv
import io

import pytest

import dedupe
from dedupe.report.csv import COLUMNS, render_csv
from conftest import DATA


@pytest.fixture(scope="module")
def sample_report():
    return dedupe.scan([DATA / "sample"])


def rows(text):
    return list(csv.DictReader(io.StringIO(text)))


def test_one_row_per_copy_with_original_and_scores(sample_report):
    out = render_csv(sample_report)
    assert out.splitlines()[0] == ",".join(COLUMNS)
    table = rows(out)
    assert len(table) == sum(len(c.members) - 1 for c in sample_report.clusters) == 12
    row = next(r for r in table if r["copy_id"] == "harbor-gazette-ferry")
    assert row == {
        "cluster": "c1", "original_id": "mpa-ferry", "original_source": "Meridian Press Agency",
        "original_in_corpus": "true", "original_published": "2026-03-14T09:00:00+00:00",
        "original_title": "Ferry strikes harbour wall at Port Calder, 14 passengers hurt",
        "original_url": "https://www.meridianpress.example/wire/2026/03/14/ferry-strikes-harbour-wall-at-port-calder-14-passengers-hurt",
        "copy_id": "harbor-gazette-ferry", "copy_source": "Harbor Gazette",
        "copy_published": "2026-03-14T16:45:00+00:00", "relation": "partial", "of": "mpa-ferry",
        "copy_title": "'Everyone was thrown forward': Port Calder counts the cost of ferry crash",
        "copy_url": "https://www.harborgazette.example/news/2026/03/14/everyone-was-thrown-forward-port-calder-counts-the-cost-of-ferry-crash",
        **{k: row[k] for k in ("cosine", "containment", "jaccard", "coverage", "kept", "reworded", "added")}}
    assert 0.4 < float(row["cosine"]) < 0.6 and abs(sum(float(row[k]) for k in ("kept", "reworded", "added")) - 1) < 0.01
    assert {r["relation"] for r in table} == {"duplicate", "copy", "rewrite", "partial"}


def test_awkward_names_are_quoted_and_formulas_defused():
    base = ("The harbour master said the ferry struck the eastern breakwater at speed on Saturday morning, "
            "injuring fourteen passengers, two of them seriously, before rescue teams arrived at the quay.")
    docs = [{"id": "=HYPERLINK(\"http://x\")", "text": base, "source": 'Post, "Daily"\nEdition',
             "published": "2026-03-14T09:00:00+00:00"},
            {"id": "@copy", "text": base + " More follows.", "source": "+Gazette", "published": "2026-03-14T10:00:00+00:00"}]
    out = render_csv(dedupe.scan(docs))
    [row] = rows(out)
    assert row["original_id"] == "'=HYPERLINK(\"http://x\")" and row["copy_id"] == "'@copy"
    assert row["original_source"] == 'Post, "Daily"\nEdition' and row["copy_source"] == "'+Gazette"
    assert '"Post, ""Daily""\nEdition"' in out


def test_empty_report_has_the_header_only():
    assert render_csv(dedupe.Report(documents=0, skipped=(), clusters=())) == ",".join(COLUMNS) + "\n"
