"""The store's candidate index (band keys, rare-word postings), its links and its stories:
the part of `Store` that the incremental engine asks for candidates and neighbours.

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
"""
from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np

from ..config import CandidateOptions
from ..model import Scores
from .records import Link, StoredArticle
from .schema import _chunks, _marks


class IndexTables:
    """Store methods on the ``bands``, ``terms``, ``postings``, ``links`` and ``stories`` tables
    (mixed into `Store`, whose connection they use)."""

    conn: sqlite3.Connection

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
