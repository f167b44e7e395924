"""The persistent store for the cron use: one SQLite file (WAL mode) kept between runs.

It holds the articles (every version of each), an incremental candidate index,
the verified links, the stories they form, the feeds' conditional-request state
and the run history.  Nothing here analyses text: the caller (watch.py) computes
signatures and verifies pairs; this module only keeps and looks things up.

The index is built so a run costs what its new articles cost, not what the store
holds:

- ``bands``: one row per (LSH band key, article), the same banding as the
  candidates stage (``CandidateOptions.shingle_bands`` x ``shingle_rows``), so the
  copies of a new article are found by indexed lookups of its band keys; a key
  shared by more than ``max_bucket`` articles is boilerplate and ignored.
- ``terms`` / ``postings``: the document frequency of every stemmed content word,
  and postings only for words still rare (``df <= max_df``).  A word that passes
  ``max_df`` loses its postings for good, so every lookup reads at most ``max_df``
  rows per word and the postings stay small.  ``articles.rare`` counts an article's
  words with ``2 <= df <= max_df``, the size the rare-word route compares with.

Safety: a writer holds an exclusive ``flock`` on ``PATH.lock`` for its whole run
(a second run waits up to ``wait`` seconds, then gets `StoreBusyError`), and every
batch is one SQLite transaction, so a run killed at any moment leaves the last
committed batch.  Readers (`Store.open(..., readonly=True)`) never wait: WAL gives
them a consistent snapshot.

Schema changes go through `MIGRATIONS` (``PRAGMA user_version``).
"""
from __future__ import annotations

import errno
import fcntl
import os
import sqlite3
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import xxhash

from ..config import CandidateOptions, FingerprintOptions
from ..errors import StoreBusyError, StoreError  # defined with the other errors; imported from here too
from ..model import Document, Match, Scores, published_instant

APPLICATION_ID = 0x64647570  # "ddup": marks the file as a dedupe store
SCHEMA_VERSION = 2
_CHUNK = 500  # ids per "IN (...)" query


SCHEMA_V1 = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,                 -- watch | scan
    started TEXT NOT NULL,
    finished TEXT,
    status TEXT NOT NULL,               -- running | done | killed (never finished) | recovered
    articles INTEGER NOT NULL DEFAULT 0,
    failures INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE feeds (
    url TEXT PRIMARY KEY,
    title TEXT,
    etag TEXT,
    last_modified TEXT,
    checked TEXT,
    status TEXT,
    error TEXT
) WITHOUT ROWID;
CREATE TABLE stories (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    run INTEGER NOT NULL                -- the run that first saw the story
);
CREATE TABLE articles (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL,                  -- identity: canonical URL, feed#guid, or the document id
    version INTEGER NOT NULL,
    current INTEGER NOT NULL,           -- 1 for the latest version of the key
    url TEXT, guid TEXT, feed TEXT, source TEXT, published TEXT, title TEXT,
    stamp REAL NOT NULL,                -- published (else first seen) as Unix time, for retention
    seen TEXT NOT NULL,
    run INTEGER NOT NULL,
    text TEXT NOT NULL,
    content_hash TEXT NOT NULL,         -- of the normalised words (normalize.py)
    entry_hash TEXT,                    -- of the feed entry, to skip unchanged entries cheaply
    words INTEGER NOT NULL,
    skipped TEXT,                       -- why it is not analysed (too short), else NULL
    indexed INTEGER NOT NULL DEFAULT 0,
    rare INTEGER NOT NULL DEFAULT 0,    -- words with 2 <= df <= max_df
    bands BLOB,                         -- uint32 band keys as indexed (to unindex exactly)
    terms BLOB,                         -- uint32 term ids as counted
    story INTEGER,
    parent INTEGER,
    relation TEXT,                      -- to the parent: duplicate, copy, rewrite or partial
    UNIQUE (key, version)
);
CREATE UNIQUE INDEX articles_current ON articles(key) WHERE current = 1;
CREATE INDEX articles_stamp ON articles(stamp);
CREATE INDEX articles_story ON articles(story) WHERE story IS NOT NULL;
CREATE INDEX articles_run ON articles(run);
CREATE TABLE bands (key INTEGER NOT NULL, article INTEGER NOT NULL,
                    PRIMARY KEY (key, article)) WITHOUT ROWID;
CREATE TABLE terms (term INTEGER PRIMARY KEY, df INTEGER NOT NULL, common INTEGER NOT NULL DEFAULT 0);
CREATE TABLE postings (term INTEGER NOT NULL, article INTEGER NOT NULL,
                       PRIMARY KEY (term, article)) WITHOUT ROWID;
CREATE TABLE links (
    a INTEGER NOT NULL, b INTEGER NOT NULL, run INTEGER NOT NULL,
    cosine REAL NOT NULL, containment REAL NOT NULL, jaccard REAL NOT NULL, coverage REAL NOT NULL,
    contain_ab REAL NOT NULL, contain_ba REAL NOT NULL, aligned_a REAL NOT NULL, aligned_b REAL NOT NULL,
    PRIMARY KEY (a, b),
    CHECK (a < b)
) WITHOUT ROWID;
CREATE INDEX links_b ON links(b);
CREATE TABLE forgotten (key TEXT PRIMARY KEY, dropped REAL NOT NULL) WITHOUT ROWID;
"""


def _migrate_0_to_1(conn: sqlite3.Connection) -> None:
    for statement in SCHEMA_V1.split(";"):
        if statement.strip():
            conn.execute(statement)


def _migrate_1_to_2(conn: sqlite3.Connection) -> None:
    """Feed articles were keyed by their link alone (or feed#guid), across every feed; they are
    now keyed by their outlet too (feeds.article_key).  Every version of a key moves to the key
    its latest version gets, so the next run finds each stored article under its new key.
    Tombstones of dropped articles keep their old keys (they expire with --keep-days)."""
    from ..feeds.fetch import canonical_url, clean_address, outlet_of

    titles = dict(conn.execute("SELECT url, title FROM feeds").fetchall())
    latest: dict[str, tuple[str, str | None]] = {}
    for key, feed, url in conn.execute("SELECT key, feed, url FROM articles WHERE feed IS NOT NULL "
                                       "ORDER BY key, version"):
        latest[key] = (feed, url)
    taken = {r[0] for r in conn.execute("SELECT DISTINCT key FROM articles")}
    for key, (feed, url) in sorted(latest.items()):
        outlet = outlet_of(feed, titles.get(feed))
        new = f"{outlet} {canonical_url(clean_address(url))}" if url else f"{outlet} {key}"
        if new == key or new in taken:
            continue
        conn.execute("UPDATE articles SET key = ? WHERE key = ?", (new, key))
        taken.add(new)


# MIGRATIONS[n] upgrades a store from user_version n to n + 1, inside one transaction.
MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [_migrate_0_to_1, _migrate_1_to_2]


@dataclass(frozen=True)
class IndexLayout:
    """The parameters the index was built with; a store only accepts the same ones.

    `probe` is a digest of the index entries (band keys, word ids) that the running
    code makes for a fixed text: options alone do not show a change in how texts are
    normalised, hashed or stemmed, after which old entries would silently stop
    matching new articles.  Empty: not checked.
    """

    num_perm: int
    seed: int
    shingle_size: int
    bands: int
    rows: int
    probe: str = ""

    @classmethod
    def of(cls, fingerprint: FingerprintOptions, candidates: CandidateOptions, probe: str = "") -> "IndexLayout":
        return cls(fingerprint.num_perm, fingerprint.seed, fingerprint.shingle_size,
                   candidates.shingle_bands, candidates.shingle_rows, probe)

    def as_meta(self) -> dict[str, str]:
        return {f"index.{k}": str(v) for k, v in self.__dict__.items() if k != "probe" or v}


@dataclass(frozen=True)
class StoredArticle:
    """One stored version of an article."""

    id: int
    key: str
    version: int
    current: bool
    url: str | None
    guid: str | None
    feed: str | None
    source: str | None
    published: str | None
    title: str | None
    seen: str
    run: int
    content_hash: str
    entry_hash: str | None
    words: int
    skipped: str | None
    story: int | None
    parent: int | None
    relation: str | None
    text: str | None = None  # loaded only when asked for

    def document(self) -> Document:
        """The version as a Document; its id is the article's key."""
        meta = {k: v for k, v in (("guid", self.guid), ("feed", self.feed), ("version", self.version)) if v}
        return Document(id=self.key, text=self.text or "", source=self.source, published=self.published,
                        title=self.title, url=self.url, meta=meta)


@dataclass(frozen=True)
class NewArticle:
    """What the caller knows about an article version it wants stored."""

    key: str
    doc: Document
    content_hash: str
    words: int
    skipped: str | None = None
    guid: str | None = None
    feed: str | None = None
    entry_hash: str | None = None


@dataclass(frozen=True)
class FeedState:
    url: str
    title: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    checked: str | None = None
    status: str | None = None
    error: str | None = None


@dataclass(frozen=True)
class Link:
    """A verified match between two stored articles (a < b); fields oriented a -> b."""

    a: int
    b: int
    scores: Scores
    contain_ab: float
    contain_ba: float
    aligned_a: float
    aligned_b: float

    @classmethod
    def from_match(cls, match: Match, id_a: int, id_b: int) -> "Link":
        """A Link from a Match whose a/b are the articles `id_a` / `id_b` (in any order)."""
        if id_a < id_b:
            return cls(id_a, id_b, match.scores, match.contain_ab, match.contain_ba, match.aligned_a, match.aligned_b)
        return cls(id_b, id_a, match.scores, match.contain_ba, match.contain_ab, match.aligned_b, match.aligned_a)

    def match(self, index: dict[int, int]) -> Match:
        """The Match between positions `index[a]` and `index[b]` of a document list."""
        return Match(a=index[self.a], b=index[self.b], scores=self.scores, contain_ab=self.contain_ab,
                     contain_ba=self.contain_ba, aligned_a=self.aligned_a, aligned_b=self.aligned_b)


def band_keys(signature: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """31-bit keys of a MinHash signature's LSH bands (band number folded in), as uint32.

    Two signatures share a key when they agree on all `rows` values of one band,
    as in datasketch's MinHashLSH; 31 bits keep SQLite's integers at 4 bytes (a
    rare accidental clash only adds a candidate, which verification rejects)."""
    sig = np.ascontiguousarray(signature[: bands * rows], dtype="<u4")
    keys = np.empty(bands, dtype=np.uint32)
    for band in range(bands):
        keys[band] = xxhash.xxh32_intdigest(sig[band * rows:(band + 1) * rows].tobytes(), seed=band) & 0x7FFFFFFF
    return keys


def term_id(stem: str) -> int:
    """31-bit id of a stemmed content word (a clash merges two words' counts: harmless)."""
    return xxhash.xxh32_intdigest(stem.encode("utf-8")) & 0x7FFFFFFF


def utc_now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def timestamp(published: str | None, default: float) -> float:
    """Unix time of an ISO 8601 date (naive means UTC), or `default`."""
    instant = published_instant(published)
    return default if instant is None else instant


def _chunks(items: Sequence, size: int = _CHUNK) -> Iterator[Sequence]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _marks(n: int) -> str:
    return ",".join("?" * n)


_ARTICLE_COLUMNS = ("id, key, version, current, url, guid, feed, source, published, title, seen, run, "
                    "content_hash, entry_hash, words, skipped, story, parent, relation")


class Store:
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
            try:
                store._identify()
                if check:
                    store.check_damage()
                store._check_schema(upgrade=False)
            except sqlite3.DatabaseError as exc:
                conn.close()
                raise StoreError(f"{path}: cannot read the store ({exc})") from None
            except BaseException:
                conn.close()
                raise
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
        try:
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
        except sqlite3.DatabaseError as exc:
            store.close()
            raise StoreError(f"{path}: cannot use the store ({exc})") from None
        except BaseException:
            store.close()
            raise
        return store

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

    # -- the candidate index ---------------------------------------------------------------
    def index(self, article: int, keys: np.ndarray, terms: Sequence[int], options: CandidateOptions) -> set[int]:
        """Add an article to the index and return its candidates among the indexed articles.

        The two routes of candidates.py, as lookups: articles sharing an LSH band key
        (keys shared by more than ``max_bucket`` articles are ignored), and articles
        sharing at least ``min_shared`` rare words and at least ``min_share`` of the
        smaller article's rare words (rare: ``2 <= df <= max_df``, counted over the
        store).
        """
        conn = self.conn
        keys = np.unique(np.asarray(keys, dtype=np.uint32))
        terms = sorted(set(int(t) for t in terms))
        found: set[int] = set()
        for key in keys.tolist():
            rows = conn.execute("SELECT article FROM bands WHERE key = ? LIMIT ?", (key, options.max_bucket)).fetchall()
            if len(rows) + 1 <= options.max_bucket:
                found.update(r[0] for r in rows)
        conn.executemany("INSERT OR IGNORE INTO bands (key, article) VALUES (?, ?)",
                         [(key, article) for key in keys.tolist()])

        known = self._term_rows(terms)
        upserts: list[tuple[int, int, int]] = []
        first_shared: list[int] = []  # df goes 1 -> 2: the earlier article gains a rare word
        saturated: list[int] = []  # df passes max_df: the word is common for good
        new_postings: list[tuple[int, int]] = []
        rare: list[int] = []
        for term in terms:
            df, common = known.get(term, (0, 0))
            df += 1
            if common:
                upserts.append((term, df, 1))
            elif df > options.max_df:
                saturated.append(term)
                upserts.append((term, df, 1))
            else:
                upserts.append((term, df, 0))
                new_postings.append((term, article))
                if df == 2:
                    first_shared.append(term)
                if df >= 2:
                    rare.append(term)
        self._adjust_rare(first_shared, +1)
        self._adjust_rare(saturated, -1)
        for chunk in _chunks(saturated):
            conn.execute(f"DELETE FROM postings WHERE term IN ({_marks(len(chunk))})", chunk)
        conn.executemany("INSERT INTO terms (term, df, common) VALUES (?, ?, ?) ON CONFLICT(term) "
                         "DO UPDATE SET df = excluded.df, common = excluded.common", upserts)
        conn.executemany("INSERT OR IGNORE INTO postings (term, article) VALUES (?, ?)", new_postings)
        conn.execute("UPDATE articles SET indexed = 1, rare = ?, bands = ?, terms = ? WHERE id = ?",
                     (len(rare), keys.astype("<u4").tobytes(),
                      np.asarray(terms, dtype="<u4").tobytes(), article))

        shared: Counter[int] = Counter()
        for chunk in _chunks(rare):
            for (other,) in conn.execute(f"SELECT article FROM postings WHERE term IN ({_marks(len(chunk))}) "
                                         "AND article != ?", [*chunk, article]):
                shared[other] += 1
        enough = sorted(a for a, n in shared.items() if n >= options.min_shared)
        for chunk in _chunks(enough):
            for other, other_rare in conn.execute(f"SELECT id, rare FROM articles WHERE id IN ({_marks(len(chunk))})",
                                                  chunk):
                if shared[other] >= options.min_share * min(len(rare), other_rare):
                    found.add(other)
        found.discard(article)
        return found

    def _term_rows(self, terms: Sequence[int]) -> dict[int, tuple[int, int]]:
        out: dict[int, tuple[int, int]] = {}
        for chunk in _chunks(list(terms)):
            for term, df, common in self.conn.execute(
                    f"SELECT term, df, common FROM terms WHERE term IN ({_marks(len(chunk))})", chunk):
                out[term] = (df, common)
        return out

    def _adjust_rare(self, terms: Sequence[int], delta: int) -> None:
        """Add `delta` to the rare-word count of every article posted under these words."""
        counts: Counter[int] = Counter()
        for chunk in _chunks(list(terms)):
            for (article,) in self.conn.execute(
                    f"SELECT article FROM postings WHERE term IN ({_marks(len(chunk))})", chunk):
                counts[article] += delta
        self.conn.executemany("UPDATE articles SET rare = rare + ? WHERE id = ?",
                              [(n, a) for a, n in sorted(counts.items())])

    def _unindex(self, article: int) -> None:
        row = self.conn.execute("SELECT indexed, bands, terms FROM articles WHERE id = ?", (article,)).fetchone()
        if row is None or not row[0]:
            return
        keys = np.frombuffer(row[1] or b"", dtype="<u4").tolist()
        terms = np.frombuffer(row[2] or b"", dtype="<u4").tolist()
        self.conn.executemany("DELETE FROM bands WHERE key = ? AND article = ?", [(k, article) for k in keys])
        known = self._term_rows(terms)
        back_to_one: list[int] = []
        updates, deletes = [], []
        for term in terms:
            df, common = known.get(term, (1, 0))
            df -= 1
            if df <= 0:
                deletes.append(term)
            else:
                updates.append((df, term))
                if not common and df == 1:
                    back_to_one.append(term)
        self.conn.executemany("DELETE FROM postings WHERE term = ? AND article = ?", [(t, article) for t in terms])
        self._adjust_rare(back_to_one, -1)  # the one article left with the word no longer shares it
        self.conn.executemany("UPDATE terms SET df = ? WHERE term = ?", updates)
        self.conn.executemany("DELETE FROM terms WHERE term = ?", [(t,) for t in deletes])
        self.conn.execute("UPDATE articles SET indexed = 0, rare = 0, bands = NULL, terms = NULL WHERE id = ?",
                          (article,))

    def document_frequencies(self, terms: Sequence[int]) -> dict[int, int]:
        return {t: df for t, (df, _) in self._term_rows(sorted(set(terms))).items()}

    # -- links and stories -----------------------------------------------------------------
    def add_links(self, links: Iterable[Link], run: int) -> None:
        self.conn.executemany(
            "INSERT OR REPLACE INTO links (a, b, run, cosine, containment, jaccard, coverage, contain_ab, "
            "contain_ba, aligned_a, aligned_b) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(l.a, l.b, run, l.scores.cosine, l.scores.containment, l.scores.jaccard, l.scores.coverage,
              l.contain_ab, l.contain_ba, l.aligned_a, l.aligned_b) for l in links])

    def _unlink(self, article: int) -> set[int]:
        neighbours = {r[0] for r in self.conn.execute(
            "SELECT b FROM links WHERE a = ? UNION SELECT a FROM links WHERE b = ?", (article, article))}
        self.conn.execute("DELETE FROM links WHERE a = ?", (article,))
        self.conn.execute("DELETE FROM links WHERE b = ?", (article,))
        return neighbours

    def neighbours(self, articles: Sequence[int]) -> dict[int, set[int]]:
        out: dict[int, set[int]] = {a: set() for a in articles}
        for chunk in _chunks(list(articles)):
            marks = _marks(len(chunk))
            for a, b in self.conn.execute(f"SELECT a, b FROM links WHERE a IN ({marks}) "
                                          f"UNION ALL SELECT a, b FROM links WHERE b IN ({marks})", [*chunk, *chunk]):
                if a in out:
                    out[a].add(b)
                if b in out:
                    out[b].add(a)
        return out

    def links_among(self, articles: Iterable[int]) -> list[Link]:
        ids = sorted(set(articles))
        wanted = set(ids)
        out = []
        for chunk in _chunks(ids):
            for row in self.conn.execute(
                    "SELECT a, b, cosine, containment, jaccard, coverage, contain_ab, contain_ba, aligned_a, aligned_b "
                    f"FROM links WHERE a IN ({_marks(len(chunk))}) ORDER BY a, b", chunk):
                if row[1] in wanted:
                    out.append(Link(row[0], row[1], Scores(*row[2:6]), *row[6:]))
        return out

    def new_story(self, run: int) -> int:
        return self.conn.execute("INSERT INTO stories (run) VALUES (?)", (run,)).lastrowid

    def story_runs(self, stories: Iterable[int]) -> dict[int, int]:
        ids = sorted(set(stories))
        out = {}
        for chunk in _chunks(ids):
            out.update(self.conn.execute(f"SELECT id, run FROM stories WHERE id IN ({_marks(len(chunk))})", chunk))
        return out

    def assign(self, rows: Iterable[tuple[int, int | None, int | None, str | None]]) -> None:
        """Set (article, story, parent, relation to the parent) for each row."""
        self.conn.executemany("UPDATE articles SET story = ?, parent = ?, relation = ? WHERE id = ?",
                              [(story, parent, relation, article) for article, story, parent, relation in rows])

    def story_members(self, stories: Sequence[int]) -> dict[int, list[StoredArticle]]:
        """Current members of each story, in storing order, with texts."""
        out: dict[int, list[StoredArticle]] = {s: [] for s in stories}
        for chunk in _chunks(sorted(set(stories))):
            for art in self._articles(f"current = 1 AND story IN ({_marks(len(chunk))}) ORDER BY id", chunk,
                                      text=True):
                out[art.story].append(art)
        return out

    def all_stories(self) -> list[int]:
        return [r[0] for r in self.conn.execute(
            "SELECT DISTINCT story FROM articles WHERE current = 1 AND story IS NOT NULL ORDER BY story")]

    def integrity_problems(self) -> list[str]:
        """Consistency checks of the store's own invariants (empty when all hold)."""
        problems = []
        try:
            result = self.conn.execute("PRAGMA integrity_check(20)").fetchall()
        except sqlite3.DatabaseError as exc:
            return [f"cannot be read: {exc}"]
        if result != [("ok",)]:
            return [r[0] for r in result]  # the invariants below cannot be trusted on a damaged file
        checks = {
            "two current versions of one key":
                "SELECT key FROM articles WHERE current = 1 GROUP BY key HAVING count(*) > 1",
            "index entries of articles not indexed":
                "SELECT DISTINCT article FROM bands WHERE article NOT IN (SELECT id FROM articles WHERE indexed = 1)",
            "postings of articles not indexed":
                "SELECT DISTINCT article FROM postings WHERE article NOT IN (SELECT id FROM articles WHERE indexed = 1)",
            "links to articles that are not current":
                "SELECT a FROM links WHERE a NOT IN (SELECT id FROM articles WHERE current = 1) "
                "OR b NOT IN (SELECT id FROM articles WHERE current = 1)",
            "parents outside the story":
                "SELECT c.id FROM articles c LEFT JOIN articles p ON p.id = c.parent "
                "WHERE c.parent IS NOT NULL AND (p.id IS NULL OR p.story IS NOT c.story OR p.current = 0)",
        }
        for name, sql in checks.items():
            try:
                if self.conn.execute(sql).fetchone() is not None:
                    problems.append(name)
            except sqlite3.DatabaseError as exc:
                problems.append(f"{name}: cannot be read ({exc})")
        return problems

    # -- repair ----------------------------------------------------------------------------
    def reset_index(self) -> None:
        """Empty the candidate index (inside the caller's transaction): `index` then adds
        each article again."""
        self.conn.execute("DELETE FROM bands")
        self.conn.execute("DELETE FROM postings")
        self.conn.execute("DELETE FROM terms")
        self.conn.execute("UPDATE articles SET indexed = 0, rare = 0, bands = NULL, terms = NULL WHERE indexed != 0 "
                          "OR bands IS NOT NULL OR terms IS NOT NULL OR rare != 0")

    def drop_dangling(self) -> int:
        """Remove what points at articles that are gone or not current (inside the caller's
        transaction): links, and the story places (story, parent, relation) of every member of a
        story whose tree no longer holds together.  Returns the articles whose story was reset."""
        conn = self.conn
        # one current version per key: the highest
        conn.execute("UPDATE articles SET current = 0 WHERE current = 1 AND id NOT IN "
                     "(SELECT max(id) FROM articles WHERE current = 1 GROUP BY key)")
        conn.execute("DELETE FROM links WHERE a NOT IN (SELECT id FROM articles WHERE current = 1) "
                     "OR b NOT IN (SELECT id FROM articles WHERE current = 1)")
        conn.execute("UPDATE articles SET story = NULL, parent = NULL, relation = NULL WHERE current = 0")
        broken = [r[0] for r in conn.execute(
            "SELECT DISTINCT c.story FROM articles c LEFT JOIN articles p ON p.id = c.parent "
            "WHERE c.current = 1 AND c.story IS NOT NULL AND c.parent IS NOT NULL "
            "AND (p.id IS NULL OR p.story IS NOT c.story OR p.current = 0)")]
        reset = 0
        for chunk in _chunks(broken):
            reset += conn.execute(f"UPDATE articles SET story = NULL, parent = NULL, relation = NULL "
                                  f"WHERE story IN ({_marks(len(chunk))})", chunk).rowcount
        return reset


def check_store(path: str | os.PathLike) -> list[str]:
    """Problems of a store (empty when it is sound): SQLite's full integrity_check, then the
    store's own invariants.  Read-only; never waits for a running watch.

    >>> check_store("news.db")  # doctest: +SKIP
    []
    """
    with Store.open(path, readonly=True, check=False) as st:
        return st.integrity_problems()


@dataclass(frozen=True)
class Repaired:
    """What `repair` did: rows copied and lost per table, where the old file was kept,
    and how many articles were indexed again."""

    path: str
    backup: str
    copied: dict[str, int]
    lost: dict[str, int]  # -1: an unknown number (a damaged table without rowids)
    indexed: int


def repair(path: str | os.PathLike, layout: IndexLayout, rebuild: Callable[["Store"], int], wait: float = 60.0,
           clock: Callable[[], float] = time.monotonic) -> Repaired:
    """Rebuild a store into a new file and swap it in; the old file is kept beside it.

    Every readable row is copied (`salvage`), links and story places that point at
    rows that were lost are dropped, then `rebuild` (given the new store, holding no
    transaction) indexes the articles again and recomputes their stories, returning
    how many it indexed.  The old file is renamed ``PATH.damaged-TIME`` (with its WAL)
    only once the new one passes the checks: a failed repair changes nothing.
    """
    path = Path(path)
    if not path.is_file():
        raise StoreError(f"{path}: no such store")
    try:
        with open(path, "rb") as fh:
            header = fh.read(100)
    except OSError as exc:
        raise StoreError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if not header.startswith(b"SQLite format 3\0") or int.from_bytes(header[68:72], "big") != APPLICATION_ID:
        raise StoreError(f"{path}: not a dedupe store; nothing to repair")
    fd = _acquire_lock(path, wait, clock)
    temp = path.with_name(f"{path.name}.repair")
    try:
        try:
            counts = salvage(path, temp)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{path}: cannot be read at all ({exc}); restore it from a backup") from None
        store = Store(_connect(str(temp), uri=False, busy=5.0), temp, None)
        try:
            with store.transaction():
                store.conn.execute("DELETE FROM meta WHERE key LIKE 'index.%'")
                store.conn.executemany("INSERT INTO meta VALUES (?, ?)", sorted(layout.as_meta().items()))
                store.reset_index()
                store.drop_dangling()
            indexed = rebuild(store)
            problems = store.integrity_problems()
        finally:
            store.close()
        if problems:
            raise StoreError(f"{path}: the rebuilt store is still inconsistent ({problems[0]}); "
                             "the store was not changed")
        backup = path.with_name(f"{path.name}.damaged-{datetime.now(timezone.utc):%Y%m%dT%H%M%S}")
        os.replace(path, backup)
        for side in ("-wal", "-shm"):
            if Path(f"{path}{side}").exists():
                os.replace(f"{path}{side}", f"{backup}{side}")  # the old file's WAL belongs to it
        os.replace(temp, path)
    except BaseException:
        if temp.exists():
            temp.unlink()
        raise
    finally:
        os.close(fd)
    return Repaired(path=str(path), backup=str(backup), copied={t: c for t, (c, _) in counts.items()},
                    lost={t: l for t, (_, l) in counts.items() if l}, indexed=indexed)


# -- salvage: copy what can be read of a damaged store into a new file ---------------------

# (table, ordering column for rowid tables or None)
SALVAGE_TABLES = (("meta", None), ("runs", "id"), ("feeds", None), ("stories", "id"), ("articles", "id"),
                  ("links", None), ("forgotten", None))


def salvage(source: Path, target: Path) -> dict[str, tuple[int, int]]:
    """Copy every readable row of the store `source` into a new store file `target`
    (schema SCHEMA_VERSION, rollback journal; the index columns of articles emptied).

    Rows of rowid tables are read in ranges, halved around unreadable pages down to
    single rows; a damaged WITHOUT ROWID table is copied as far as it reads.  Returns
    {table: (rows copied, rows known lost)} ("lost" counts unreadable rowids)."""
    if target.exists():
        target.unlink()
    old = sqlite3.connect(f"file:{source.as_posix()}?mode=ro", uri=True, isolation_level=None)
    new = sqlite3.connect(str(target), isolation_level=None)
    counts: dict[str, tuple[int, int]] = {}
    try:
        old_version = 0
        try:
            old_version = old.execute("PRAGMA user_version").fetchone()[0]
        except sqlite3.DatabaseError:
            pass
        new.execute("BEGIN")
        for step in range(0, SCHEMA_VERSION):
            MIGRATIONS[step](new)
        new.execute(f"PRAGMA application_id={APPLICATION_ID}")
        new.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        for table, rowid in SALVAGE_TABLES:
            cols = [r[1] for r in new.execute(f"PRAGMA table_info({table})")]
            try:
                have = {r[1] for r in old.execute(f"PRAGMA table_info({table})")}
            except sqlite3.DatabaseError:
                have = set()
            if not have:
                counts[table] = (0, 0)
                continue
            picked = [c for c in cols if c in have]
            if table == "articles":  # the index is rebuilt by the caller
                select = ", ".join("0" if c in ("indexed", "rare") else "NULL" if c in ("bands", "terms") else c
                                   for c in picked)
            else:
                select = ", ".join(picked)
            insert = f"INSERT OR IGNORE INTO {table} ({', '.join(picked)}) VALUES ({_marks(len(picked))})"
            if rowid is None:
                copied = 0
                try:
                    for row in old.execute(f"SELECT {select} FROM {table}"):
                        new.execute(insert, row)
                        copied += 1
                except sqlite3.DatabaseError:
                    counts[table] = (copied, -1)  # unknown how many were lost
                    continue
                counts[table] = (copied, 0)
            else:
                counts[table] = _salvage_ranges(old, new, table, rowid, select, insert)
        if old_version and old_version < SCHEMA_VERSION:
            for step in range(old_version, SCHEMA_VERSION):
                if step >= 1:
                    MIGRATIONS[step](new)  # the rows came from an older schema
        new.execute("COMMIT")
    finally:
        old.close()
        new.close()
    return counts


def _salvage_ranges(old, new, table: str, rowid: str, select: str, insert: str) -> tuple[int, int]:
    try:
        top = old.execute(f"SELECT max({rowid}) FROM {table}").fetchone()[0] or 0
    except sqlite3.DatabaseError:
        top = 1 << 20  # the b-tree's right edge is unreadable: probe a generous range
    copied = lost = 0
    pending = [(1, top)]
    while pending:
        lo, hi = pending.pop()
        if lo > hi:
            continue
        try:
            rows = old.execute(f"SELECT {select} FROM {table} WHERE {rowid} BETWEEN ? AND ?", (lo, hi)).fetchall()
        except sqlite3.DatabaseError:
            if lo == hi:
                lost += 1
            else:
                mid = (lo + hi) // 2
                pending += [(mid + 1, hi), (lo, mid)]
            continue
        for row in rows:
            new.execute(insert, row)
        copied += len(rows)
    return copied, lost


def _connect(target: str, uri: bool, busy: float) -> sqlite3.Connection:
    try:
        conn = sqlite3.connect(target, uri=uri, timeout=busy, isolation_level=None, check_same_thread=False)
    except sqlite3.Error as exc:
        raise StoreError(f"{target}: cannot open store ({exc})") from None
    return conn


def _acquire_lock(path: Path, wait: float, clock: Callable[[], float]) -> int:
    """An exclusive flock on the store's side file ``PATH.lock``, waiting up to `wait` seconds.

    The kernel drops the lock when the holder exits, however it exits (kill -9
    included), so a crashed run never leaves the store locked."""
    lock_path = Path(f"{path}.lock")
    try:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise StoreError(f"{lock_path}: cannot create the lock file ({exc.strerror or exc})") from None
    deadline = clock() + wait
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                os.close(fd)
                raise StoreError(f"{lock_path}: cannot lock ({exc.strerror or exc})") from None
            remaining = deadline - clock()
            if remaining <= 0:
                holder = _lock_holder(fd)
                os.close(fd)
                raise StoreBusyError(f"{path}: store is in use by another run"
                                     f"{holder}; gave up after waiting {wait:g} s") from None
            time.sleep(min(0.1, remaining))
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"pid {os.getpid()} since {utc_now()}\n".encode(), 0)
    return fd


def _lock_holder(fd: int) -> str:
    try:
        info = os.pread(fd, 200, 0).decode("utf-8", "replace").strip()
    except OSError:
        return ""
    return f" ({info})" if info else ""


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
