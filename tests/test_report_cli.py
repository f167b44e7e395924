"""`dedupe scan --format html|csv` and `dedupe report`, through click's CliRunner."""
import csv
import io
import json

import pytest
from click.testing import CliRunner

from dedupe.cli import main
from conftest import DATA


@pytest.fixture()
def runner():
    return CliRunner()


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    path = tmp_path_factory.mktemp("saved") / "report.json"
    result = CliRunner().invoke(main, ["scan", str(DATA / "sample"), "-o", str(path), "-q"])
    assert result.exit_code == 0, result.output
    return path


@pytest.mark.parametrize("name, marker", [
    ("out.html", "<!DOCTYPE html>"), ("out.htm", "<!DOCTYPE html>"), ("out.csv", "cluster,original_id,"),
    ("out.txt", "30 documents, 1 skipped"), ("out.json", '{\n  "schema": "dedupe/report-v1"')])
def test_scan_format_follows_the_extension(runner, tmp_path, name, marker):
    target = tmp_path / name
    result = runner.invoke(main, ["scan", str(DATA / "sample"), "-o", str(target), "-q"])
    assert result.exit_code == 0, result.output
    assert target.read_text(encoding="utf-8").startswith(marker)


def test_scan_html_and_csv_to_stdout(runner):
    html = runner.invoke(main, ["scan", str(DATA / "sample"), "--format", "html", "-q"])
    assert html.exit_code == 0 and html.stdout.count('<details class="story"') == 4
    table = runner.invoke(main, ["scan", str(DATA / "sample"), "--format", "csv", "-q"])
    assert len(list(csv.DictReader(io.StringIO(table.stdout)))) == 12


def test_report_rerenders_a_saved_report(runner, saved, tmp_path):
    text = runner.invoke(main, ["report", str(saved)])
    assert text.exit_code == 0, text.output
    assert text.stdout.startswith("30 documents, 1 skipped, 4 stories") and "[c1] story from Meridian" in text.stdout
    html = runner.invoke(main, ["report", str(saved), "--format", "html", "-o", str(tmp_path / "r.html")])
    assert html.exit_code == 0 and html.stdout == ""
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert page.count('<details class="copy"') == 12 and 'class="kept"' in page
    scan_html = runner.invoke(main, ["scan", str(DATA / "sample"), "--format", "html", "-q"]).stdout
    assert page == scan_html
    table = runner.invoke(main, ["report", str(saved), "--format", "csv"])
    assert table.stdout.splitlines()[0].startswith("cluster,original_id,original_source")
    again = runner.invoke(main, ["report", str(saved), "--format", "json"])
    assert again.stdout == saved.read_text(encoding="utf-8")


def test_report_reads_standard_input(runner, saved):
    result = runner.invoke(main, ["report", "-", "--format", "csv"], input=saved.read_bytes())
    assert result.exit_code == 0 and len(result.stdout.splitlines()) == 13


@pytest.mark.parametrize("content, message", [
    ("not json", "bad.json: not valid JSON: Expecting value (line 1, column 1)"),
    (json.dumps({"schema": "dedupe/diff-v1"}), "bad.json: not a dedupe report: schema is 'dedupe/diff-v1'"),
])
def test_bad_saved_report_is_one_line_exit_1(runner, tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_text(content)
    result = runner.invoke(main, ["report", str(path)])
    assert result.exit_code == 1
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_missing_saved_report(runner, tmp_path):
    result = runner.invoke(main, ["report", str(tmp_path / "none.json")])
    assert result.exit_code == 1 and "none.json: cannot read file" in result.stderr


def test_diff_keeps_its_own_formats(runner, tmp_path):
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("Storm closes the coast road. Ferries are cancelled.")
    b.write_text("Storm closes the coast road. Schools shut early.")
    result = runner.invoke(main, ["diff", str(a), str(b), "--format", "html"])
    assert result.exit_code == 2 and "'html' is not one of 'text', 'json'" in result.stderr
