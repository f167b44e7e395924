import json

import pytest
from click.testing import CliRunner

from dedupe.cli import main
from conftest import DATA


@pytest.fixture()
def runner():
    return CliRunner()


def test_scan_json_to_stdout(runner):
    result = runner.invoke(main, ["scan", str(DATA / "sample"), "--format", "json", "-q"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["schema"] == "dedupe/report-v1" and data["documents"] == 30


def test_scan_text_report(runner):
    result = runner.invoke(main, ["scan", str(DATA / "sample"), "--format", "text", "-q"])
    assert result.exit_code == 0
    out = result.stdout
    assert "story from Meridian Press Agency" in out
    assert "partial   harbor-gazette-ferry" in out
    assert "skipped coast-radio-traffic: too short" in out


def test_scan_output_file_format_from_extension(runner, tmp_path):
    target = tmp_path / "report.json"
    result = runner.invoke(main, ["scan", str(DATA / "sample" / "news.jsonl"), "-o", str(target), "-q"])
    assert result.exit_code == 0
    assert json.loads(target.read_text())["documents"] == 27


def test_scan_stdin(runner):
    line = json.dumps({"id": "a", "text": "Only one article arrives on standard input today, about a ferry."})
    result = runner.invoke(main, ["scan", "-", "--format", "json", "-q"], input=line + "\n")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["clusters"] == []


@pytest.mark.parametrize("name, content, message", [
    ("bad.jsonl", '{"id": "a", "text": "fine"}\nnot json\n', "bad.jsonl:2: not valid JSON"),
    ("bad.jsonl", '{"id": "a", "title": "no text"}\n', "bad.jsonl:1: missing 'text'"),
    ("bad.jsonl", '{"id": "a", "text": ["x"]}\n', "bad.jsonl:1: 'text' must be a string"),
    ("bad.jsonl", '{"id": "a", "text": "x"}\n{"id": "a", "text": "y"}\n', "bad.jsonl:2: duplicate id 'a'"),
    ("bin.txt", b"\x00\x01\x02binary", "bin.txt: binary file"),
    ("enc.txt", "caf\xe9\n".encode("latin-1"), "enc.txt:1: undecodable bytes"),
])
def test_bad_input_is_one_line_exit_1(runner, tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    result = runner.invoke(main, ["scan", str(path), "-q"])
    assert result.exit_code == 1
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_debug_shows_traceback(runner, tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text("nope\n")
    result = runner.invoke(main, ["--debug", "scan", str(path), "-q"])
    assert result.exit_code == 1
    assert "Traceback" in result.stderr and "bad.jsonl:1: not valid JSON" in result.stderr


def test_missing_path(runner, tmp_path):
    result = runner.invoke(main, ["scan", str(tmp_path / "missing"), "-q"])
    assert result.exit_code == 1 and "no such file or directory" in result.stderr


def test_diff_plain_and_json(runner, tmp_path):
    a = tmp_path / "a.txt"
    b = tmp_path / "b.txt"
    a.write_text("The council approved the budget on Monday. Taxes will rise by 3 percent next year.")
    b.write_text("The council approved the budget on Monday. The mayor called it fair.")
    result = runner.invoke(main, ["diff", str(a), str(b), "--no-color", "--format", "text"])
    assert result.exit_code == 0
    assert "{+The mayor called it fair+}" in result.stdout
    assert "[-Taxes will rise by 3 percent next year-]" in result.stdout
    result = runner.invoke(main, ["diff", str(a), str(b), "--format", "json"])
    data = json.loads(result.stdout)
    assert data["schema"] == "dedupe/diff-v1"
    assert {s["kind"] for s in data["segments"]} == {"kept", "added"}


def test_diff_colour(runner, tmp_path):
    a = tmp_path / "a.txt"
    b = tmp_path / "b.txt"
    a.write_text("Storm closes the coast road. Ferries are cancelled.")
    b.write_text("Storm closes the coast road. Schools shut early.")
    result = runner.invoke(main, ["diff", str(a), str(b), "--color", "--format", "text"])
    assert "\x1b[32mSchools shut early\x1b[0m" in result.stdout


def test_python_m_dedupe_works():
    import subprocess
    import sys
    out = subprocess.run([sys.executable, "-m", "dedupe", "--help"], capture_output=True, text=True)
    assert out.returncode == 0 and "scan" in out.stdout


def test_scan_jobs_and_dask_engine_give_the_same_report(runner):
    base = runner.invoke(main, ["scan", str(DATA / "sample"), "--format", "json", "-q"])
    jobs = runner.invoke(main, ["scan", str(DATA / "sample"), "--format", "json", "-q", "--jobs", "2"])
    assert base.exit_code == 0 and jobs.exit_code == 0, jobs.output
    assert jobs.stdout == base.stdout
    pytest.importorskip("distributed")
    dask = runner.invoke(main, ["scan", str(DATA / "sample"), "--format", "json", "-q", "--engine", "dask", "-j", "2"])
    assert dask.exit_code == 0, dask.output
    assert dask.stdout == base.stdout


def test_scheduler_without_dask_engine_is_a_usage_error(runner):
    result = runner.invoke(main, ["scan", str(DATA / "sample"), "--scheduler", "tcp://127.0.0.1:8786"])
    assert result.exit_code == 2
    assert "--scheduler needs --engine dask" in result.stderr


def test_report_from_store(runner, tmp_path):
    store = tmp_path / "news.db"
    result = runner.invoke(main, ["scan", str(DATA / "sample" / "news.jsonl"), "--store", str(store),
                                  "--format", "json", "-q"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(main, ["report", "--store", str(store), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["documents"] == 27
    relations = sorted(m["relation"] for c in data["clusters"] for m in c["members"] if m["relation"] != "original")
    assert relations.count("duplicate") == 2 and relations.count("rewrite") == 1
    html = runner.invoke(main, ["report", "--store", str(store), "--format", "html"])
    assert html.exit_code == 0 and "<html" in html.stdout


def test_report_needs_one_input(runner, tmp_path):
    result = runner.invoke(main, ["report"])
    assert result.exit_code == 2 and "either REPORT.json or --store" in result.stderr
