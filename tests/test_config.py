"""Settings: the --config TOML file, flags over it, and the one generated table of every option."""
import json
import re
from dataclasses import fields

import pytest
from click.testing import CliRunner

import dedupe
from conftest import DATA, ROOT
from dedupe.cli import main
from dedupe.config import (CandidateOptions, DiffOptions, FetchOptions, FingerprintOptions, ReadOptions, ScanOptions,
                           VerifyOptions, WatchOptions)
from dedupe.errors import OptionsError
from dedupe.settings import apply_settings, option_docs, options_table, read_config

EVERY_KEY = """
# a newsroom's settings: every key, none at its default
min_words = 40
jobs = 2
agencies = ["Reuters", "AP", "Meridian Press Agency"]
engine = "dask"
scheduler = "tcp://10.0.0.5:8786"
fetch_pages = false
wait = 5
keep_days = 90
max_component = 2000

[fingerprint]
num_perm = 256
seed = 7
shingle_size = 4

[candidates]
shingle_bands = 32
shingle_rows = 4
max_bucket = 100
max_df = 50
min_shared = 3
min_share = 0.2

[verify]
model = "models/verifier.json"
threshold = 0.9
sentence_match = 0.25

[diff]
match = 0.35
copy_kept = 0.8
partial_added = 0.15
partial_facts = 2

[read]
id_field = "guid"
text_field = "body_text"
date_field = "pub_date"
source_field = "outlet"
title_field = "headline"
url_field = "permalink"

[fetch]
timeout = 10
max_bytes = 2_000_000
max_redirects = 3
delay = 2.5
user_agent = "NewsroomMonitor/2.0 (desk@example.org)"
allow_private = true
"""


def test_a_settings_file_sets_every_option(tmp_path):
    path = tmp_path / "dedupe.toml"
    path.write_text(EVERY_KEY, encoding="utf-8")
    options = apply_settings(WatchOptions(), read_config(path), str(path))
    scan = options.scan
    default = WatchOptions()
    changed = {f"{name}.{f.name}" for name, now, before in (
        ("scan", scan, default.scan), ("fetch", options.fetch, default.fetch), ("watch", options, default),
        ("fingerprint", scan.fingerprint, default.scan.fingerprint),
        ("candidates", scan.candidates, default.scan.candidates), ("verify", scan.verify, default.scan.verify),
        ("diff", scan.diff, default.scan.diff), ("read", scan.read, default.scan.read))
        for f in fields(now) if getattr(now, f.name) != getattr(before, f.name)}
    every = {f"{name}.{f.name}" for name, cls in (("scan", ScanOptions), ("fetch", FetchOptions),
                                                    ("watch", WatchOptions), ("fingerprint", FingerprintOptions),
                                                    ("candidates", CandidateOptions), ("verify", VerifyOptions),
                                                    ("diff", DiffOptions), ("read", ReadOptions))
             for f in fields(cls)} - {"watch.scan", "watch.fetch", "scan.fingerprint", "scan.candidates", "scan.verify",
                                      "scan.diff", "scan.read"}
    assert every - changed == set()
    assert scan.agencies == ("Reuters", "AP", "Meridian Press Agency")
    assert scan.verify.threshold == 0.9 and isinstance(options.wait, float) and options.fetch.timeout == 10.0
    assert scan.verify.model == str(tmp_path / "models" / "verifier.json")  # beside the settings file
    assert options.keep_days == 90 and options.fetch_pages is False


@pytest.mark.parametrize("text, message", [
    ("[verify]\ntreshold = 0.9\n", "unknown key 'verify.treshold' (did you mean 'verify.threshold'?)"),
    ("min_word = 40\n", "unknown key 'min_word' (did you mean 'min_words'?)"),
    ("[scan]\nmin_words = 40\n", "unknown key 'scan'"),
    ("verify = 0.9\n", "verify: expected a table [verify]"),
    ("min_words = \"forty\"\n", "min_words: expected an integer, got 'forty'"),
    ("[fetch]\nallow_private = 1\n", "fetch.allow_private: expected true or false, got 1"),
    ("agencies = \"Reuters\"\n", "agencies: expected a list of strings or a table of strings, got 'Reuters'"),
    ("min_words = 40\n[verify\n", "not valid TOML"),
])
def test_a_bad_settings_file_is_one_line_naming_the_file_and_key(tmp_path, text, message):
    path = tmp_path / "newsroom.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(OptionsError, match=re.escape(f"{path}: ") + ".*" + re.escape(message)):
        read_config(path)
    result = CliRunner().invoke(main, ["scan", str(DATA / "sample"), "--config", str(path), "-q"])
    assert result.exit_code == 1
    assert result.output.count("\n") == 1 and message in result.output and str(path) in result.output


def test_the_diff_thresholds_under_their_earlier_verify_keys_are_still_read(tmp_path):
    path = tmp_path / "old.toml"
    path.write_text("[verify]\ndiff_match = 0.35\ncopy_kept = 0.8\npartial_added = 0.15\npartial_facts = 2\n",
                    encoding="utf-8")
    settings = read_config(path)
    assert settings == {"diff.match": 0.35, "diff.copy_kept": 0.8, "diff.partial_added": 0.15, "diff.partial_facts": 2}
    assert apply_settings(WatchOptions(), {"verify.diff_match": 0.4}).scan.diff == DiffOptions(match=0.4)


def test_a_value_out_of_range_names_the_file(tmp_path):
    path = tmp_path / "newsroom.toml"
    path.write_text("[verify]\nthreshold = 1.5\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["scan", str(DATA / "sample"), "--config", str(path), "-q"])
    assert result.exit_code == 1
    assert result.output == f"Error: {path}: threshold must be between 0 and 1, got 1.5\n"
    missing = CliRunner().invoke(main, ["scan", str(DATA / "sample"), "--config", str(tmp_path / "none.toml")])
    assert missing.exit_code == 1 and "none.toml: cannot read the settings file" in missing.output


def test_flags_given_on_the_command_line_win_over_the_file(tmp_path):
    path = tmp_path / "dedupe.toml"
    path.write_text("min_words = 5000\n", encoding="utf-8")
    scan = ["scan", str(DATA / "sample" / "news.jsonl"), "--format", "json", "-q", "--config", str(path)]
    from_file = json.loads(CliRunner().invoke(main, scan).output)
    assert from_file["clusters"] == [] and len(from_file["skipped"]) == from_file["documents"] > 20
    flag = json.loads(CliRunner().invoke(main, [*scan, "--min-words", "20"]).output)
    assert flag == json.loads(CliRunner().invoke(main, scan[:-2]).output)
    assert [s["id"] for s in flag["skipped"]] == ["coast-radio-traffic"] and flag["clusters"]


def test_watch_reads_the_settings_file_and_its_flags_win(tmp_path, monkeypatch):
    import dedupe.feeds.watch

    seen = []

    class Done:
        feeds, ok = (), True

    def fake_watch(sources, store, options, progress=None, deliver=None):
        seen.append(options)
        return Done()

    monkeypatch.setattr(dedupe.feeds.watch, "watch_feeds", fake_watch)
    path = tmp_path / "watch.toml"
    path.write_text("keep_days = 30\nmin_words = 60\nfetch_pages = false\n[fetch]\ntimeout = 8\ndelay = 3\n"
                    "[verify]\nthreshold = 0.8\n", encoding="utf-8")
    args = ["watch", "feed.xml", "--store", str(tmp_path / "n.db"), "--config", str(path), "-q"]
    assert CliRunner().invoke(main, args).exit_code == 0
    assert CliRunner().invoke(main, [*args, "--delay", "0.5", "--keep-days", "7"]).exit_code == 0
    first, second = seen
    assert (first.keep_days, first.scan.min_words, first.fetch_pages, first.fetch.timeout, first.fetch.delay,
            first.scan.verify.threshold) == (30, 60, False, 8.0, 3.0, 0.8)
    assert (second.keep_days, second.fetch.delay, second.fetch.timeout) == (7, 0.5, 8.0)


def test_every_option_has_a_one_line_doc():
    for cls in (ScanOptions, WatchOptions, FingerprintOptions, CandidateOptions, VerifyOptions, DiffOptions,
                FetchOptions):
        docs = option_docs(cls)
        nested = {"fingerprint", "candidates", "verify", "diff", "read", "scan", "fetch"}
        for f in fields(cls):
            if f.init and f.name not in nested:
                assert docs.get(f.name), f"{cls.__name__}.{f.name} has no docstring"
                assert len(docs[f.name]) <= 200, f"{cls.__name__}.{f.name}: keep the doc to one line"


def test_settings_table_is_the_generated_one():
    page = (ROOT / "docs" / "settings.md").read_text(encoding="utf-8")
    found = re.search(r"<!-- options-table[^>]*-->\n(.*?)<!-- /options-table -->", page, re.S)
    assert found, "docs/settings.md has no generated options table"
    assert found.group(1) == options_table()
    table_keys = re.findall(r"^\| `([\w.]+)` \|", found.group(1), re.M)
    assert {"min_words", "verify.threshold", "candidates.min_shared", "fetch.timeout", "keep_days"} <= set(table_keys)


def test_the_engine_may_come_from_the_file_and_the_scheduler_from_a_flag(tmp_path, monkeypatch):
    from dedupe import pipeline

    seen, empty = [], dedupe.scan([])
    monkeypatch.setattr(pipeline, "scan", lambda paths, options, **k: seen.append(options) or empty)
    path = tmp_path / "cluster.toml"
    path.write_text('engine = "dask"\njobs = 4\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["scan", str(DATA / "sample"), "--config", str(path),
                                       "--scheduler", "tcp://10.0.0.5:8786", "-q", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert (seen[0].engine, seen[0].scheduler, seen[0].jobs) == ("dask", "tcp://10.0.0.5:8786", 4)
    path.write_text("jobs = 4\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["scan", str(DATA / "sample"), "--config", str(path),
                                       "--scheduler", "tcp://10.0.0.5:8786", "-q"])
    assert result.exit_code == 1
    assert result.output == "Error: command line: a scheduler address needs engine='dask'\n"
