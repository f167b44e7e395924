"""The store's own invariants, checked and restored (part of `Store`; `repair` uses them)."""
from __future__ import annotations

import sqlite3

from .schema import _chunks, _marks


class IntegrityChecks:
    """Store methods that check and restore the store's invariants (mixed into `Store`)."""

    conn: sqlite3.Connection

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
