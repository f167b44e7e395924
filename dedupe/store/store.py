"""The persistent store for the cron use: one SQLite file (WAL mode) kept between runs.

It holds the articles (every version of each), an incremental candidate index,
the verified links, the stories they form, the feeds' conditional-request state
and the run history.  Nothing here analyses text: the caller (engines/incremental.py) computes
signatures and verifies pairs; this module only keeps and looks things up.

Safety: a writer holds an exclusive ``flock`` on ``PATH.lock`` for its whole run
(a second run waits up to ``wait`` seconds, then gets `StoreBusyError`), and every
batch is one SQLite transaction, so a run killed at any moment leaves the last
committed batch.  Readers (`Store.open(..., readonly=True)`) never wait: WAL gives
them a consistent snapshot.

The index, links and stories are in index.py, the schema and its migrations (`MIGRATIONS`,
``PRAGMA user_version``) in schema.py.
"""
from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from ..errors import StoreError
from .index import IndexTables
from .integrity import IntegrityChecks
from .locking import _acquire_lock, _connect
from .records import FeedState, IndexLayout, NewArticle, StoredArticle, timestamp, utc_now
from .schema import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION, _chunks, _marks

_ARTICLE_COLUMNS = ("id, key, version, current, url, guid, feed, source, published, title, seen, run, "
                    "content_hash, entry_hash, words, skipped, story, parent, relation")


class Store(IndexTables, IntegrityChecks):
    """An open store. Use `Store.open`; close it (or use ``with``) to release the lock."""

    def __init__(self, conn: sqlite3.Connection, path: Path, lock_fd: int | None) -> None:
        self.conn = conn
        self.path = path
        self._lock_fd = lock_fd
        self._in_transaction = False

    # -- opening ---------------------------------------------------------------------------
    @classmethod
    def open(cls, path: str | os.PathLike, layout: IndexLayout | None = None, wait: float = 60.0,
             readonly: bool = False, clock: Callable[[], float] = time.monotonic, check: bool = True) -> "Store":
        """Open (or, for writers, create) the store at `path`.

        Writers take the run lock first, waiting up to `wait` seconds for another
        run to finish (`StoreBusyError` after that); the index layout must match
        the one the store was created with.  Readers need an existing store.
        With `check` (the default) a damaged file (``PRAGMA quick_check``) is refused
        with a StoreError before anything is read from it or written to it.
        """
        path = Path(path)
        if readonly:
            if not path.is_file():
                raise StoreError(f"{path}: no such store")
            conn = _connect(f"file:{path.as_posix()}?mode=ro", uri=True, busy=wait)
            store = cls(conn, path, None)
            with store._closed_on_error("read"):
                store._identify()
                if check:
                    store.check_damage()
                store._check_schema(upgrade=False)
            return store
        if path.is_dir():
            raise StoreError(f"{path}: is a directory, not a store file")
        if not path.parent.is_dir():
            raise StoreError(f"{path}: folder {path.parent} does not exist")
        fd = _acquire_lock(path, wait, clock)
        try:
            conn = _connect(str(path), uri=False, busy=max(wait, 5.0))
        except BaseException:
            os.close(fd)
            raise
        store = cls(conn, path, fd)
        with store._closed_on_error("use"):
            store._identify()  # before anything writes: never touch another program's file
            if check:
                store.check_damage()  # nor a damaged one
            mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise StoreError(f"{path}: cannot switch the store to WAL mode (got {mode})")
            # NORMAL is durable against a killed process in WAL mode; only a power cut
            # can lose the last committed batch (never corrupt the file).
            conn.execute("PRAGMA synchronous=NORMAL")
            store._check_schema(upgrade=True)
            if layout is not None:
                store._check_layout(layout)
        return store

    @contextmanager
    def _closed_on_error(self, doing: str) -> Iterator[None]:
        """Opening's checks: on any failure the store is closed (and its lock released) before
        the error leaves; SQLite's own errors become one StoreError line."""
        try:
            yield
        except sqlite3.DatabaseError as exc:
            self.close()
            raise StoreError(f"{self.path}: cannot {doing} the store ({exc})") from None
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        try:
            self.conn.close()
        finally:
            if self._lock_fd is not None:
                os.close(self._lock_fd)  # releases the flock
                self._lock_fd = None

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _identify(self) -> tuple[int, int]:
        """(schema version, number of schema objects); StoreError unless the file is empty
        or a dedupe store."""
        try:
            version = self.conn.execute("PRAGMA user_version").fetchone()[0]
            app = self.conn.execute("PRAGMA application_id").fetchone()[0]
            tables = self.conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: not a dedupe store ({exc})") from None
        if app != APPLICATION_ID and (tables or version or app):
            raise StoreError(f"{self.path}: not a dedupe store (an SQLite file of another program)")
        return version, tables

    def check_damage(self) -> None:
        """StoreError naming the store when ``PRAGMA quick_check`` finds damage.

        quick_check reads every page and checks the b-trees' structure (not that
        indexes match their tables): 0.22 s for a 59 MB store of the 21,578 Reuters
        articles with the file in the page cache, 1.0 s from disk (about 4 ms per MB;
        ``benchmarks/reliability.py --time-store PATH``).  Less would check less: the
        damage the issue found was in the middle of the file, where only a full read sees it."""
        try:
            rows = self.conn.execute("PRAGMA quick_check(5)").fetchall()
        except sqlite3.DatabaseError as exc:
            rows = [(str(exc),)]
        if rows != [("ok",)]:
            first = " ".join(str(rows[0][0]).split())[:160]
            raise StoreError(f"{self.path}: the store is damaged ({first}); nothing was written to it. "
                             f"See `dedupe store check`; `dedupe store repair` rebuilds it from what can be read")

    def _check_schema(self, upgrade: bool) -> None:
        version, tables = self._identify()
        if version > SCHEMA_VERSION:
            raise StoreError(f"{self.path}: store schema {version} is newer than this dedupe "
                             f"understands ({SCHEMA_VERSION}); upgrade dedupe")
        if version == SCHEMA_VERSION:
            return
        if not upgrade and not tables:
            raise StoreError(f"{self.path}: not a dedupe store (empty file)")
        if not upgrade:
            raise StoreError(f"{self.path}: store schema {version} is older than {SCHEMA_VERSION}; "
                             "run `dedupe watch` or `dedupe scan --store` on it once to upgrade it")
        with self.transaction():
            current = self.conn.execute("PRAGMA user_version").fetchone()[0]
            for step in range(current, SCHEMA_VERSION):
                MIGRATIONS[step](self.conn)
            self.conn.execute(f"PRAGMA application_id={APPLICATION_ID}")
            self.conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")

    def _check_layout(self, layout: IndexLayout) -> None:
        stored = dict(self.conn.execute("SELECT key, value FROM meta WHERE key LIKE 'index.%'").fetchall())
        wanted = layout.as_meta()
        missing = {k: v for k, v in wanted.items() if k not in stored}
        if missing and (not stored or set(missing) == {"index.probe"}):
            with self.transaction():  # a new store, or one made before probes were kept
                self.conn.executemany("INSERT INTO meta VALUES (?, ?)", sorted(missing.items()))
            stored.update(missing)
        probe = wanted.get("index.probe")
        if probe and stored.get("index.probe") != probe:
            raise StoreError(f"{self.path}: the store was indexed by a version of dedupe that reduces texts "
                             "to index entries differently (normalisation, hashing or stemming changed); "
                             "use a new store and add the articles again")
        stored.pop("index.probe", None)
        wanted.pop("index.probe", None)
        if stored != wanted:
            differ = ", ".join(f"{k[6:]}={stored.get(k)} (asked {v})" for k, v in sorted(wanted.items())
                               if stored.get(k) != v)
            raise StoreError(f"{self.path}: the store's index was built with other options: {differ}; "
                             "use the same options or a new store")

    # -- transactions ----------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One batch: everything inside is committed together or not at all."""
        if self._in_transaction:
            raise StoreError("nested store transaction")  # a bug in the caller
        self.conn.execute("BEGIN IMMEDIATE")
        self._in_transaction = True
        try:
            yield
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("COMMIT")
        finally:
            self._in_transaction = False

    # -- runs ------------------------------------------------------------------------------
    def start_run(self, kind: str) -> tuple[int, tuple[int, ...]]:
        """Record a new run; return its id and the ids of earlier runs that never finished
        (killed), whose articles this run reports as its own."""
        with self.transaction():
            dead = [r[0] for r in self.conn.execute(
                "SELECT id FROM runs WHERE status IN ('running', 'killed') ORDER BY id")]
            self.conn.execute("UPDATE runs SET status = 'killed' WHERE status = 'running'")
            cur = self.conn.execute("INSERT INTO runs (kind, started, status) VALUES (?, ?, 'running')",
                                    (kind, utc_now()))
            return cur.lastrowid, tuple(dead)

    def finish_run(self, run: int, recovered: Iterable[int], articles: int, failures: int) -> None:
        with self.transaction():
            self.conn.execute("UPDATE runs SET status = 'done', finished = ?, articles = ?, failures = ? "
                              "WHERE id = ?", (utc_now(), articles, failures, run))
            ids = list(recovered)
            if ids:
                self.conn.execute(f"UPDATE runs SET status = 'recovered' WHERE id IN ({_marks(len(ids))})", ids)

    def abandon_run(self, run: int) -> None:
        """A run that stored its articles but could not report them (its report could not be
        written, or it failed): marked killed, so the next watch run reports its articles.
        Best effort: when even this cannot be written the run stays "running", which the next
        run treats the same way."""
        self._set_run_status(run, "killed")

    def fail_run(self, run: int) -> None:
        """A run whose work was rolled back: nothing of it to report."""
        self._set_run_status(run, "failed")

    def _set_run_status(self, run: int, status: str) -> None:
        if self._in_transaction:
            return  # the caller's transaction is being rolled back; the run stays "running"
        try:
            with self.transaction():
                self.conn.execute("UPDATE runs SET status = ?, finished = ? WHERE id = ? AND status = 'running'",
                                  (status, utc_now(), run))
        except sqlite3.Error:
            pass

    def runs(self) -> list[dict]:
        """The run history, oldest first."""
        cur = self.conn.execute("SELECT id, kind, started, finished, status, articles, failures FROM runs "
                                "ORDER BY id")
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row)) for row in cur]

    # -- feeds -----------------------------------------------------------------------------
    def feed_state(self, url: str) -> FeedState:
        row = self.conn.execute("SELECT url, title, etag, last_modified, checked, status, error "
                                "FROM feeds WHERE url = ?", (url,)).fetchone()
        return FeedState(*row) if row else FeedState(url)

    def save_feed_state(self, state: FeedState) -> None:
        self.conn.execute(
            "INSERT INTO feeds (url, title, etag, last_modified, checked, status, error) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(url) DO UPDATE SET title = excluded.title, "
            "etag = excluded.etag, last_modified = excluded.last_modified, checked = excluded.checked, "
            "status = excluded.status, error = excluded.error",
            (state.url, state.title, state.etag, state.last_modified, state.checked, state.status, state.error))

    # -- articles --------------------------------------------------------------------------
    def _articles(self, where: str, params: Sequence, text: bool) -> list[StoredArticle]:
        cols = _ARTICLE_COLUMNS + (", text" if text else "")
        out = []
        for row in self.conn.execute(f"SELECT {cols} FROM articles WHERE {where}", params):
            values = list(row)
            values[3] = bool(values[3])
            out.append(StoredArticle(*values))
        return out

    def current(self, key: str) -> StoredArticle | None:
        """The latest version stored under `key` (without its text)."""
        found = self._articles("key = ? AND current = 1", (key,), text=False)
        return found[0] if found else None

    def articles(self, ids: Iterable[int], text: bool = True) -> dict[int, StoredArticle]:
        ids = sorted(set(ids))
        out: dict[int, StoredArticle] = {}
        for chunk in _chunks(ids):
            for art in self._articles(f"id IN ({_marks(len(chunk))})", chunk, text):
                out[art.id] = art
        return out

    def versions(self, key: str) -> list[StoredArticle]:
        """Every stored version of `key`, oldest first, with texts."""
        return sorted(self._articles("key = ?", (key,), text=True), key=lambda a: a.version)

    def articles_of_runs(self, runs: Sequence[int]) -> list[StoredArticle]:
        """Current articles stored by these runs, in storing order (with texts)."""
        if not runs:
            return []
        found = self._articles(f"run IN ({_marks(len(runs))}) AND current = 1 ORDER BY id", list(runs), text=True)
        return found

    def analysed_ids(self) -> list[int]:
        """Current articles long enough to be compared (the ones the index holds), in storing order."""
        return [r[0] for r in self.conn.execute(
            "SELECT id FROM articles WHERE current = 1 AND skipped IS NULL ORDER BY id")]

    def text_length(self, article: int) -> int:
        """Characters of a stored version's text (without loading it)."""
        row = self.conn.execute("SELECT length(text) FROM articles WHERE id = ?", (article,)).fetchone()
        return row[0] if row else 0

    def is_forgotten(self, key: str) -> bool:
        return self.conn.execute("SELECT 1 FROM forgotten WHERE key = ?", (key,)).fetchone() is not None

    def count_articles(self) -> tuple[int, int]:
        """(current articles, current articles in the index)."""
        row = self.conn.execute("SELECT count(*), coalesce(sum(indexed), 0) FROM articles WHERE current = 1").fetchone()
        return row[0], row[1]

    def skipped_articles(self) -> list[tuple[str, str]]:
        return self.conn.execute("SELECT key, skipped FROM articles WHERE current = 1 AND skipped IS NOT NULL "
                                 "ORDER BY id").fetchall()

    def add_article(self, new: NewArticle, run: int, version: int = 1) -> int:
        """Store a version as the current one (the caller retired the previous version)."""
        doc = new.doc
        now = time.time()
        cur = self.conn.execute(
            "INSERT INTO articles (key, version, current, url, guid, feed, source, published, title, stamp, "
            "seen, run, text, content_hash, entry_hash, words, skipped) "
            "VALUES (?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (new.key, version, doc.url, new.guid, new.feed, doc.source, doc.published, doc.title,
             timestamp(doc.published, now), utc_now(), run, doc.text, new.content_hash, new.entry_hash,
             new.words, new.skipped))
        return cur.lastrowid

    def set_entry_hash(self, article: int, entry_hash: str | None) -> None:
        self.conn.execute("UPDATE articles SET entry_hash = ? WHERE id = ?", (entry_hash, article))

    def retire(self, article: int) -> set[int]:
        """Make a version non-current (a newer one replaces it): out of the index, its links
        and its story.  Returns the articles it was linked to."""
        neighbours = self._unlink(article)
        self._unindex(article)
        self.conn.execute("UPDATE articles SET current = 0, story = NULL, parent = NULL, relation = NULL "
                          "WHERE id = ?", (article,))
        return neighbours

    def drop(self, articles: Sequence[int], now: float) -> set[int]:
        """Delete versions for good (retention); the keys of dropped current versions are
        remembered so feeds that still list them do not bring them back.  Returns the
        surviving articles they were linked to."""
        neighbours: set[int] = set()
        gone = set(articles)
        for article in articles:
            neighbours |= self._unlink(article)
            self._unindex(article)
        for chunk in _chunks(sorted(gone)):
            marks = _marks(len(chunk))
            self.conn.execute(f"INSERT OR REPLACE INTO forgotten (key, dropped) SELECT key, ? FROM articles "
                              f"WHERE id IN ({marks}) AND current = 1", [now, *chunk])
            self.conn.execute(f"DELETE FROM articles WHERE id IN ({marks})", chunk)
        return neighbours - gone

    def expired(self, cutoff: float) -> list[int]:
        return [r[0] for r in self.conn.execute("SELECT id FROM articles WHERE stamp < ? ORDER BY id", (cutoff,))]

    def forget_tombstones(self, before: float) -> None:
        self.conn.execute("DELETE FROM forgotten WHERE dropped < ?", (before,))


@contextmanager
def snapshot(store: Store) -> Iterator[Store]:
    """A read transaction: every query inside sees the same committed state, whatever another
    process commits meanwhile (SQLite WAL).  Writing inside it is a bug (a nested transaction)."""
    if store._in_transaction:
        raise StoreError("nested store transaction")  # a bug in the caller
    store.conn.execute("BEGIN")
    store._in_transaction = True
    try:
        yield store
    finally:
        store._in_transaction = False
        store.conn.execute("COMMIT")
