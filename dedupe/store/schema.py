"""The store's SQLite schema and its migrations (``PRAGMA user_version``), and the small helpers
its queries share."""
from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Sequence


APPLICATION_ID = 0x64647570  # "ddup": marks the file as a dedupe store
SCHEMA_VERSION = 2


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
    now keyed by their outlet too (feeds.urls.article_key).  Every version of a key moves to the key
    its latest version gets, so the next run finds each stored article under its new key.
    Tombstones of dropped articles keep their old keys (they expire with --keep-days)."""
    from ..feeds import canonical_url, clean_address, outlet_of

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


_CHUNK = 500  # ids per "IN (...)" query


def _chunks(items: Sequence, size: int = _CHUNK) -> Iterator[Sequence]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _marks(n: int) -> str:
    return ",".join("?" * n)
