"""The SQLite store: schema and migrations, the run lock, the incremental index, retention."""
import sqlite3
import threading
import time

import numpy as np
import pytest

from dedupe.store import store as store_mod
from dedupe.config import CandidateOptions, FingerprintOptions
from dedupe.model import Document, Scores
from dedupe.store import (IndexLayout, Link, NewArticle, Store, StoreBusyError, StoreError, band_keys,
                          term_id)

LAYOUT = IndexLayout.of(FingerprintOptions(), CandidateOptions())
RARE = CandidateOptions(max_df=3, min_shared=2, min_share=0.5, max_bucket=3)


def add(st, key, text="Ferry strikes harbour wall at Port Calder.", run=1, version=1):
    doc = Document(id=key, text=text, source="Meridian Press Agency", published="2026-03-14T09:00:00+00:00")
    return st.add_article(NewArticle(key, doc, content_hash=key + text, words=len(text.split())), run, version)


@pytest.fixture()
def st(tmp_path):
    with Store.open(tmp_path / "news.db", LAYOUT, wait=0) as opened:
        yield opened


def test_new_store_is_wal_versioned_and_marked(tmp_path):
    path = tmp_path / "news.db"
    Store.open(path, LAYOUT).close()
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA user_version").fetchone()[0] == store_mod.SCHEMA_VERSION
    assert conn.execute("PRAGMA application_id").fetchone()[0] == store_mod.APPLICATION_ID
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"articles", "bands", "terms", "postings", "links", "stories", "runs", "feeds"} <= tables


@pytest.mark.parametrize("content, message", [
    (b"Ferry strikes harbour wall at Port Calder; 14 passengers hurt.\n" * 40, "not a dedupe store"),
    ("other-sqlite", "SQLite file of another program"),
    ("newer", "newer than this dedupe understands"),
], ids=["text-file", "other-sqlite", "newer-schema"])
def test_refuses_files_it_does_not_own(tmp_path, content, message):
    path = tmp_path / "x.db"
    if content == "other-sqlite":
        conn = sqlite3.connect(path)
        conn.execute("CREATE TABLE t (x)")
        conn.close()
    elif content == "newer":
        Store.open(path, LAYOUT).close()
        conn = sqlite3.connect(path)
        conn.execute("PRAGMA user_version = 99")
        conn.close()
    else:
        path.write_bytes(content)
    with pytest.raises(StoreError, match=message):
        Store.open(path, LAYOUT).close()
    with pytest.raises(StoreError, match=message):
        Store.open(path, readonly=True).close()
    if content == "other-sqlite":  # left as it was: not switched to WAL
        assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0] == "delete"


def test_readonly_needs_an_existing_store(tmp_path):
    with pytest.raises(StoreError, match="no such store"):
        Store.open(tmp_path / "missing.db", readonly=True)
    with pytest.raises(StoreError, match="does not exist"):
        Store.open(tmp_path / "no" / "dir.db", LAYOUT)


def test_index_layout_must_match(tmp_path):
    path = tmp_path / "news.db"
    Store.open(path, LAYOUT).close()
    other = IndexLayout.of(FingerprintOptions(), CandidateOptions(shingle_bands=32, shingle_rows=4))
    with pytest.raises(StoreError, match="bands=64 \\(asked 32\\)"):
        Store.open(path, other)


def test_index_made_by_other_code_is_refused(tmp_path):
    path = tmp_path / "news.db"
    made = IndexLayout.of(FingerprintOptions(), CandidateOptions(), probe="0123456789abcdef")
    Store.open(path, made).close()
    Store.open(path, made).close()
    Store.open(path, LAYOUT).close()  # no probe asked: not checked
    other = IndexLayout.of(FingerprintOptions(), CandidateOptions(), probe="fedcba9876543210")
    with pytest.raises(StoreError, match="indexed by a version of dedupe that reduces texts"):
        Store.open(path, other)
    older = tmp_path / "older.db"
    Store.open(older, LAYOUT).close()  # a store from before probes were kept takes one
    Store.open(older, made).close()
    with pytest.raises(StoreError, match="indexed by a version"):
        Store.open(older, other)


def test_migrations_run_in_order_once(tmp_path, monkeypatch):
    path = tmp_path / "news.db"
    Store.open(path, LAYOUT).close()
    calls = []

    def add_notes(conn):
        calls.append("next")
        conn.execute("ALTER TABLE runs ADD COLUMN notes TEXT")

    version = store_mod.SCHEMA_VERSION
    monkeypatch.setattr(store_mod, "MIGRATIONS", [*store_mod.MIGRATIONS, add_notes])
    monkeypatch.setattr(store_mod, "SCHEMA_VERSION", version + 1)
    Store.open(path, LAYOUT).close()
    Store.open(path, LAYOUT).close()
    assert calls == ["next"]
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == version + 1
    assert "notes" in [r[1] for r in conn.execute("PRAGMA table_info(runs)")]


def test_failed_migration_changes_nothing(tmp_path, monkeypatch):
    path = tmp_path / "news.db"
    Store.open(path, LAYOUT).close()

    def broken(conn):
        conn.execute("ALTER TABLE runs ADD COLUMN notes TEXT")
        raise RuntimeError("disk on fire")

    version = store_mod.SCHEMA_VERSION
    monkeypatch.setattr(store_mod, "MIGRATIONS", [*store_mod.MIGRATIONS, broken])
    monkeypatch.setattr(store_mod, "SCHEMA_VERSION", version + 1)
    with pytest.raises(RuntimeError):
        Store.open(path, LAYOUT)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == version
    assert "notes" not in [r[1] for r in conn.execute("PRAGMA table_info(runs)")]


def test_second_writer_waits_then_gives_up(tmp_path):
    path = tmp_path / "news.db"
    first = Store.open(path, LAYOUT)
    started = time.monotonic()
    with pytest.raises(StoreBusyError, match=r"in use by another run \(pid \d+ since .*\); gave up after waiting 0.3 s"):
        Store.open(path, LAYOUT, wait=0.3)
    assert 0.25 <= time.monotonic() - started < 3
    # readers do not wait for the writer
    Store.open(path, readonly=True).close()
    releaser = threading.Timer(0.3, first.close)
    releaser.start()
    Store.open(path, LAYOUT, wait=10).close()  # gets the lock once the first one lets go
    releaser.join()


def test_transaction_rolls_back_on_error(st):
    with pytest.raises(ZeroDivisionError):
        with st.transaction():
            add(st, "a")
            1 / 0
    assert st.current("a") is None
    with st.transaction():
        add(st, "a")
    assert st.current("a").version == 1


def test_one_current_version_per_key(st):
    with st.transaction():
        first = add(st, "a")
    with pytest.raises(sqlite3.IntegrityError):
        with st.transaction():
            add(st, "a", text="changed", version=2)  # without retiring the first one
    with st.transaction():
        st.retire(first)
        add(st, "a", text="changed", version=2)
    assert [v.version for v in st.versions("a")] == [1, 2]
    assert st.current("a").text is None and st.versions("a")[1].text == "changed"


def test_band_keys_follow_the_bands():
    sig = np.arange(128, dtype=np.uint32)
    other = sig.copy()
    other[4] += 1  # changes band 2 only (2 rows per band)
    a, b = band_keys(sig, 64, 2), band_keys(other, 64, 2)
    assert a.dtype == np.uint32 and len(a) == 64 and (a < 2**31).all()
    assert [i for i in range(64) if a[i] != b[i]] == [2]
    assert len(set(band_keys(np.zeros(128, dtype=np.uint32), 64, 2).tolist())) == 64  # band number folded in


def test_lsh_route_and_big_buckets(st):
    with st.transaction():
        ids = [add(st, f"a{i}") for i in range(5)]
        assert st.index(ids[0], np.array([1, 2]), [], RARE) == set()
        assert st.index(ids[1], np.array([1, 3]), [], RARE) == {ids[0]}
        assert st.index(ids[2], np.array([1, 4]), [], RARE) == {ids[0], ids[1]}
        # a fourth article in bucket 1 makes it larger than max_bucket=3: ignored
        assert st.index(ids[3], np.array([1, 4]), [], RARE) == {ids[2]}


def test_rare_route_counts_and_saturation(st):
    terms = {name: term_id(name) for name in ("calder", "ferry", "breakwat", "kittiwak", "coxswain")}
    t = lambda *names: [terms[n] for n in names]
    with st.transaction():
        a, b, c, d, e = (add(st, k) for k in "abcde")
        assert st.index(a, np.array([], dtype=np.uint32), t("calder", "ferry", "breakwat"), RARE) == set()
        # b shares calder + ferry (2 >= min_shared, and 2 >= 0.5 * min(2, 2))
        assert st.index(b, np.array([], dtype=np.uint32), t("calder", "ferry", "kittiwak"), RARE) == {a}
        rare = dict(st.conn.execute("SELECT id, rare FROM articles"))
        assert rare[a] == 2 and rare[b] == 2  # df 1 words (breakwat, kittiwak) do not count yet
        assert st.index(c, np.array([], dtype=np.uint32), t("calder", "ferry", "coxswain"), RARE) == {a, b}
        # a fourth "calder" and "ferry" pass max_df=3: both become common for good
        assert st.index(d, np.array([], dtype=np.uint32), t("calder", "ferry"), RARE) == set()
        rare = dict(st.conn.execute("SELECT id, rare FROM articles"))
        assert (rare[a], rare[b], rare[c], rare[d]) == (0, 0, 0, 0)
        assert st.conn.execute("SELECT count(*) FROM postings WHERE term = ?", (terms["calder"],)).fetchone()[0] == 0
        assert st.document_frequencies(t("calder", "kittiwak")) == {terms["calder"]: 4, terms["kittiwak"]: 1}
        st.index(e, np.array([], dtype=np.uint32), t("kittiwak"), RARE)
        assert dict(st.conn.execute("SELECT id, rare FROM articles"))[b] == 1


def test_unindex_restores_counts(st):
    terms = [term_id(w) for w in ("calder", "ferry", "breakwat")]
    with st.transaction():
        a, b = add(st, "a"), add(st, "b")
        st.index(a, np.array([7, 8], dtype=np.uint32), terms, RARE)
        before = (st.conn.execute("SELECT * FROM terms ORDER BY term").fetchall(),
                  st.conn.execute("SELECT * FROM postings ORDER BY term").fetchall(),
                  st.conn.execute("SELECT * FROM bands ORDER BY key").fetchall())
        st.index(b, np.array([7, 9], dtype=np.uint32), terms[:2], RARE)
        assert dict(st.conn.execute("SELECT id, rare FROM articles"))[a] == 2
        st.retire(b)
        after = (st.conn.execute("SELECT * FROM terms ORDER BY term").fetchall(),
                 st.conn.execute("SELECT * FROM postings ORDER BY term").fetchall(),
                 st.conn.execute("SELECT * FROM bands ORDER BY key").fetchall())
        assert after == before
        assert dict(st.conn.execute("SELECT id, rare FROM articles"))[a] == 0
    assert st.integrity_problems() == []


def test_links_stories_and_drop(st):
    scores = Scores(0.9, 0.95, 0.8, 0.99)
    with st.transaction():
        a, b, c = add(st, "a"), add(st, "b"), add(st, "c")
        for x in (a, b, c):
            st.index(x, np.array([x], dtype=np.uint32), [], RARE)
        st.add_links([Link(a, b, scores, 0.9, 0.95, 0.9, 0.99), Link(b, c, scores, 0.5, 0.6, 0.5, 0.6)], run=1)
        story = st.new_story(run=1)
        st.assign([(a, story, None, None), (b, story, a, "copy"), (c, story, b, "partial")])
    assert st.neighbours([b]) == {b: {a, c}}
    assert [(l.a, l.b) for l in st.links_among([a, b, c])] == [(a, b), (b, c)]
    assert [m.key for m in st.story_members([story])[story]] == ["a", "b", "c"]
    with st.transaction():
        survivors = st.drop([b], now=time.time())
        st.assign([(a, None, None, None), (c, None, None, None)])
    assert survivors == {a, c}
    assert st.is_forgotten("b") and st.current("b") is None
    assert st.links_among([a, b, c]) == []
    assert st.integrity_problems() == []


def test_link_orientation():
    from dedupe.model import Match

    m = Match(a=0, b=1, scores=Scores(0.5, 0.6, 0.4, 0.7), contain_ab=0.1, contain_ba=0.6, aligned_a=0.2, aligned_b=0.7)
    link = Link.from_match(m, 9, 4)  # position 0 is article 9
    assert (link.a, link.b, link.contain_ab, link.contain_ba, link.aligned_a, link.aligned_b) == (4, 9, 0.6, 0.1, 0.7, 0.2)
    back = link.match({4: 1, 9: 0})
    assert (back.a, back.b, back.contain_ab) == (1, 0, 0.6)


def test_runs_left_running_are_reported_as_killed(st):
    run1, dead = st.start_run("watch")
    assert dead == ()
    run2, dead = st.start_run("watch")  # run1 never finished
    assert dead == (run1,)
    st.finish_run(run2, dead, articles=3, failures=0)
    statuses = {r["id"]: r["status"] for r in st.runs()}
    assert statuses == {run1: "recovered", run2: "done"}
