"""Reliability of watch, the store and the outputs (issue 15): slow and hostile servers, hostile
feeds, full disks, damaged stores, and inputs that are not what they claim to be.

Everything runs against a local HTTP server (tests/feedserver.py) and files in tmp_path; the longer
tour of bad inputs and kill points is benchmarks/reliability.py."""
import csv
import hashlib
import io
import json
import os
import resource
import signal
import sqlite3
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner

from conftest import DATA, ROOT
from dedupe.cli import main
from dedupe.errors import FetchError, InputError
from dedupe.feeds import Fetcher, FetchOptions
from dedupe.stages.read import read_documents
from dedupe.report.text import render_text
from dedupe.report.csv import render_csv
from dedupe.store import Store, check_store
from dedupe.config import WatchOptions
from dedupe.engines.incremental import scan_into_store
from dedupe.feeds.watch import watch_feeds
from feedserver import FeedServer, Route, article_page, rss, sample_articles

ARTICLES = sample_articles()
RSS = "application/rss+xml"
LOCAL = WatchOptions(fetch=FetchOptions(timeout=5.0, delay=0.0, allow_private=True), wait=5.0)


@pytest.fixture()
def server():
    with FeedServer() as srv:
        yield srv


def item(article_id, link=None, text=None, summary=None, guid=None):
    row = ARTICLES[article_id]
    out = {"title": row["title"], "link": link if link is not None else row["url"],
           "guid": guid, "published": row["published"]}
    if summary is not None:
        out["summary"] = summary
    else:
        out["text"] = text or row["text"]
    return out


def run_cli(*args, preexec_fn=None, **kw):
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.run([sys.executable, "-m", "dedupe", *args], env=env, cwd=ROOT, text=True,
                          capture_output=True, preexec_fn=preexec_fn, **kw)


def digest(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


# -- 1. time limits ----------------------------------------------------------------------------

def test_timeout_bounds_a_dripping_body_and_dripping_headers(server):
    body = rss("Meridian Press Agency", [item("mpa-ferry")])
    server.routes["/slow.xml"] = Route(body + b" " * 100_000, content_type=RSS, drip=0.2)
    server.routes["/slowhead.xml"] = Route(body, content_type=RSS, drip=0.2, drip_head=True)
    fetcher = Fetcher(FetchOptions(timeout=1.0, delay=0.0))
    for path in ("/slow.xml", "/slowhead.xml"):
        began = time.monotonic()
        with pytest.raises(FetchError, match=r"timed out after 1 s"):
            fetcher.get(server.url(path), trusted=True)
        assert time.monotonic() - began < 2.5  # 100,000 bytes at 5 a second would take 5.5 hours


def test_a_slow_feed_holds_the_store_for_timeout_only_and_wait_bounds_the_queue(server, tmp_path):
    server.routes["/slow.xml"] = Route(rss("Slow", [item("mpa-ferry")]) + b" " * 100_000, content_type=RSS,
                                       drip=0.5)
    db = str(tmp_path / "L.db")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    began = time.monotonic()
    slow = subprocess.Popen([sys.executable, "-m", "dedupe", "watch", server.url("/slow.xml"), "--store", db,
                             "--no-fetch", "--timeout", "8", "-q"], env=env, cwd=ROOT, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    while server.hits("/slow.xml") == 0 and time.monotonic() - began < 30:
        time.sleep(0.05)  # the first run holds the lock and is reading the feed
    waited = time.monotonic()
    busy = run_cli("watch", server.url("/slow.xml"), "--store", db, "--no-fetch", "--wait", "0.5", "--timeout", "1",
                   "-q")
    assert busy.returncode == 75 and "store is in use by another run" in busy.stderr, busy.stderr
    assert time.monotonic() - waited < 8  # start-up plus the 0.5 s wait, not the slow run
    out, err = slow.communicate(timeout=60)
    assert slow.returncode == 3 and "timed out after 8 s" in err
    assert time.monotonic() - began < 25  # was 61 s for 100 bytes at 1 byte per 0.5 s, hours for more


# -- 2. identity -------------------------------------------------------------------------------

def test_two_feeds_of_one_outlet_keep_the_full_text_and_never_flip_flop(server, tmp_path):
    ferry = ARTICLES["mpa-ferry"]
    stub = ferry["text"].split("\n\n")[0]  # the first paragraph, as a description
    ending = ferry["text"].split("\n\n")[-1][:60]
    server.routes["/full.rss"] = Route(rss("Meridian Press Agency", [item("mpa-ferry")]), content_type=RSS)
    server.routes["/stub.rss"] = Route(rss("Meridian Press Agency", [item("mpa-ferry", summary=stub)]),
                                       content_type=RSS)
    db = str(tmp_path / "news.db")
    options = WatchOptions(fetch=FetchOptions(timeout=5.0, delay=0.0), fetch_pages=False, wait=5.0)
    for order in (["/stub.rss", "/full.rss"], ["/full.rss", "/stub.rss"], ["/stub.rss"], ["/full.rss"]):
        result = watch_feeds([server.url(p) for p in order], db, options)
        assert result.edits == ()
    first = watch_feeds([server.url("/stub.rss"), server.url("/full.rss")], db, options)
    assert first.new == () and first.edits == ()
    with Store.open(db, readonly=True) as st:
        [(key,)] = st.conn.execute("SELECT DISTINCT key FROM articles").fetchall()
        [version] = st.versions(key)
        assert version.version == 1 and ending in version.text and ending not in stub


def test_another_outlet_cannot_make_a_version_of_an_article(server, tmp_path):
    ferry = ARTICLES["mpa-ferry"]
    server.routes["/wire.rss"] = Route(rss("Wire0", [item("mpa-ferry", link="http://wire0.example/story/0")]),
                                       content_type=RSS)
    forged = ferry["text"].replace("14 people", "40 people").replace("Tidewater", "Evil")
    server.routes["/evil.rss"] = Route(rss("Evil Outlet", [item(
        "mpa-ferry", link="http://WIRE0.example:80/story/0?utm_source=evil&fbclid=x#frag", text=forged)]),
        content_type=RSS)
    db = str(tmp_path / "news.db")
    watch_feeds([server.url("/wire.rss")], db, LOCAL)
    evil = watch_feeds([server.url("/evil.rss")], db, LOCAL)
    assert evil.edits == () and len(evil.new) == 1
    assert evil.new[0] == "127.0.0.1/evil-outlet http://wire0.example/story/0"
    with Store.open(db, readonly=True) as st:
        [wire] = st.versions("127.0.0.1/wire0 http://wire0.example/story/0")
        assert wire.version == 1 and wire.source == "Wire0" and "14 people" in wire.text


def test_local_feed_paths_are_one_feed_and_itemless_keys_are_stable(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    items = [item("mpa-ferry", link="", guid="mpa-0314-ferry"),
             {"title": "Harbour works to close quay for a week", "published": "2026-03-15T08:00:00+00:00",
              "text": ARTICLES["mpa-bridge"]["text"]}]  # neither link nor guid: RSS 2.0 allows it
    (tmp_path / "g.xml").write_bytes(rss("Meridian Press Agency", items))
    db = str(tmp_path / "news.db")
    first = watch_feeds(["g.xml", "./g.xml", str(tmp_path / "g.xml")], db, LOCAL)
    assert len(first.feeds) == 1 and first.ok and len(first.new) == 2
    again = watch_feeds(["g.xml", f"file://{tmp_path}/g.xml"], db, LOCAL)
    assert again.ok and again.new == () and len(again.feeds) == 1
    with Store.open(db, readonly=True) as st:
        assert st.count_articles()[0] == 2 and st.integrity_problems() == []
        keys = sorted(r[0] for r in st.conn.execute("SELECT key FROM articles"))
    assert keys[0] == f"file/meridian-press-agency {tmp_path}/g.xml#item-" + keys[0].rsplit("#item-", 1)[1]
    assert keys[1] == f"file/meridian-press-agency {tmp_path}/g.xml#mpa-0314-ferry"


def test_schema_1_keys_are_migrated_so_nothing_is_stored_twice(server, tmp_path):
    server.routes["/mpa.rss"] = Route(rss("Meridian Press Agency", [item("mpa-ferry"), item("mpa-bridge")]),
                                      content_type=RSS, etag='"1"')
    db = str(tmp_path / "news.db")
    watch_feeds([server.url("/mpa.rss")], db, LOCAL)
    conn = sqlite3.connect(db)  # as a version-1 store kept them: the link alone
    conn.execute("UPDATE articles SET key = substr(key, instr(key, ' ') + 1)")
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    server.routes["/mpa.rss"].etag = '"2"'  # read the feed in full again
    result = watch_feeds([server.url("/mpa.rss")], db, LOCAL)
    assert result.new == () and result.edits == ()
    with Store.open(db, readonly=True) as st:
        keys = [r[0] for r in st.conn.execute("SELECT key FROM articles ORDER BY id")]
        assert st.integrity_problems() == []
    assert keys == [f"127.0.0.1/meridian-press-agency {ARTICLES[a]['url']}" for a in ("mpa-ferry", "mpa-bridge")]


# -- 3. safe output ----------------------------------------------------------------------------

def hostile_report():
    ferry, copy = ARTICLES["mpa-ferry"], ARTICLES["harbor-gazette-ferry"]
    import dedupe

    return dedupe.scan([
        {"id": "\r=1", "text": ferry["text"], "source": "Daily\r=cmd|' /C calc'!A0",
         "title": "Ferry\x1b]0;pwned\x07 strikes wall", "published": ferry["published"]},
        {"id": "b\r\nForged: line", "text": copy["text"], "source": " \t@SUM(A1:A9)",
         "published": copy["published"]},
    ])


def test_csv_cells_are_defused_after_whitespace_and_carriage_returns():
    report = hostile_report()
    assert report.clusters
    rows = list(csv.reader(io.StringIO(render_csv(report), newline="")))
    assert len(rows) == 1 + sum(len(c.members) - 1 for c in report.clusters)
    for row in rows[1:]:
        for cell in row:
            assert not cell.lstrip(" \t\r\n\x00")[:1] in ("=", "+", "-", "@"), row
    # the carriage return stays inside its quoted cell: no row starts at "=cmd"
    assert {"'\r=1", "Daily\r=cmd|' /C calc'!A0", "' \t@SUM(A1:A9)"} <= {c for r in rows for c in r}


def test_text_report_escapes_control_characters():
    text = render_text(hostile_report())
    assert "\x1b" not in text and "\x07" not in text and "\r" not in text
    assert not any(line.startswith("Forged") for line in text.splitlines())
    assert "b\\r\\nForged: line" in text and "\\x1b]0;pwned\\x07" in text


# -- 4. no lost finding ------------------------------------------------------------------------

def test_text_that_cannot_be_encoded_is_refused_at_read_time_and_the_old_output_kept(tmp_path):
    bad = tmp_path / "bad.jsonl"
    good = json.dumps({"id": "ok", "text": ARTICLES["mpa-ferry"]["text"]})
    bad.write_text(good + "\n" + '{"id": "gz-7", "text": "Ferry strikes wall \\udcff at Port Calder"}\n')
    out = tmp_path / "out.json"
    out.write_text("previous report\n")
    result = CliRunner().invoke(main, ["scan", str(bad), "-o", str(out), "-q"])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        f"Error: {bad}:2: 'text' (id 'gz-7') holds a lone surrogate ('\\udcff' at character 20), which is not text"]
    assert out.read_text() == "previous report\n"
    with pytest.raises(InputError, match="item 1: 'title'"):
        read_documents([{"id": "a", "text": "x", "title": "\udcff"}])


def test_output_paths_are_checked_before_any_work(tmp_path):
    db = tmp_path / "news.db"
    feed = tmp_path / "f.xml"
    feed.write_bytes(rss("Meridian Press Agency", [item("mpa-ferry")]))
    for args in (["watch", str(feed), "--store", str(db)], ["scan", str(DATA / "sample")],
                 ["report", "--store", str(db)]):
        result = CliRunner().invoke(main, [*args, "-o", str(tmp_path / "no" / "dir" / "out.json")])
        assert result.exit_code == 1
        assert result.output.strip() == (f"Error: {tmp_path}/no/dir/out.json: cannot write: folder "
                                          f"{tmp_path}/no/dir does not exist")
    assert not db.exists()  # watch stopped before opening (creating) the store


def test_a_report_that_cannot_be_written_is_reported_by_the_next_run(tmp_path):
    feed = tmp_path / "f.xml"
    feed.write_bytes(rss("Meridian Press Agency", [item("mpa-ferry"), item("mpa-bridge")]))
    db = str(tmp_path / "news.db")
    failed = CliRunner().invoke(main, ["watch", str(feed), "--store", db, "-o", "/dev/full", "-q"])
    assert failed.exit_code == 1 and "/dev/full: cannot write: No space left on device" in failed.output
    feed.write_bytes(rss("Meridian Press Agency", [item("mpa-ferry"), item("mpa-bridge"), item("mpa-brightwater-q4")]))
    again = CliRunner().invoke(main, ["watch", str(feed), "--store", db, "-o", str(tmp_path / "run.json"), "-q"])
    assert again.exit_code == 0, again.output
    data = json.loads((tmp_path / "run.json").read_text())
    assert len(data["new"]) == 3 and data["recovered_runs"] == [1]
    runs = [r[0] for r in sqlite3.connect(db).execute("SELECT status FROM runs ORDER BY id")]
    assert runs == ["recovered", "done"]


def limit_file_size(limit):
    def apply():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of a kill, as a full disk gives ENOSPC
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


def test_full_disk_keeps_the_old_output_and_a_failed_scan_store_run_is_not_left_running(tmp_path):
    out = tmp_path / "out.json"
    out.write_text("previous report\n")
    full = run_cli("scan", str(DATA / "sample"), "-o", str(out), "-q", preexec_fn=limit_file_size(20_000))
    assert full.returncode == 1 and "out.json: cannot write: File too large" in full.stderr
    assert out.read_text() == "previous report\n" and len(full.stderr.strip().splitlines()) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]  # no temporary file left behind
    db = tmp_path / "news.db"
    scan_into_store([{"id": "first", "text": ARTICLES["mpa-ferry"]["text"]}], str(db))
    store = run_cli("scan", str(DATA / "sample"), "--store", str(db), "-q", "-o", str(tmp_path / "s.json"),
                    preexec_fn=limit_file_size(os.path.getsize(db) + 150_000))
    assert store.returncode == 1 and len(store.stderr.strip().splitlines()) == 1, store.stderr
    assert check_store(db) == []
    statuses = [r[0] for r in sqlite3.connect(db).execute("SELECT status FROM runs ORDER BY id")]
    assert statuses == ["done", "failed"]


# -- 5. damage detected ------------------------------------------------------------------------

def test_a_damaged_store_is_refused_never_written_and_can_be_repaired(tmp_path):
    db = tmp_path / "news.db"
    scan_into_store([DATA / "sample" / "news.jsonl"], str(db))
    with open(db, "r+b") as fh:
        size = os.path.getsize(db)
        fh.seek(size // 2)
        fh.write(os.urandom(8192))
    damaged = digest(db)
    feed = tmp_path / "f.xml"
    feed.write_bytes(rss("Meridian Press Agency", [item("mpa-ferry")]))
    for args in (["watch", str(feed), "--store", str(db)], ["scan", str(DATA / "sample"), "--store", str(db)],
                 ["report", "--store", str(db)]):
        result = CliRunner().invoke(main, [*args, "-q"] if args[0] != "report" else args)
        assert result.exit_code == 1
        [line] = result.output.strip().splitlines()
        assert line.startswith(f"Error: {db}: ") and "damaged" in line or "cannot read" in line, line
        assert digest(db) == damaged  # never written to
    check = CliRunner().invoke(main, ["store", "check", str(db)])
    assert check.exit_code == 1 and check.output.startswith(f"{db}: ")
    repair = CliRunner().invoke(main, ["store", "repair", str(db)])
    assert repair.exit_code == 0, repair.output
    assert "article versions kept" in repair.output and ".damaged-" in repair.output
    assert CliRunner().invoke(main, ["store", "check", str(db)]).output == f"{db}: ok\n"
    backups = [p for p in tmp_path.iterdir() if ".damaged-" in p.name and not p.name.endswith(("-wal", "-shm"))]
    assert len(backups) == 1 and digest(backups[0]) == damaged
    # the repaired store works again: a watch run stores into it, report reads it
    assert CliRunner().invoke(main, ["watch", str(feed), "--store", str(db), "-q"]).exit_code == 0
    assert CliRunner().invoke(main, ["report", "--store", str(db), "--format", "json"]).exit_code == 0


def test_repair_of_a_sound_store_keeps_its_stories(tmp_path):
    db = tmp_path / "news.db"
    report = scan_into_store([DATA / "sample" / "news.jsonl"], str(db))
    relations = sorted((m.id, m.relation, m.of) for c in report.clusters for m in c.members)
    assert CliRunner().invoke(main, ["store", "repair", str(db)]).exit_code == 0
    again = scan_into_store([DATA / "sample" / "news.jsonl"], str(db))
    assert sorted((m.id, m.relation, m.of) for c in again.clusters for m in c.members) == relations
    assert check_store(db) == []


# -- 6. safe fetching --------------------------------------------------------------------------

def test_pages_on_private_addresses_are_not_fetched_without_allow_private(server, tmp_path):
    text = ARTICLES["northfield-post-trees"]["text"]
    server.routes["/internal-admin?token=s3cret"] = Route(article_page("Admin", text, "Intranet"))
    server.routes["/np.rss"] = Route(rss("Northfield Post", [item(
        "northfield-post-trees", link=server.url("/internal-admin?token=s3cret"), summary="Trees cool streets.")]),
        content_type=RSS)
    db = str(tmp_path / "news.db")
    refused = CliRunner().invoke(main, ["watch", server.url("/np.rss"), "--store", db, "--delay", "0"])
    assert refused.exit_code == 3
    assert "127.0.0.1 is a private or local address" in refused.stderr
    assert server.hits("/internal-admin?token=s3cret") == 0 and server.hits("/np.rss") == 1
    allowed = CliRunner().invoke(main, ["watch", server.url("/np.rss"), "--store", db, "--delay", "0",
                                        "--allow-private"])
    assert allowed.exit_code == 0, allowed.output
    assert server.hits("/internal-admin?token=s3cret") == 1


@pytest.mark.parametrize("target, message", [
    ("file:///etc/passwd", "redirect to a file:// URL refused"),
    ("ftp://127.0.0.1/feed.xml", "redirect to a ftp:// URL refused"),
])
def test_redirects_only_to_http(server, target, message):
    server.routes["/moved"] = Route(status=302, location=target)
    with pytest.raises(FetchError, match=message):
        Fetcher(FetchOptions(timeout=2.0, delay=0.0, allow_private=True)).get(server.url("/moved"), trusted=True)


def test_a_feed_may_redirect_on_its_own_host_but_not_to_a_private_one(server):
    server.routes["/old.rss"] = Route(status=301, location="/new.rss")
    server.routes["/new.rss"] = Route(rss("X", [item("mpa-ferry")]), content_type=RSS)
    fetcher = Fetcher(FetchOptions(timeout=2.0, delay=0.0))
    assert fetcher.get(server.url("/old.rss"), trusted=True).status == 200
    server.routes["/away.rss"] = Route(status=302, location=f"http://localhost:{server.port}/new.rss")
    with pytest.raises(FetchError, match="localhost is a private or local address"):
        fetcher.get(server.url("/away.rss"), trusted=True)


# -- 7. lesser points --------------------------------------------------------------------------

def test_an_empty_feed_file_is_a_feed(tmp_path):
    feed = tmp_path / "empty.xml"
    feed.write_bytes(rss("Meridian Press Agency", []))
    result = CliRunner().invoke(main, ["watch", str(feed), "--store", str(tmp_path / "n.db"), "-q"])
    assert result.exit_code == 0, result.output


def test_special_files_are_refused_not_read_forever(tmp_path):
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    loop = tmp_path / "loop.jsonl"
    loop.symlink_to(loop)
    zero = tmp_path / "zero.jsonl"
    zero.symlink_to("/dev/zero")
    text = tmp_path / "a.txt"
    text.write_text(ARTICLES["mpa-ferry"]["text"])
    cases = [
        (["watch", "--feeds", "/dev/zero", "--store", str(tmp_path / "n.db")],
         "/dev/zero: not a regular file (a device); give a file"),
        (["diff", str(fifo), str(text)], f"{fifo}: not a regular file (a FIFO); give a file"),
        (["scan", str(zero)], f"{zero}: not a regular file (a device); give a file"),
        (["scan", str(loop)], f"{loop}: cannot read: Too many levels of symbolic links"),
    ]
    for args, message in cases:
        began = time.monotonic()
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 1 and result.output.strip() == f"Error: {message}", result.output
        assert time.monotonic() - began < 5


def test_unusable_json_and_text_name_the_problem(tmp_path):
    utf16 = tmp_path / "story.txt"
    utf16.write_bytes(ARTICLES["mpa-ferry"]["text"].encode("utf-16"))
    deep = tmp_path / "deep.jsonl"
    deep.write_text("[" * 5000 + "\n")
    digits = tmp_path / "digits.jsonl"
    digits.write_text('{"id": ' + "7" * 5000 + ', "text": "x"}\n')
    for path, message in ((utf16, "UTF-16 text; expected text in UTF-8"), (deep, "1: JSON nested too deeply"),
                          (digits, "1: not usable JSON (Exceeds the limit (4300 digits)")):
        result = CliRunner().invoke(main, ["scan", str(path)])
        assert result.exit_code == 1 and result.output.startswith(f"Error: {path}:"), result.output
        assert message in result.output and len(result.output.strip().splitlines()) == 1


def test_report_accepts_a_bom_and_refuses_nan(tmp_path):
    import dedupe

    saved = dedupe.scan([DATA / "sample" / "news.jsonl"]).to_json()
    bom = tmp_path / "bom.json"
    bom.write_bytes(b"\xef\xbb\xbf" + saved.encode())
    result = CliRunner().invoke(main, ["report", str(bom), "--format", "json"])
    assert result.exit_code == 0 and result.output == saved
    for constant in ("NaN", "Infinity", "-Infinity"):
        bad = tmp_path / "nan.json"
        bad.write_text(saved.replace('"cosine": 1.0', f'"cosine": {constant}', 1))
        assert bad.read_text() != saved
        result = CliRunner().invoke(main, ["report", str(bad)])
        assert result.exit_code == 1
        assert result.output.strip() == f"Error: {bad}: not valid JSON: {constant} is not a JSON number"


def test_through_a_proxy_the_target_is_checked_not_the_proxy(server, monkeypatch):
    monkeypatch.setenv("http_proxy", server.url(""))  # the test server plays the proxy the user configured
    monkeypatch.delenv("no_proxy", raising=False)
    monkeypatch.delenv("NO_PROXY", raising=False)
    text = ARTICLES["northfield-post-trees"]["text"]
    server.routes["http://93.184.216.34/trees"] = Route(article_page("Trees", text, "Northfield Post"))
    fetcher = Fetcher(FetchOptions(timeout=2.0, delay=0.0))
    assert fetcher.get("http://93.184.216.34/trees").status == 200  # a public address, via the proxy
    server.routes["http://10.0.0.7/admin"] = Route(b"secret")
    with pytest.raises(FetchError, match="10.0.0.7 is a private or local address"):
        fetcher.get("http://10.0.0.7/admin")
    assert server.hits("http://10.0.0.7/admin") == 0


def test_feed_names_and_links_lose_their_control_characters():
    from dedupe.feeds import parse_feed

    body = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>Daily&#13;=cmd Ledger</title><item>'
            b"<title>Ferry&#13;&#10;Forged: line</title><link>http://a.example/ferry story</link>"
            b"<description>A ferry struck the harbour wall.</description></item></channel></rss>")
    title, [entry], _ = parse_feed(body, "http://feeds.example/rss")
    assert title == "Daily =cmd Ledger" and entry.title == "Ferry Forged: line"
    assert entry.key == "feeds.example/daily-=cmd-ledger http://a.example/ferry%20story"


def test_a_feed_with_surrogate_character_references_is_read(tmp_path):
    # feedparser itself fails on &#xdcff; (it cannot encode it): every later run would have failed
    feed = tmp_path / "s.xml"
    body = rss("Meridian Press Agency", [item("mpa-ferry", text=ARTICLES["mpa-ferry"]["text"] + " &#xdcff;")])
    feed.write_bytes(body.replace(b"<title>Ferry", b"<title>&#xd800;Ferry").replace(b"&amp;#xdcff;", b"&#xdcff;"))
    db = tmp_path / "news.db"
    out = tmp_path / "run.json"
    result = CliRunner().invoke(main, ["watch", str(feed), "--store", str(db), "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    assert len(json.loads(out.read_text(encoding="utf-8"))["new"]) == 1
    with Store.open(db, readonly=True) as st:
        [(title,)] = st.conn.execute("SELECT title FROM articles").fetchall()
    assert title.startswith("\ufffdFerry")
