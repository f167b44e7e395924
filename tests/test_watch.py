"""dedupe watch and scan --store: runs against a local HTTP server whose feeds change between runs."""
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone

import pytest
from click.testing import CliRunner

import dedupe
from conftest import DATA, MISSED_BY_SHIPPED_MODEL, ROOT
from dedupe.cli import main
from dedupe.feeds import FetchOptions
from dedupe.store import Store, StoreBusyError
from dedupe.report.text import render_watch_text
from dedupe.config import WatchOptions
from dedupe.engines.incremental import scan_into_store, store_report
from dedupe.feeds.watch import watch_feeds as watch
from feedserver import FeedServer, Route, article_page, rss, sample_articles

ARTICLES = sample_articles()
# the test server is on 127.0.0.1: its pages may be fetched here (--allow-private on the command line)
OPTIONS = WatchOptions(fetch=FetchOptions(timeout=5.0, delay=0.0, allow_private=True), wait=5.0)
RSS = "application/rss+xml"


def short(url):
    return url.rsplit("/", 1)[-1]


class Newsroom:
    """Feeds of invented outlets on the local server; `publish` puts an article on a feed."""

    def __init__(self, server):
        self.server = server
        self.feeds: dict[str, list[dict]] = {}
        self.version = 0

    def url(self, feed):
        return self.server.url(f"/{feed}.rss")

    def publish(self, feed, article_id, summary_only=False, text=None, updated=None):
        row = ARTICLES[article_id]
        text = text or row["text"]
        link = self.server.url(f"/{feed}/{article_id}")
        self.server.routes[f"/{feed}/{article_id}"] = Route(article_page(row["title"], text, row["source"],
                                                                         row["published"]))
        item = {"title": row["title"], "link": link, "guid": f"{feed}-{article_id}",
                "published": updated or row["published"]}
        if summary_only:
            item["summary"] = text.split("\n\n")[0][:120]
        else:
            item["text"] = text
        items = [i for i in self.feeds.setdefault(feed, []) if i["link"] != link]
        self.feeds[feed] = [item, *items]
        self.serve(feed)

    def serve(self, feed, route=None):
        self.version += 1
        self.server.routes[f"/{feed}.rss"] = route or Route(
            rss(ARTICLES[self.feeds[feed][-1]["guid"].split("-", 1)[1]]["source"], self.feeds[feed]),
            content_type=RSS, etag=f'"{feed}-{self.version}"')


@pytest.fixture()
def newsroom():
    with FeedServer() as server:
        yield Newsroom(server)


def relations(report):
    return {short(m.id): (m.relation, short(m.of) if m.of else None) for c in report.clusters for m in c.members}


def check_store(path):
    with Store.open(path, readonly=True) as st:
        assert st.integrity_problems() == []
        return st.count_articles()[0]


def test_runs_catch_copies_as_they_appear(newsroom, tmp_path):
    db = str(tmp_path / "news.db")
    newsroom.publish("mpa", "mpa-ferry")
    newsroom.publish("mpa", "mpa-bridge")
    newsroom.publish("np", "northfield-post-trees")
    newsroom.publish("ledger", "daily-ledger-kestrel", summary_only=True)
    feeds = [newsroom.url(f) for f in ("mpa", "np", "ledger")]

    first = watch(feeds, db, OPTIONS)
    assert first.ok and len(first.new) == 4 and first.report.clusters == ()
    assert [f.status for f in first.feeds] == ["read", "read", "read"]
    assert newsroom.server.hits("/ledger/daily-ledger-kestrel") == 1  # summary only: the page was fetched
    assert newsroom.server.hits("/mpa/mpa-ferry") == 0  # full text in the feed

    # a syndicated copy on a second feed, a duplicate on a third, a rewrite
    newsroom.publish("ledger", "daily-ledger-ferry", summary_only=True)
    newsroom.publish("np", "northfield-post-ferry")
    newsroom.publish("np", "trendpulse-trees-rewrite")
    second = watch(feeds, db, OPTIONS)
    assert second.ok
    assert [f.status for f in second.feeds] == ["not modified", "read", "read"]
    assert sorted(map(short, second.new)) == ["daily-ledger-ferry", "northfield-post-ferry", "trendpulse-trees-rewrite"]
    assert newsroom.server.hits("/ledger/daily-ledger-kestrel") == 1  # unchanged entry: not fetched again
    found = relations(second.report)
    assert found == {"mpa-ferry": ("original", None),
                     "northfield-post-ferry": ("duplicate", "mpa-ferry"),
                     "daily-ledger-ferry": ("copy", "mpa-ferry"),
                     "northfield-post-trees": ("original", None),
                     "trendpulse-trees-rewrite": ("rewrite", "northfield-post-trees")}
    assert set(second.story_status.values()) == {"new"}
    ferry = next(c for c in second.report.clusters if short(c.members[0].id) == "mpa-ferry")
    assert ferry.original.source == "Meridian Press Agency"
    text = render_watch_text(second)
    assert "new story from Meridian Press Agency" in text and "(seen before)" not in text.split("[")[0]
    assert "original  " + ferry.members[0].id in text

    # the original is edited in place, a further copy appears, one feed breaks
    edited = ARTICLES["mpa-ferry"]["text"].replace("14 passengers", "16 passengers") + \
        "\n\nThe operator said on Saturday evening that two more passengers had sought treatment overnight."
    newsroom.publish("mpa", "mpa-ferry", text=edited)
    newsroom.publish("courier", "valley-courier-ferry")
    newsroom.server.routes["/broken.rss"] = Route(status=500)
    third = watch([*feeds, newsroom.url("courier"), newsroom.url("broken")], db, OPTIONS)
    assert not third.ok
    broken = third.feeds[-1]
    assert broken.status == "failed" and broken.problem == "HTTP 500 Internal Server Error"
    assert sorted(map(short, third.new)) == ["mpa-ferry", "valley-courier-ferry"]
    [edit] = third.edits
    assert short(edit.id) == "mpa-ferry" and (edit.version, edit.previous) == (2, 1)
    added = [edit.after.text[s.start:s.end] for s in edit.diff.segments if s.kind == "added"]
    assert any("two more passengers" in piece for piece in added)
    assert third.story_status == {ferry.id: "grown"}  # the story keeps its id
    found = relations(third.report)
    assert found["valley-courier-ferry"] == ("copy", "mpa-ferry")
    assert found["daily-ledger-ferry"][1] == "mpa-ferry"  # the copies now hang on version 2
    text = render_watch_text(third)
    assert f"[{ferry.id}] known story from Meridian Press Agency: 2 new" in text
    assert "edited " in text and "version 2; version 1 seen" in text

    # nothing new: idempotent
    newsroom.server.routes["/broken.rss"] = newsroom.server.routes["/np.rss"]
    fourth = watch([*feeds, newsroom.url("courier")], db, OPTIONS)
    assert fourth.ok and fourth.new == () and fourth.report.clusters == ()
    assert check_store(db) == 8
    with Store.open(db, readonly=True) as st:
        assert [v.version for v in st.versions(ferry.members[0].id)] == [1, 2]
        assert [r["status"] for r in st.runs()] == ["done"] * 4

    # the whole store as one report
    whole = store_report(db)
    assert whole.documents == 8
    assert relations(whole)["valley-courier-ferry"] == ("copy", "mpa-ferry")
    # ordered by the original's publication time, as scan orders them
    assert [short(c.members[0].id) for c in whole.clusters] == ["mpa-ferry", "northfield-post-trees"]
    assert json.loads(whole.to_json())["schema"] == "dedupe/report-v1"


def test_watch_json_document(newsroom, tmp_path):
    newsroom.publish("mpa", "mpa-bridge")
    newsroom.publish("radio", "coast-radio-bridge")
    result = watch([newsroom.url("mpa"), newsroom.url("radio")], str(tmp_path / "news.db"), OPTIONS)
    data = json.loads(result.to_json())
    assert data["schema"] == "dedupe/watch-v1" and data["run"] == 1
    assert [f["status"] for f in data["feeds"]] == ["read", "read"] and all(f["ok"] for f in data["feeds"])
    [cluster] = data["clusters"]
    assert cluster["status"] == "new" and cluster["id"].startswith("s")
    assert [(short(m["id"]), m["relation"], m["new"]) for m in cluster["members"]] == [
        ("mpa-bridge", "original", True), ("coast-radio-bridge", "duplicate", True)]


def test_feed_failures_one_line_each_and_exit_3(newsroom, tmp_path):
    newsroom.publish("mpa", "mpa-ferry")
    srv = newsroom.server
    srv.routes["/gone.rss"] = Route(status=410)
    srv.routes["/missing.rss"] = Route(status=404)
    srv.routes["/loop.rss"] = Route(status=301, location="/loop.rss")
    srv.routes["/slow.rss"] = Route(b"<rss/>", delay=2.0)
    srv.routes["/page.rss"] = Route(b"<!DOCTYPE html><html><body><p>Welcome to our site</p></body></html>")
    srv.routes["/bad.rss"] = Route(b'<?xml version="1.0"?><rss version="2.0"><channel><title>Cut', content_type=RSS)
    srv.routes["/empty.rss"] = Route(rss("Coast Radio News", [
        {"title": "Photo gallery", "link": srv.url("/radio/gallery"), "guid": "g1", "published": "2026-03-18T12:00:00+00:00",
         "summary": ""}]), content_type=RSS)
    srv.routes["/radio/gallery"] = Route(b"<html><body><img src='a.jpg'></body></html>")
    names = ["mpa", "gone", "missing", "loop", "slow", "page", "bad", "empty"]
    feed_list = tmp_path / "feeds.txt"
    feed_list.write_text("# my feeds\n\n" + "\n".join(srv.url(f"/{n}.rss") for n in names[1:]) + "\n")
    db = tmp_path / "news.db"
    result = CliRunner().invoke(main, ["watch", "--allow-private", newsroom.url("mpa"), "--feeds", str(feed_list), "--store", str(db),
                                       "--timeout", "1", "--delay", "0", "-q", "--format", "json"])
    assert result.exit_code == 3, result.output
    stamped = result.stderr.strip().splitlines()
    # watch's log lines start with the local time
    assert all(re.match(r"20\d\d-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d dedupe: ", line) for line in stamped)
    lines = [line.split(" ", 1)[1] for line in stamped]
    assert lines == [
        f"dedupe: {srv.url('/gone.rss')}: HTTP 410 Gone",
        f"dedupe: {srv.url('/missing.rss')}: HTTP 404 Not Found",
        f"dedupe: {srv.url('/loop.rss')}: redirect loop or more than 5 redirects",
        f"dedupe: {srv.url('/slow.rss')}: timed out after 1 s",
        f"dedupe: {srv.url('/page.rss')}: not an RSS or Atom feed (got text/html)",
        lines[5],
        f"dedupe: {srv.url('/empty.rss')}: 1 of 1 entries could not be read: {srv.url('/radio/gallery')}: entry without text",
    ]
    assert lines[5].startswith(f"dedupe: {srv.url('/bad.rss')}: malformed feed:")
    data = json.loads(result.stdout)
    assert [short(i) for i in data["new"]] == ["mpa-ferry", "gallery"]  # the good feed was stored
    assert data["skipped"] == [{"id": "127.0.0.1/coast-radio-news " + srv.url("/radio/gallery"), "reason": "empty"}]
    # the empty entry is stored, so it is reported once, not on every run
    again = CliRunner().invoke(main, ["watch", "--allow-private", newsroom.url("mpa"), srv.url("/empty.rss"), "--store", str(db),
                                      "--delay", "0", "-q", "--format", "json"])
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout)["new"] == []


def test_failed_page_is_retried_next_run(newsroom, tmp_path):
    db = str(tmp_path / "news.db")
    newsroom.publish("ledger", "daily-ledger-kestrel", summary_only=True)
    newsroom.server.routes["/ledger/daily-ledger-kestrel"] = Route(status=503)
    first = watch([newsroom.url("ledger")], db, OPTIONS)
    assert not first.ok and "HTTP 503" in first.feeds[0].problem and first.new == ()
    newsroom.publish("ledger", "daily-ledger-kestrel", summary_only=True)  # page back, same entry
    newsroom.serve("ledger", newsroom.server.routes["/ledger.rss"])  # same ETag as before
    second = watch([newsroom.url("ledger")], db, OPTIONS)
    assert second.ok and [short(i) for i in second.new] == ["daily-ledger-kestrel"]
    _, headers = [r for r in newsroom.server.requests if r[0] == "/ledger.rss"][-1]
    assert "If-None-Match" not in headers  # the ETag was not kept after a failed entry


def test_no_fetch_stores_the_summary(newsroom, tmp_path):
    newsroom.publish("ledger", "daily-ledger-kestrel", summary_only=True)
    result = CliRunner().invoke(main, ["watch", newsroom.url("ledger"), "--store", str(tmp_path / "n.db"),
                                       "--no-fetch", "--delay", "0", "-q", "--format", "json", "--min-words", "5"])
    assert result.exit_code == 0, result.output
    assert newsroom.server.hits("/ledger/daily-ledger-kestrel") == 0
    with Store.open(tmp_path / "n.db", readonly=True) as st:
        [art] = st.articles_of_runs([1])
    assert art.text == ARTICLES["daily-ledger-kestrel"]["text"].split("\n\n")[0][:120]


def test_text_output_and_local_feed_file(tmp_path):
    feed = tmp_path / "mpa.xml"
    items = [{"title": r["title"], "link": r["url"], "guid": r["id"], "published": r["published"], "text": r["text"]}
             for r in (ARTICLES["mpa-bridge"], ARTICLES["coast-radio-bridge"], ARTICLES["valley-courier-bridge"])]
    feed.write_bytes(rss("Wire mix", items))
    out = tmp_path / "run.txt"
    result = CliRunner().invoke(main, ["watch", str(feed), "--store", str(tmp_path / "n.db"), "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    text = out.read_text()
    assert text.startswith("run 1: 1 feed, 3 new articles (0 edited), 1 new story, 0 known stories with new articles")
    assert "new story from Wire mix" in text
    assert "partial   file/wire-mix https://www.valleycourier.example/" in text
    assert "duplicate file/wire-mix https://www.coastradio.example/" in text


def test_busy_store_exit_75(tmp_path):
    db = tmp_path / "news.db"
    feed = tmp_path / "f.xml"
    feed.write_bytes(rss("X", []))
    with Store.open(db, wait=0):
        started = time.monotonic()
        result = CliRunner().invoke(main, ["watch", str(feed), "--store", str(db), "--wait", "0.5", "-q"])
        assert time.monotonic() - started >= 0.5
        assert result.exit_code == 75
        assert result.stderr.startswith(f"Error: {db}: store is in use by another run (pid {os.getpid()}")
        assert len(result.stderr.strip().splitlines()) == 1


def test_probe_is_stable_and_checked(tmp_path, monkeypatch):
    from dedupe.engines import incremental as watch_module
    from dedupe.config import ScanOptions

    first = watch_module.index_layout(ScanOptions())
    assert first == watch_module.index_layout(ScanOptions()) and len(first.probe) == 16
    db = str(tmp_path / "news.db")
    scan_into_store([DATA / "sample" / "news.jsonl"], db)
    # as if a new dedupe hashed or stemmed texts differently
    monkeypatch.setattr(watch_module, "term_id", lambda stem: 7)
    with pytest.raises(dedupe.StoreError, match="indexed by a version of dedupe"):
        scan_into_store([DATA / "sample" / "news.jsonl"], db)


def test_usage_errors():
    result = CliRunner().invoke(main, ["watch", "--store", "x.db"])
    assert result.exit_code == 2 and "give at least one FEED or --feeds FILE" in result.stderr
    result = CliRunner().invoke(main, ["watch", "feed.xml"])
    assert result.exit_code == 2 and "--store" in result.stderr


def test_scan_store_matches_scan_and_is_idempotent(tmp_path):
    db = str(tmp_path / "news.db")
    plain = dedupe.scan([DATA / "sample"])
    stored = scan_into_store([DATA / "sample"], db)
    triples = lambda r: sorted((m.id, m.relation, m.of) for c in r.clusters for m in c.members)
    assert triples(stored) == triples(plain)
    assert [s.id for s in stored.skipped] == ["coast-radio-traffic"]
    again = scan_into_store([DATA / "sample"], db)
    assert again.to_json() == stored.to_json()
    assert check_store(db) == 30
    assert triples(store_report(db)) == triples(plain)


def test_scan_store_cli_and_new_version(tmp_path):
    db = tmp_path / "news.db"
    runner = CliRunner()
    result = runner.invoke(main, ["scan", str(DATA / "sample" / "news.jsonl"), "--store", str(db), "--format", "json", "-q"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["documents"] == 27
    row = dict(ARTICLES["valley-courier-frost"])
    row["text"] = row["text"] + "\n\nGrowers will meet county officials on Friday to discuss emergency support."
    edited = tmp_path / "edit.jsonl"
    edited.write_text(json.dumps(row) + "\n")
    result = runner.invoke(main, ["scan", str(edited), "--store", str(db), "--format", "json"])
    assert result.exit_code == 0
    assert "dedupe: storing 1 document\ndedupe: 0 new, 1 new version, 0 already stored" in result.stderr
    with Store.open(db, readonly=True) as st:
        assert [v.version for v in st.versions("valley-courier-frost")] == [1, 2]
    assert check_store(db) == 27


def test_scan_store_report_is_a_full_report_v1(tmp_path):
    db = str(tmp_path / "news.db")
    scan_into_store([DATA / "sample" / "news.jsonl"], db)
    out = tmp_path / "files.json"
    result = CliRunner().invoke(main, ["scan", str(DATA / "sample" / "files"), "--store", db, "-q", "-o", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    stored_before = [m for c in data["clusters"] for m in c["members"][1:] if not m["id"].endswith((".html", ".md", ".txt"))]
    assert stored_before and all("segments" in m for m in stored_before)
    again = CliRunner().invoke(main, ["report", str(out), "--format", "text"])  # main's loader accepts it
    assert again.exit_code == 0, again.output


def test_sample_arriving_in_random_batches_gives_the_scan_answer(tmp_path, expected):
    import random

    rows = list(ARTICLES.values())
    random.Random(7).shuffle(rows)
    db = str(tmp_path / "news.db")
    for start in range(0, len(rows), 5):
        scan_into_store(rows[start:start + 5], db)
    found = {m.id: (m.relation, m.of) for c in store_report(db).clusters for m in c.members}
    for doc_id, row in expected.items():
        if doc_id.startswith("files/") or doc_id == "coast-radio-traffic":
            continue
        if row["relation"] == "none" or doc_id in MISSED_BY_SHIPPED_MODEL:
            assert doc_id not in found
        else:
            assert found[doc_id] == (row["relation"], row["of"]), doc_id


def test_keep_days_drops_old_articles_and_their_index(newsroom, tmp_path):
    db = str(tmp_path / "news.db")
    now = datetime.now(timezone.utc).replace(microsecond=0)
    old, recent = (now - timedelta(days=10)).isoformat(), (now - timedelta(days=1)).isoformat()
    newsroom.publish("mpa", "mpa-bridge", updated=old)
    newsroom.publish("radio", "coast-radio-bridge", updated=old)
    newsroom.publish("mpa", "mpa-ferry", updated=recent)
    feeds = [newsroom.url("mpa"), newsroom.url("radio")]
    first = watch(feeds, db, OPTIONS)
    assert len(first.new) == 3 and len(first.report.clusters) == 1
    # entries older than --keep-days are not stored at all
    fresh_db = str(tmp_path / "fresh.db")
    assert [short(i) for i in watch(feeds, fresh_db, WatchOptions(fetch=OPTIONS.fetch, keep_days=5)).new] == ["mpa-ferry"]
    # and stored ones are dropped with their index entries, for good
    newsroom.publish("radio", "northfield-post-ferry", updated=recent)
    result = watch(feeds, db, WatchOptions(fetch=OPTIONS.fetch, keep_days=5))
    assert result.dropped == 2 and [short(i) for i in result.new] == ["northfield-post-ferry"]
    conn = sqlite3.connect(db)
    ids = [r[0] for r in conn.execute("SELECT id FROM articles")]
    assert len(ids) == 2
    for table in ("bands", "postings"):
        assert conn.execute(f"SELECT count(*) FROM {table} WHERE article NOT IN ({','.join(map(str, ids))})").fetchone()[0] == 0
    assert check_store(db) == 2
    again = watch(feeds, db, WatchOptions(fetch=OPTIONS.fetch, keep_days=5))
    assert again.new == () and check_store(db) == 2


def test_store_verification_is_verify_with_the_stores_weights(tmp_path):
    """watch verifies with the scan's verify stage, TF-IDF weighted by the store: on every pair
    of the stored sample it links exactly the pairs `pairwise.verify_batch` links on the same
    fingerprints, with the same scores."""
    import itertools

    import numpy as np

    from dedupe.config import ScanOptions
    from dedupe.text.fingerprint import Stemmer, TokenHasher
    from dedupe.text.normalize import normalize
    from dedupe.store import Link
    from dedupe.stages.pairwise import verify_batch
    from dedupe.engines.incremental import _store_fingerprints, _verify_pairs

    db = str(tmp_path / "news.db")
    scan_into_store(list(ARTICLES.values()), db)
    options = ScanOptions()
    with Store.open(db, readonly=True) as st:
        stored = sorted(a for a, art in st.articles(range(1, 200), text=False).items() if not art.skipped)
        pairs = list(itertools.combinations(stored, 2))
        found = _verify_pairs(st, pairs, {}, options, TokenHasher(), Stemmer())
        arts = st.articles(stored)
        norms = [normalize(arts[a].document()) for a in stored]
        fp = _store_fingerprints(st, norms, options, TokenHasher(), Stemmer())
        index = np.array(list(itertools.combinations(range(len(stored)), 2)))
        reference = verify_batch(index, fp, norms, Stemmer(), options.verify.verifier(), options.verify)
    assert len(stored) > 20 and len(reference) > 10
    assert found == [Link.from_match(m, stored[m.a], stored[m.b]) for m in reference]


# -- crash and concurrency: real processes -------------------------------------------------

def run_cli(*args, **kw):
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.Popen([sys.executable, "-m", "dedupe", *args], env=env, cwd=ROOT, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)


def many_items(server, count):
    """`count` distinct articles: sample paragraphs recombined, each with its own figures."""
    rows = [r for r in ARTICLES.values() if len(r["text"]) > 900]
    items = []
    for n in range(count):
        row = rows[n % len(rows)]
        paragraphs = row["text"].split("\n\n")
        rotated = paragraphs[n % len(paragraphs):] + paragraphs[: n % len(paragraphs)]
        text = "\n\n".join(rotated) + f"\n\nFile {n}: officials counted {n * 7 + 3} calls and {n * 13 + 5} visits."
        items.append({"title": f"{row['title']} ({n})", "link": server.url(f"/bulk/{n}"), "guid": f"bulk-{n}",
                      "published": (datetime(2026, 3, 1, tzinfo=timezone.utc) + timedelta(minutes=n)).isoformat(),
                      "text": text})
    return items


def test_kill_9_mid_write_loses_nothing(newsroom, tmp_path):
    srv = newsroom.server
    newsroom.publish("mpa", "mpa-ferry")
    newsroom.publish("mpa", "mpa-bridge")
    srv.routes["/bulk.rss"] = Route(rss("Bulk Wire", many_items(srv, 120)), content_type=RSS, etag='"bulk-1"')
    db = str(tmp_path / "news.db")
    args = ["watch", newsroom.url("mpa"), srv.url("/bulk.rss"), "--store", db, "--delay", "0", "--format", "json"]
    wal = db + "-wal"
    killed = 0
    # first while the commit writes its pages (the WAL file grows), then at moments in the batch
    for moment in ("commit", 0.0, 0.4, 1.2):
        proc = run_cli(*args)
        for line in proc.stderr:
            if "bulk.rss: storing" in line:
                break
        if moment == "commit":
            size = os.path.getsize(wal) if os.path.exists(wal) else 0
            deadline = time.monotonic() + 60
            while proc.poll() is None and time.monotonic() < deadline:
                if os.path.exists(wal) and os.path.getsize(wal) > size:
                    break
                time.sleep(0.0005)
        else:
            time.sleep(moment)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            killed += 1
        proc.wait()
        stored = check_store(db)  # integrity_check + the store's own invariants
        assert stored in (2, 122)  # the first feed's batch, and all or none of the second
        if stored == 122:
            break
    assert killed >= 1
    proc = run_cli(*args)
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    data = json.loads(out)
    assert check_store(db) == 122
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT count(*), count(DISTINCT key) FROM articles").fetchone() == (122, 122)
    # everything stored by the killed runs is reported by the run that completed
    assert len(data["new"]) == 122 and data["recovered_runs"]
    assert conn.execute("SELECT count(*) FROM articles WHERE story IS NOT NULL").fetchone()[0] > 0
    statuses = [r[0] for r in conn.execute("SELECT status FROM runs ORDER BY id")]
    assert statuses[-1] == "done" and set(statuses[:-1]) == {"recovered"}


def test_two_runs_at_once(newsroom, tmp_path):
    srv = newsroom.server
    newsroom.publish("mpa", "mpa-ferry")
    newsroom.publish("ledger", "daily-ledger-ferry")
    srv.routes["/ledger.rss"].delay = 3.0  # the first run holds the store a while (start-up takes ~1 s)
    db = str(tmp_path / "news.db")
    args = ["watch", newsroom.url("mpa"), newsroom.url("ledger"), "--store", db, "--delay", "0", "--format", "json"]
    impatient = [run_cli(*args, "--wait", "0") for _ in range(2)]
    results = [(p.wait(timeout=60), p.stdout.read(), p.stderr.read()) for p in impatient]
    codes = sorted(code for code, _, _ in results)
    assert codes == [0, 75], results
    busy = next(err for code, _, err in results if code == 75)
    assert "store is in use by another run" in busy and len(busy.strip().splitlines()) == 1
    srv.routes["/ledger.rss"].delay = 1.0
    patient = [run_cli(*args, "--wait", "60") for _ in range(2)]
    results = [(p.wait(timeout=120), json.loads(p.stdout.read())) for p in patient]
    assert [code for code, _ in results] == [0, 0]
    assert [data["new"] for _, data in results] == [[], []]  # everything was stored once, by the first pair
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT count(*), count(DISTINCT key) FROM articles").fetchone() == (2, 2)
    assert check_store(db) == 2


def test_report_reads_while_a_run_holds_the_store(tmp_path):
    db = str(tmp_path / "news.db")
    scan_into_store([DATA / "sample" / "news.jsonl"], db)
    with Store.open(db, wait=0):
        report = store_report(db)  # no lock needed
        with pytest.raises(StoreBusyError):
            scan_into_store([DATA / "sample" / "news.jsonl"], db, wait=0)
    assert len(report.clusters) == 4


def test_scan_store_attaches_a_copy_through_another_paper_to_the_wire(tmp_path):
    # the wire story runs on; the Mirror took its first paragraphs, the Sun its first two
    # sentences only: by strength the Sun is nearer the Mirror, but all they share is the wire's
    from test_cluster import PAPER_B_FROM_WIRE, WIRE_COURT

    wire = WIRE_COURT + (
        " The court was told Hollis had run up debts of more than 20,000 pounds after her marriage broke"
        " down in 1995. She spent much of the stolen money on holidays in Spain and on a second-hand car,"
        " the prosecution said. Her barrister, Susan Clarke, said her client was deeply ashamed and had"
        " repaid 3,000 pounds before the trial. The nursing home has since changed the way it keeps"
        " residents' bank cards, the court heard. West Yorkshire Police said the inquiry began when a bank"
        " noticed withdrawals at three in the morning.")
    rows = [{"id": "pa-court", "text": wire, "source": "PA", "published": "1999-08-10T08:00:00+00:00"},
            {"id": "mirror-court", "text": WIRE_COURT.rsplit(" Detective", 1)[0], "source": "Mirror",
             "published": "1999-08-10T09:00:00+00:00"},
            {"id": "sun-court", "text": PAPER_B_FROM_WIRE, "source": "Sun",
             "published": "1999-08-10T10:00:00+00:00"}]
    path = tmp_path / "court.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    plain = dedupe.scan([path])
    stored = scan_into_store([path], str(tmp_path / "news.db"))
    triples = lambda r: sorted((m.id, m.relation, m.of) for c in r.clusters for m in c.members)
    assert triples(plain) == [("mirror-court", "copy", "pa-court"), ("pa-court", "original", None),
                              ("sun-court", "copy", "pa-court")]
    assert triples(stored) == triples(plain)
