"""Progress: the library reports (stage, done, total) and never prints; the CLI draws click's bars
on a terminal, one line per long stage in a log, nothing with -q; a first run says it compiles."""
import io
import json

import pytest
from click.testing import CliRunner

import dedupe
from conftest import DATA
from dedupe import pipeline
from dedupe.cli import main
from dedupe.cli_common import StageDisplay as _StageDisplay
from dedupe.engines.local import LocalExecutor

STAGES = ["read", "normalize", "fingerprint", "candidates", "verify", "cluster", "attribute+diff"]


def test_every_stage_is_reported_from_zero_to_its_total(capsys):
    calls = []
    report = dedupe.scan([DATA / "sample"], progress=lambda *call: calls.append(call))
    assert capsys.readouterr() == ("", "")  # the library never prints
    order = [stage for stage, done, _ in calls if done == 0]
    assert [s for s in order if s != pipeline.COMPILE_STAGE] == STAGES
    for stage in STAGES:
        mine = [(done, total) for s, done, total in calls if s == stage]
        total = mine[0][1]
        assert mine[0] == (0, total) and mine[-1] == (total, total)
        assert all(a[0] < b[0] and a[1] == b[1] == total for a, b in zip(mine, mine[1:]))
    totals = {s: t for s, d, t in calls if d == 0}
    assert totals["normalize"] == report.documents == 30
    assert totals["attribute+diff"] == len(report.clusters)
    assert totals["verify"] >= sum(len(c.members) - 1 for c in report.clusters)  # candidate pairs


def test_chunked_progress_does_not_change_the_report(monkeypatch):
    plain = dedupe.scan([DATA / "sample"]).to_json()
    monkeypatch.setattr(pipeline, "VERIFY_CHUNK", 7)
    monkeypatch.setattr(pipeline, "BATCH", 4)
    calls = []
    assert dedupe.scan([DATA / "sample"], progress=lambda *c: calls.append(c)).to_json() == plain
    normalize = [done for stage, done, _ in calls if stage == "normalize"]
    assert normalize == [0, 4, 8, 12, 16, 20, 24, 28, 30]
    verify = [done for stage, done, _ in calls if stage == "verify"]
    assert len(verify) > 3 and all(b - a <= 7 for a, b in zip(verify, verify[1:]))


@pytest.mark.parametrize("jobs", [1, 2])
def test_executor_reports_each_chunk_done(jobs):
    words = [f"word{i}" for i in range(1000)]
    done = []
    upper = LocalExecutor(jobs).map(lambda chunk, shared: [w.upper() + shared for w in chunk], words, "!",
                                    progress=done.append)
    assert upper == [w.upper() + "!" for w in words]
    assert sum(done) == len(words) and len(done) > 1


class _Terminal(io.StringIO):
    def isatty(self):
        return True


def test_bars_on_a_terminal_lines_in_a_log_nothing_quiet(monkeypatch):
    calls = [("normalize", 0, 21578), ("normalize", 5000, 21578), ("normalize", 10000, 21578),
             ("normalize", 21578, 21578), ("verify", 0, 127557), ("verify", 50000, 127557),
             ("verify", 127557, 127557)]
    terminal = _Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    display = _StageDisplay(quiet=False)
    for call in calls:
        display(*call)
    drawn = terminal.getvalue()
    assert "dedupe: normalize" in drawn and "5000/21578" in drawn and "21578/21578" in drawn
    assert "50000/127557" in drawn and "[###" in drawn
    assert drawn.count("\n") == 2  # one finished bar per stage stays on screen

    log = io.StringIO()
    monkeypatch.setattr("sys.stderr", log)
    display = _StageDisplay(quiet=False)
    for call in calls:
        display(*call)
    assert log.getvalue() == ""  # both stages took under a second: no line, no bar

    quiet = _Terminal()
    monkeypatch.setattr("sys.stderr", quiet)
    display = _StageDisplay(quiet=True)
    for call in calls:
        display(*call)
    display(pipeline.COMPILE_STAGE, 0, 1)
    assert quiet.getvalue() == ""


def test_a_first_run_says_it_compiles_and_times_it_as_its_own_stage(monkeypatch):
    monkeypatch.setattr(pipeline, "kernels_compiled", lambda: False)
    calls = []
    dedupe.scan([DATA / "sample"], progress=lambda *c: calls.append(c))
    assert [s for s, d, _ in calls if d == 0][:3] == ["read", pipeline.COMPILE_STAGE, "normalize"]
    result = CliRunner().invoke(main, ["scan", str(DATA / "sample"), "--format", "json"])
    assert result.exit_code == 0
    assert result.stderr.count("numba is compiling") == 1
    assert json.loads(result.stdout)["documents"] == 30
    quiet = CliRunner().invoke(main, ["scan", str(DATA / "sample"), "--format", "json", "-q"])
    assert quiet.stderr == ""


def test_the_kernels_are_known_compiled_after_a_scan():
    dedupe.scan([DATA / "sample"])
    assert pipeline.kernels_compiled()


def test_the_kernels_compiled_in_another_process_are_those_a_scan_calls():
    # warm_up has another process compile these into numba's cache; a stale type would make
    # the scan compile the kernel again itself (the first run slower, the results the same)
    dedupe.scan([DATA / "sample"])
    for kernel, argument_types in pipeline.later_kernels():
        assert tuple(argument_types) in kernel.signatures, kernel.__name__
