"""How `dedupe watch`, the store and the outputs stand up to bad input, kills and full disks.

    python benchmarks/reliability.py                    # ~40 kinds of bad input, 30 kills, 10 full disks
    python benchmarks/reliability.py --kills 100 --full-disks 30 --seed 7

Everything runs against a local HTTP server on 127.0.0.1 (tests/feedserver.py) and files in a
temporary folder; each run is a real ``python -m dedupe`` process of this checkout.

1. **Bad input**: each kind is one run that must end within its time bound with the expected
   exit code, at most a few lines on stderr and no traceback, and leave the store sound
   (``dedupe store check``) and, where it says so, unchanged byte for byte.
2. **Kills**: rounds of new articles appear on three feeds; in each round one clean run stores
   them into a store of its own, and ``watch -o FILE`` on the store under test is ``kill -9``'d
   at a random moment (uniform over 1.2 times the clean run's time); the store must be sound
   after every kill.  A last round runs to the end.
3. **Full disks**: rounds like those, where the run instead gets a random file-size limit
   (RLIMIT_FSIZE just above the store's size, SIGXFSZ ignored, so writes fail with EFBIG as on a
   full disk).

A **finding is lost** when an article is in the store but in no report that a completed run wrote,
or when an article the clean run stored, or linked as a copy, is missing or unlinked at the end.
Prints ``kinds of bad input tried``, ``kills survived``, ``full-disk runs survived`` and
``findings lost`` (must be 0); exit status 1 if anything failed.
"""
from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import random
import resource
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from feedserver import FeedServer, Route, article_page, rss, sample_articles  # noqa: E402

ARTICLES = sample_articles()
RSS = "application/rss+xml"
ENV = dict(os.environ, PYTHONPATH=str(ROOT))


def dedupe(*args, timeout=120, limit=None):
    """Run `python -m dedupe ARGS`; (exit code, stdout, stderr, seconds)."""
    def pre():
        if limit is not None:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    began = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "dedupe", *map(str, args)], env=ENV, cwd=ROOT, text=True,
                          capture_output=True, timeout=timeout, preexec_fn=pre)
    return proc.returncode, proc.stdout, proc.stderr, time.monotonic() - began


def store_sound(db) -> bool:
    if not Path(db).exists():
        return True
    code, out, _, _ = dedupe("store", "check", db)
    return code == 0 and out.strip().endswith(": ok")


def sha(path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest() if Path(path).exists() else ""


def item(article_id, **extra):
    row = ARTICLES[article_id]
    out = {"title": row["title"], "link": row["url"], "guid": None, "published": row["published"], "text": row["text"]}
    out.update(extra)
    return out


# -- 1. bad input --------------------------------------------------------------------------------

def bad_inputs(srv, tmp: Path):
    """(name, args, allowed exit codes, max seconds, check) for each kind of bad input; `check`
    is called with (stdout, stderr) and the store path and returns a problem or None."""
    u = srv.url
    good = rss("Meridian Press Agency", [item("mpa-ferry")])
    routes = {
        "/drip-body.xml": Route(good + b" " * 100_000, content_type=RSS, drip=0.3),
        "/drip-head.xml": Route(good, content_type=RSS, drip=0.3, drip_head=True),
        "/http500.xml": Route(status=500),
        "/loop.xml": Route(status=302, location="/loop.xml"),
        "/to-file.xml": Route(status=302, location="file:///etc/passwd"),
        "/to-ftp.xml": Route(status=302, location="ftp://127.0.0.1/feed.xml"),
        "/to-localhost.xml": Route(status=302, location=f"http://localhost:{srv.port}/ok.xml"),
        "/ok.xml": Route(good, content_type=RSS),
        "/gzip-bomb.xml": Route(b"", content_type=RSS, headers={"Content-Encoding": "gzip"}),
        "/huge.xml": Route(b"<rss>" + b"x" * 6_000_000, content_type=RSS),
        "/html.xml": Route(b"<!DOCTYPE html><html><body><p>Welcome</p></body></html>"),
        "/broken.xml": Route(b'<?xml version="1.0"?><rss version="2.0"><channel><title>Broken', content_type=RSS),
        "/laughs.xml": Route(b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
                             + b"".join(b'<!ENTITY lol%d "%s">' % (n, (b"&lol%d;" % (n - 1) if n > 1 else b"&lol;") * 10)
                                        for n in range(1, 10))
                             + b']><rss version="2.0"><channel><title>&lol9;</title></channel></rss>', content_type=RSS),
        "/xxe.xml": Route(b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                          b'<rss version="2.0"><channel><title>X</title><item><title>&x;</title><link>http://a.example/1'
                          b'</link><description>&x;</description></item></channel></rss>', content_type=RSS),
        "/empty.xml": Route(rss("Meridian Press Agency", []), content_type=RSS),
        "/linkless.xml": Route(rss("Meridian Press Agency", [item("mpa-bridge", link=None)]), content_type=RSS),
        "/twice.xml": Route(rss("Meridian Press Agency", [item("mpa-ferry", text=None, summary="Ferry hits wall."),
                                                          item("mpa-ferry")]), content_type=RSS),
        "/stub.xml": Route(rss("Meridian Press Agency", [item("mpa-ferry", text=None, summary="Ferry hits wall.")]),
                           content_type=RSS),
        "/evil.xml": Route(rss("Evil Outlet", [item("mpa-ferry", link=ARTICLES["mpa-ferry"]["url"]
                                                     + "?utm_source=evil#frag", text="Forged. " * 40)]),
                           content_type=RSS),
        "/hostile.xml": Route(rss("Daily\r=cmd|' /C calc'!A0\x1b]0;x\x07".replace("\x1b", "").replace("\x07", ""),
                                  [item("valley-courier-ferry", title="=HYPERLINK(\"http://x\")\r\nForged: line")]),
                              content_type=RSS),
        "/private-page.xml": Route(rss("Northfield Post", [item("northfield-post-trees", text=None,
                                                                 summary="Trees.", link=u("/internal-admin?t=1"))]),
                                   content_type=RSS),
        "/surrogates.xml": Route(rss("Coast Radio News", [item("coast-radio-bridge")]).replace(
            b"<title>", b"<title>&#xdcff;&#55296;"), content_type=RSS),
        "/internal-admin?t=1": Route(article_page("Admin", ARTICLES["northfield-post-trees"]["text"], "Intranet")),
        "/page-to-file.xml": Route(rss("Northfield Post", [item("northfield-post-trees", text=None,
                                                                 summary="Trees.", link=u("/to-file.xml"))]),
                                   content_type=RSS),
    }
    bomb = gzip.compress(b"<" * 50_000_000)
    routes["/gzip-bomb.xml"] = Route(bomb, content_type=RSS, headers={"Content-Encoding": "gzip"})
    srv.routes.update(routes)

    fifo = tmp / "fifo.xml"
    os.mkfifo(fifo)
    loop = tmp / "loop.xml"
    loop.symlink_to(loop)
    utf16 = tmp / "feeds16.txt"
    utf16.write_bytes((u("/ok.xml") + "\n").encode("utf-16"))
    deep = tmp / "deep.jsonl"
    deep.write_text("[" * 5000 + "\n")
    digits = tmp / "digits.jsonl"
    digits.write_text('{"id": ' + "7" * 5000 + ', "text": "x"}\n')
    surrogate = tmp / "surrogate.jsonl"
    surrogate.write_text('{"id": "a", "text": "Ferry \\udcff wall"}\n')
    report = tmp / "r.json"
    code, _, _, _ = dedupe("scan", ROOT / "data" / "sample", "-q", "-o", report)
    nan = tmp / "nan.json"
    nan.write_text(report.read_text().replace('"cosine": 1.0', '"cosine": NaN', 1))
    bom = tmp / "bom.json"
    bom.write_bytes(b"\xef\xbb\xbf" + report.read_bytes())
    kept = tmp / "kept.json"

    def says(*words):
        return lambda out, err: None if all(w in err for w in words) else f"stderr lacks {words}: {err[-300:]!r}"

    def quiet(out, err):
        return None

    def kept_intact(out, err):
        return None if kept.read_text() == "previous\n" else "the previous output was changed"

    def no_controls(out, err):
        return None if "\x1b" not in out and "\r" not in out and "\nForged" not in out else "control characters passed"

    cases = [
        ("slow body (1 byte / 0.3 s)", [u("/drip-body.xml"), "--no-fetch", "--timeout", "2"], {3}, 15,
         says("timed out after 2 s")),
        ("slow headers (1 byte / 0.3 s)", [u("/drip-head.xml"), "--no-fetch", "--timeout", "2"], {3}, 15,
         says("timed out after 2 s")),
        ("HTTP 500", [u("/http500.xml")], {3}, 30, says("HTTP 500")),
        ("redirect loop", [u("/loop.xml")], {3}, 30, says("redirect loop")),
        ("redirect to file://", [u("/to-file.xml")], {3}, 30, says("redirect to a file:// URL refused")),
        ("redirect to ftp://", [u("/to-ftp.xml")], {3}, 30, says("redirect to a ftp:// URL refused")),
        ("redirect to another, private host", [u("/to-localhost.xml")], {3}, 30,
         says("localhost is a private or local address")),
        ("gzip bomb (50 MB in 50 KB)", [u("/gzip-bomb.xml")], {3}, 30, says("larger than")),
        ("6 MB response", [u("/huge.xml")], {3}, 30, says("larger than")),
        ("HTML instead of a feed", [u("/html.xml")], {3}, 30, says("not an RSS or Atom feed")),
        ("truncated XML", [u("/broken.xml")], {3}, 30, says("malformed feed")),
        ("billion laughs", [u("/laughs.xml")], {0, 3}, 30, quiet),
        ("XXE (file:///etc/passwd)", [u("/xxe.xml"), "--no-fetch"], {0, 3}, 30,
         lambda out, err: "root:" in out and "XXE expanded" or None),
        ("empty feed", [u("/empty.xml")], {0}, 30, quiet),
        ("items without link or guid", [u("/linkless.xml")], {0}, 30, quiet),
        ("one item twice in a feed (stub and full)", [u("/twice.xml"), "--no-fetch"], {0}, 30, quiet),
        ("a stub of a stored article from a second feed", [u("/stub.xml"), "--no-fetch"], {0}, 30,
         lambda out, err: None if '"edits": []' in out else "the stub became a version"),
        ("another outlet's copy of a stored link", [u("/evil.xml"), "--no-fetch"], {0}, 30,
         lambda out, err: None if '"edits": []' in out else "another outlet made a version"),
        ("control characters and formulas in titles", [u("/hostile.xml"), "--format", "text"], {0}, 30, no_controls),
        ("character references to lone surrogates", [u("/surrogates.xml")], {0}, 30, quiet),
        ("feed linking a private page", [u("/private-page.xml")], {3}, 30, says("private or local address")),
        ("page redirecting to file://", [u("/page-to-file.xml"), "--allow-private"], {3}, 30,
         says("file:// URL refused")),
        ("FIFO as a feed", [str(fifo)], {3}, 15, says("not a regular file (a FIFO)")),
        ("symlink loop as a feed", [str(loop)], {3}, 15, says("Too many levels of symbolic links")),
        ("/dev/zero as --feeds", ["--feeds", "/dev/zero"], {1}, 15, says("not a regular file (a device)")),
        ("UTF-16 --feeds file", ["--feeds", str(utf16)], {1}, 15, says("UTF-16 text")),
        ("-o in a missing folder", [u("/ok.xml"), "-o", tmp / "no" / "dir" / "out.json"], {1}, 15,
         says("does not exist")),
        ("-o /dev/full", [u("/ok.xml"), "-o", "/dev/full"], {1}, 30, says("No space left on device")),
    ]
    out = []
    for name, args, codes, seconds, check in cases:
        out.append((name, ["watch", *args, "--store", "{db}", "--delay", "0", "-q"], codes, seconds, check))
    others = [
        ("JSON nested 5,000 deep", ["scan", deep], {1}, 30, says("nested too deeply")),
        ("5,000-digit id", ["scan", digits], {1}, 30, says("4300 digits")),
        ("lone surrogate, -o kept", ["scan", surrogate, "-o", kept], {1}, 30,
         lambda out, err: says("lone surrogate")(out, err) or kept_intact(out, err)),
        ("/dev/zero to diff", ["diff", "/dev/zero", report], {1}, 15, says("not a regular file")),
        ("FIFO to diff", ["diff", fifo, report], {1}, 15, says("not a regular file (a FIFO)")),
        ("NaN in a report", ["report", nan], {1}, 30, says("NaN is not a JSON number")),
        ("BOM in a report", ["report", bom, "--format", "json"], {0}, 30, quiet),
        ("full disk under -o (RLIMIT_FSIZE 20 KB)", ["scan", ROOT / "data" / "sample", "-q", "-o", kept], {1}, 60,
         lambda out, err: says("File too large")(out, err) or kept_intact(out, err)),
    ]
    return out, others


def damaged_store_cases(tmp: Path):
    """Stores damaged in different ways: each must be refused by watch, scan --store and report
    --store with one line, never written, and `store repair` must give a sound store."""
    out = []
    for n, how in enumerate(("8 KiB of random bytes in the middle", "a page of zeros", "truncated to half",
                             "another program's SQLite file")):
        db = tmp / f"damaged{n}.db"
        code, *_ = dedupe("scan", ROOT / "data" / "sample", "--store", db, "-q", "-o", tmp / "x.json")
        conn = sqlite3.connect(db)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.close()
        size = db.stat().st_size
        if n == 0:
            with open(db, "r+b") as fh:
                fh.seek(size // 2)
                fh.write(random.Random(n).randbytes(8192))
        elif n == 1:
            with open(db, "r+b") as fh:
                fh.seek(4096 * 3)
                fh.write(b"\0" * 4096)
        elif n == 2:
            os.truncate(db, size // 2)
        else:
            db.unlink()
            other = sqlite3.connect(db)
            other.execute("CREATE TABLE notes (body TEXT)")
            other.commit()
            other.close()
        out.append((f"damaged store: {how}", db, n < 3))
    return out


def run_bad_inputs(srv, tmp: Path) -> tuple[int, list[str]]:
    watch_cases, others = bad_inputs(srv, tmp)
    failures = []
    tried = 0
    db = tmp / "bad.db"
    dedupe("watch", srv.url("/ok.xml"), "--store", db, "--delay", "0", "-q")  # the stub and copy cases need it
    for name, args, codes, seconds, check in watch_cases + others:
        (tmp / "kept.json").write_text("previous\n")
        args = [str(db) if a == "{db}" else a for a in args]
        limit = 20_000 if "RLIMIT_FSIZE" in name else None
        tried += 1
        try:
            code, out, err, took = dedupe(*args, timeout=seconds + 60, limit=limit)
        except subprocess.TimeoutExpired:
            failures.append(f"{name}: hung")
            continue
        problem = None
        if "Traceback" in err:
            problem = "traceback"
        elif code not in codes:
            problem = f"exit {code}, expected {sorted(codes)}: {err.strip()[-300:]}"
        elif took > seconds:
            problem = f"took {took:.1f} s (bound {seconds} s)"
        elif len(err.strip().splitlines()) > 1:
            problem = f"{len(err.strip().splitlines())} lines on stderr"
        else:
            problem = check(out, err)
        if problem is None and not store_sound(db):
            problem = "store not sound afterwards"
        print(f"  {'ok  ' if problem is None else 'FAIL'} {name} ({took:.1f} s, exit {code})", flush=True)
        if problem:
            failures.append(f"{name}: {problem}")
    for name, db, repairable in damaged_store_cases(tmp):
        tried += 1
        before = sha(db)
        problem = None
        for args in (["watch", srv.url("/ok.xml"), "--store", db, "-q"],
                     ["scan", ROOT / "data" / "sample", "--store", db, "-q"], ["report", "--store", db]):
            code, out, err, _ = dedupe(*args)
            if code != 1 or len(err.strip().splitlines()) != 1 or "Traceback" in err or str(db) not in err:
                problem = f"{args[0]}: exit {code}: {err.strip()[-200:]}"
            elif sha(db) != before:
                problem = f"{args[0]} wrote to it"
            if problem:
                break
        if problem is None and repairable:
            code, out, err, _ = dedupe("store", "repair", db)
            if code != 0 or not store_sound(db):
                problem = f"repair failed: {err.strip()[-200:]}"
            elif dedupe("watch", srv.url("/ok.xml"), "--store", db, "-q", "--delay", "0")[0] != 0:
                problem = "watch fails on the repaired store"
        print(f"  {'ok  ' if problem is None else 'FAIL'} {name}", flush=True)
        if problem:
            failures.append(f"{name}: {problem}")
    return tried, failures


# -- 2 and 3. kills and full disks ---------------------------------------------------------------

def wave_items(srv, wave: int, per_feed: int):
    """Articles of one wave on three feeds: recombined sample paragraphs with their own figures, and
    copies of the wave's first articles on the other feeds, so waves make and grow stories."""
    rows = [r for r in ARTICLES.values() if len(r["text"]) > 900]
    feeds = {"wire": [], "paper": [], "digest": []}
    for n in range(per_feed):
        k = wave * per_feed + n
        row = rows[k % len(rows)]
        paragraphs = row["text"].split("\n\n")
        rotated = paragraphs[k % len(paragraphs):] + paragraphs[: k % len(paragraphs)]
        text = "\n\n".join(rotated) + f"\n\nFile {k}: officials counted {k * 7 + 3} calls and {k * 13 + 5} visits."
        when = (datetime(2026, 3, 1, tzinfo=timezone.utc) + timedelta(minutes=k)).isoformat()
        feeds["wire"].append({"title": f"{row['title']} ({k})", "link": srv.url(f"/wire/{k}"), "guid": None,
                              "published": when, "text": text})
        if n % 3 == 0:
            copy = text.replace("officials", "the officials")
            feeds["paper"].append({"title": f"{row['title']} ({k})", "link": srv.url(f"/paper/{k}"), "guid": None,
                                   "published": (datetime.fromisoformat(when) + timedelta(hours=2)).isoformat(),
                                   "text": copy + "\n\nOur reporter adds that the council will meet on Monday."})
        if n % 5 == 0:
            feeds["digest"].append({"title": f"In brief ({k})", "link": srv.url(f"/digest/{k}"), "guid": None,
                                    "published": (datetime.fromisoformat(when) + timedelta(hours=3)).isoformat(),
                                    "text": "\n\n".join(rotated[:2])})
    return feeds


def publish(srv, feeds_so_far: dict[str, list], wave_feeds: dict[str, list], wave: int) -> list[str]:
    names = {"wire": "Meridian Press Agency", "paper": "Northfield Post", "digest": "NewsHub Digest"}
    for name, items in wave_feeds.items():
        feeds_so_far.setdefault(name, [])
        feeds_so_far[name] = items + feeds_so_far[name]  # every item stays listed: none is missed
        srv.routes[f"/{name}.rss"] = Route(rss(names[name], feeds_so_far[name]), content_type=RSS,
                                           etag=f'"{name}-{wave}"')
    return [srv.url(f"/{name}.rss") for name in names]


def stories(db) -> set:
    conn = sqlite3.connect(db)
    rows = conn.execute("SELECT a.key, a.relation, p.key FROM articles a LEFT JOIN articles p ON p.id = a.parent "
                        "WHERE a.current = 1").fetchall()
    conn.close()
    return set(rows)


def stored_keys(db) -> set:
    conn = sqlite3.connect(db)
    keys = {r[0] for r in conn.execute("SELECT key FROM articles")}
    conn.close()
    return keys


def run_interrupted(srv, tmp: Path, per_feed: int, kills: int, full_disks: int, rng: random.Random):
    """Rounds of new articles; in each, one clean run (to the end, into its own store) and one run
    into the store under test that is killed at a random moment or given a random file-size
    limit.  Returns (kills survived, kills that hit a running process, full-disk runs survived,
    full-disk runs, findings lost, problems)."""
    clean, hurt = tmp / "clean.db", tmp / "hurt.db"
    reported: set[str] = set()
    problems = []
    killed = survived = disk_runs = disk_ok = 0
    plan = ["kill"] * kills + ["disk"] * full_disks
    rng.shuffle(plan)
    feeds: dict = {}

    def hurt_args(urls):
        return ["watch", *urls, "--store", hurt, "--delay", "0", "-q", "-o", tmp / "run.json"]

    def collect():
        reported.update(json.loads((tmp / "run.json").read_text())["new"])

    for wave, how in enumerate([*plan, "end"]):
        if how != "end":
            urls = publish(srv, feeds, wave_items(srv, wave, per_feed), wave)
        code, out, err, took = dedupe("watch", *urls, "--store", clean, "--delay", "0", "-q", "-o", tmp / "c.json")
        if code != 0:
            raise SystemExit(f"the clean run failed: {err}")
        if how == "kill":
            proc = subprocess.Popen([sys.executable, "-m", "dedupe", *map(str, hurt_args(urls))], env=ENV, cwd=ROOT,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            time.sleep(rng.uniform(0, took * 1.2))
            running = proc.poll() is None
            if running:
                proc.send_signal(signal.SIGKILL)
                killed += 1
            proc.wait()
            if proc.returncode == 0:
                collect()
            if not store_sound(hurt):
                problems.append(f"round {wave}: store not sound after a kill")
            elif running:
                survived += 1
        else:
            size = max([p.stat().st_size for p in (hurt, Path(f"{hurt}-wal")) if p.exists()] or [0])
            limit = size + rng.randint(0, 300_000) if how == "disk" else None
            code, out, err, _ = dedupe(*hurt_args(urls), limit=limit)
            if how == "disk":
                disk_runs += 1
            if "Traceback" in err or code not in ((0, 1) if how == "disk" else (0,)):
                problems.append(f"round {wave} ({how}, limit {limit}): exit {code}: {err.strip()[-200:]}")
            elif not store_sound(hurt):
                problems.append(f"round {wave} ({how}): store not sound afterwards")
            elif how == "disk":
                disk_ok += 1
            if code == 0:
                collect()
        print(f"  round {wave}: {how}", flush=True)
    lost_articles = stored_keys(hurt) - reported
    places_clean, places_hurt = stories(clean), stories(hurt)
    # a finding: an article stored, and linked into a story as a copy of something
    found_clean = {key for key, relation, _ in places_clean if relation is not None}
    found_hurt = {key for key, relation, _ in places_hurt if relation is not None}
    missed = (found_clean - found_hurt) | ({k for k, _, _ in places_clean} - {k for k, _, _ in places_hurt})
    lost = len(lost_articles) + len(missed)
    if lost_articles:
        problems.append(f"{len(lost_articles)} stored articles were never reported, e.g. {sorted(lost_articles)[:3]}")
    if missed:
        problems.append(f"{len(missed)} articles stored or linked by the clean run are not in the store under test, "
                        f"e.g. {sorted(missed)[:3]}")
    other_parent = len({k for k, _, _ in places_clean ^ places_hurt})
    print(f"  {len(places_clean)} articles, {len(found_clean)} linked as copies; {other_parent} placed under "
          "another parent than in the clean run (near-identical candidates, batch order)", flush=True)
    return survived, killed, disk_ok, disk_runs, lost, problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=30, help="kill -9 points in all (default 30)")
    parser.add_argument("--full-disks", type=int, default=10, help="runs with a file-size limit (default 10)")
    parser.add_argument("--per-feed", type=int, default=15, help="new wire articles per round (default 15)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-bad-input", action="store_true", help="only the kills and full disks")
    parser.add_argument("--time-store", action="append", default=[], metavar="PATH",
                        help="also time the damage check (PRAGMA quick_check) on this store (repeatable)")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    began = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="dedupe-reliability-") as folder, FeedServer() as srv:
        tmp = Path(folder)
        tried, failures = 0, []
        if not args.no_bad_input:
            print("bad input:", flush=True)
            tried, failures = run_bad_inputs(srv, tmp)
        print(f"kills and full disks ({args.kills} kills, {args.full_disks} full disks, a round of new "
              "articles each):", flush=True)
        survived, killed, disk_ok, disk_runs, lost, problems = run_interrupted(
            srv, tmp, args.per_feed, args.kills, args.full_disks, rng)
    for problem in failures + problems:
        print(f"  FAIL {problem}")
    print(f"kinds of bad input tried: {tried} ({tried - len(failures)} handled)")
    print(f"kills survived: {survived} of {killed} (kill -9 at random moments during a run; "
          f"{args.kills - killed} more runs had finished before their kill)")
    print(f"full-disk runs survived: {disk_ok} of {disk_runs}")
    print(f"findings lost: {lost}")
    for path in args.time_store:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        times = []
        for _ in range(3):
            t = time.perf_counter()
            conn.execute("PRAGMA quick_check(5)").fetchall()
            times.append(time.perf_counter() - t)
        articles = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        conn.close()
        size = os.path.getsize(path) / 1e6
        print(f"quick_check: {min(times):.3f} s for {path} ({size:.0f} MB, {articles} articles; "
              f"{1000 * min(times) / size:.1f} ms per MB, best of 3)")
    print(f"wall_seconds: {time.monotonic() - began:.0f}")
    return 1 if failures or problems or lost else 0


if __name__ == "__main__":
    sys.exit(main())
