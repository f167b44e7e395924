"""How long does adding 100 articles to a big store take, and how big is the store?

    python benchmarks/store_bench.py                      # 100,000 articles (builds once, ~10-20 min)
    python benchmarks/store_bench.py --size 10000         # a quicker look
    python benchmarks/store_bench.py --max-minutes 30     # bound the build; run again to continue it
    python benchmarks/store_bench.py --corpus ../shared/data/reuters21578/docs.jsonl --size 20000
                                                          # real newswire instead (read in place)

The store is built with the public API (``dedupe.scan_into_store``, batches of
``--batch`` articles, one transaction each) from synthetic articles generated
deterministically: a Zipf-distributed invented vocabulary mixed with English
function words, 3,000 beats (200 words each, 5% of an article's words: articles
on one beat share a few rare words, about as many as Reuters items on one
subject do), numbers, and about 15% copies
(syndicated with small edits, or partly reused in longer articles) so the
store holds links and stories as a news store does.  The build resumes where it
stopped (article ids are ``bench-N``).

At each checkpoint size (1k, 10k, 100k, ... up to --size) the store is copied
and 100 new articles (70 fresh, 20 copies and 10 partial reuses of stored
articles) are added to the copy with ``dedupe.scan_into_store``, timed.  The
size on disk is measured after a WAL checkpoint, per table when SQLite has
the dbstat table.
"""
from __future__ import annotations

import argparse
import os
import random
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import dedupe  # noqa: E402

FUNCTION_WORDS = ("the a an of to in and on for with at by from as that this was is were are has have had "
                  "will would said says after before over under into about than more most but not its their "
                  "it he she they we who which when while where also been being during between against "
                  "since until because could should may might new first last two three four year week").split()
SYLLABLES = ("ka lo mi ra ven tor sel dan mar bri cor ste lin hal gra pen dor fel wy tra nor bel "
             "cas ro mun ler thi val os ar en ul ki pa do re su ne mo ti fa go").split()
OUTLETS = ["Meridian Press Agency", "Northfield Post", "Daily Ledger", "Valley Courier", "Harbor Gazette",
           "Coast Radio News", "Larkspur Herald", "Metro Business Review", "NewsHub Digest", "TrendPulse Daily"]


class Corpus:
    """Deterministic synthetic news: article(i) is always the same text."""

    def __init__(self, seed: int = 1, vocabulary: int = 60_000, topics: int = 3_000) -> None:
        rng = random.Random(seed)
        words = set()
        while len(words) < vocabulary:
            words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))))
        self.words = sorted(words)
        rng.shuffle(self.words)
        # Zipf weights: a few invented words are everywhere, most are rare
        self.cum = []
        total = 0.0
        for rank in range(1, vocabulary + 1):
            total += 1.0 / rank ** 1.05
            self.cum.append(total)
        # a topic is a beat (a team, a company, a town): 200 rare-ish words its articles draw on
        self.topics = [[self.words[rng.randrange(2_000, vocabulary)] for _ in range(200)] for _ in range(topics)]
        self.seed = seed

    def _word(self, rng: random.Random) -> str:
        import bisect

        return self.words[bisect.bisect_left(self.cum, rng.random() * self.cum[-1])]

    def _sentence(self, rng: random.Random, topic: list[str]) -> str:
        out = []
        for _ in range(rng.randint(9, 26)):
            roll = rng.random()
            if roll < 0.42:
                out.append(rng.choice(FUNCTION_WORDS))
            elif roll < 0.47:
                out.append(rng.choice(topic))
            elif roll < 0.51:
                out.append(str(rng.randint(2, 2_000)))
            else:
                out.append(self._word(rng))
        out[0] = out[0].capitalize()
        return " ".join(out) + "."

    def _fresh(self, rng: random.Random) -> str:
        topic = self.topics[rng.randrange(len(self.topics))]
        paragraphs = [" ".join(self._sentence(rng, topic) for _ in range(rng.randint(1, 3)))
                      for _ in range(rng.randint(5, 12))]
        return "\n\n".join(paragraphs)

    def text(self, i: int) -> tuple[str, str | None]:
        """(text, id of the article it derives from)."""
        rng = random.Random(self.seed * 1_000_003 + i)
        roll = rng.random()
        if i > 50 and roll < 0.15:
            j = rng.randrange(max(0, i - 5_000), i)  # copies follow their original closely in time
            original, _ = self.text(j)
            return self.derive(original, rng, partial=roll < 0.03), f"bench-{j}"
        return self._fresh(rng), None

    def derive(self, original: str, rng: random.Random, partial: bool) -> str:
        paragraphs = original.split("\n\n")
        if partial:  # a local article that keeps a few paragraphs of the wire text
            topic = self.topics[rng.randrange(len(self.topics))]
            out = []
            for p in paragraphs[: max(2, 2 * len(paragraphs) // 3)]:
                out.append(self._sentence(rng, topic))
                out.append(p)
            return "\n\n".join(out)
        kept = paragraphs[: len(paragraphs) - rng.randint(0, 2)] or paragraphs
        words = "\n\n".join(kept).split(" ")
        for _ in range(rng.randint(2, 8)):
            words[rng.randrange(len(words))] = rng.choice(FUNCTION_WORDS)
        return " ".join(words) + f"\n\n({rng.choice(OUTLETS)})"

    def record(self, i: int) -> dict:
        text, _ = self.text(i)
        minute = i * 3  # one article every three minutes
        return {"id": f"bench-{i}", "text": text, "source": OUTLETS[i % len(OUTLETS)],
                "published": f"2024-{1 + (minute // 43_200) % 12:02d}-{1 + (minute // 1_440) % 28:02d}T"
                             f"{(minute // 60) % 24:02d}:{minute % 60:02d}:00+00:00"}


def additions(corpus: Corpus, stored: int, count: int = 100) -> list[dict]:
    """`count` new articles: 70% fresh, 20% copies and 10% partial reuse of stored articles."""
    rng = random.Random(424242 + stored)
    out = []
    for n in range(count):
        kind = n % 10
        if kind < 7:
            text = corpus._fresh(rng)
        else:
            original, _ = corpus.text(rng.randrange(stored))
            text = corpus.derive(original, rng, partial=kind == 9)
        out.append({"id": f"new-{stored}-{n}", "text": text, "source": "Benchmark Times",
                    "published": "2025-01-01T12:00:00+00:00"})
    return out


class JsonlCorpus:
    """A real corpus in the JSONL input shape: the first `size` texts build the store, the
    next 100 are the additions (texts under 20 words are left out)."""

    def __init__(self, path: Path) -> None:
        import json

        with open(path, encoding="utf-8") as fh:
            rows = [json.loads(line) for line in fh if line.strip()]
        self.rows = [r for r in rows if len(r.get("text", "").split()) >= 20]

    def record(self, i: int) -> dict:
        return self.rows[i]


def stored_count(path: Path) -> int:
    if not path.exists():
        return 0
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    except sqlite3.OperationalError:
        return 0
    finally:
        conn.close()


def size_report(path: Path) -> tuple[int, dict[str, int]]:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    tables: dict[str, int] = {}
    try:
        for name, size in conn.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC"):
            tables[name] = size
    except sqlite3.OperationalError:
        pass  # SQLite built without dbstat
    conn.close()
    total = sum(os.path.getsize(p) for p in (path, Path(f"{path}-wal")) if p.exists())
    return total, tables


def time_additions(path: Path, corpus, stored: int) -> dict:
    with tempfile.TemporaryDirectory(dir=path.parent) as tmp:
        copy = Path(tmp) / "copy.db"
        shutil.copy(path, copy)
        if isinstance(corpus, JsonlCorpus):
            batch = [corpus.record(i) for i in range(stored, min(stored + 100, len(corpus.rows)))]
        else:
            batch = additions(corpus, stored)
        start = time.perf_counter()
        report = dedupe.scan_into_store(batch, str(copy))
        first = time.perf_counter() - start
        start = time.perf_counter()
        dedupe.scan_into_store(batch, str(copy))  # the same articles again: all already stored
        again = time.perf_counter() - start
        added = {r["id"] for r in batch}
        joined = sum(1 for c in report.clusters for m in c.members if m.id in added and m.of)
        return {"stored": stored, "seconds": first, "again": again, "linked": joined}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=100_000, help="articles in the store (default 100000)")
    parser.add_argument("--store", type=Path, default=None,
                        help="store file (default: $TMPDIR/dedupe-store-bench/store-SIZE.db, reused between runs)")
    parser.add_argument("--batch", type=int, default=1_000, help="articles per transaction while building")
    parser.add_argument("--max-minutes", type=float, default=60.0, help="stop building after this long")
    parser.add_argument("--corpus", type=Path, help="a JSONL corpus to use instead of synthetic articles")
    args = parser.parse_args()
    corpus = JsonlCorpus(args.corpus) if args.corpus else Corpus()
    if args.corpus:
        args.size = min(args.size, len(corpus.rows) - 100)
    name = f"{args.corpus.parent.name}-{args.size}" if args.corpus else str(args.size)
    path = args.store or Path(tempfile.gettempdir()) / "dedupe-store-bench" / f"store-{name}.db"
    path.parent.mkdir(parents=True, exist_ok=True)
    have = stored_count(path)
    checkpoints = [n for n in (1_000, 10_000, 100_000, 1_000_000) if have <= n < args.size] + [args.size]
    results = []
    print(f"store {path}: {have} articles stored, building to {args.size}", flush=True)
    started = time.perf_counter()
    build_seconds = 0.0
    for target in checkpoints:
        while have < target:
            if time.perf_counter() - started > args.max_minutes * 60:
                print(f"stopped building after {args.max_minutes:g} min at {have} articles; run again to continue")
                break
            upto = min(target, have + args.batch)
            t0 = time.perf_counter()
            dedupe.scan_into_store([corpus.record(i) for i in range(have, upto)], str(path))
            build_seconds += time.perf_counter() - t0
            have = upto
            rate = (have - 0) / max(build_seconds, 1e-9)
            print(f"  {have:>7} articles  ({time.perf_counter() - started:6.0f} s, this session "
                  f"{rate:5.0f}/s incl. checkpoints)", flush=True)
        if have < target:
            break
        result = time_additions(path, corpus, have)
        results.append(result)
        derived = "" if isinstance(corpus, JsonlCorpus) else "; 30 derive from one"
        print(f"adding 100 articles to a store of {have:,}: {result['seconds']:.2f} s "
              f"({result['linked']} joined a stored story{derived}); the same 100 again: {result['again']:.2f} s",
              flush=True)
    total, tables = size_report(path)
    count = stored_count(path)
    print()
    print(f"store: {count:,} articles, {total / 1e6:.1f} MB on disk "
          f"= {total / 1e6 / count * 100_000:.0f} MB per 100k articles ({total / count / 1024:.1f} KiB each)")
    if tables:
        shown = ", ".join(f"{name} {size / 1e6:.0f} MB" for name, size in list(tables.items())[:8])
        print(f"  by table/index: {shown}")
    for r in results:
        print(f"  add 100 to {r['stored']:>9,}: {r['seconds']:5.2f} s   (again, all stored: {r['again']:.2f} s)")


if __name__ == "__main__":
    main()
