"""Checking a store and rebuilding a damaged one from what can still be read."""
from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from ..errors import StoreError
from .locking import _acquire_lock, _connect
from .records import IndexLayout
from .schema import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION, _marks
from .store import Store


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
