"""Speed benchmarks: every contender on the same corpus in the same run, with ratios.

    python benchmarks/speed.py fingerprint [--input FILE] [--docs N]
        the fingerprint step (tokens -> shingle hashes -> 128-permutation MinHash):
        dedupe's kernels vs datasketch (and rensa, if installed); shingles/s per core,
        and Jaccard MAE vs true Jaccard on 1,000 pairs spread over 0.1-0.9.
    python benchmarks/speed.py e2e --input FILE [--jobs 1 2]
        end to end on one corpus: `dedupe.scan` vs text-dedup's MinHash pipeline
        (run from its own venv, see --textdedup-python) and a datasketch stand-in
        (update_batch + MinHashLSH + union-find); wall time, docs/s, peak RSS, ratios.
    python benchmarks/speed.py scale --sizes 10000 100000 1000000 [--jobs 2]
        generated corpora (benchmarks/generate.py, cached under --workdir): time,
        stage times, peak memory and recall of the planted pairs at each size.

Every run goes in a fresh subprocess so that peak memory is its own.  Output is
Markdown tables on stdout.  Default input: ../shared/data/reuters21578/docs.jsonl
(read in place, never copied).
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
REUTERS = ROOT.parent / "shared" / "data" / "reuters21578" / "docs.jsonl"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))


def _peak_mb() -> tuple[float, float]:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, children


def _run_json(args: list[str], env: dict | None = None) -> dict:
    """Run this script's hidden subcommand in a fresh interpreter; return its JSON line."""
    out = subprocess.run([sys.executable, str(Path(__file__).resolve()), *args], capture_output=True, text=True,
                         env={**os.environ, **(env or {})})
    if out.returncode:
        raise RuntimeError(f"{args} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------- hidden workers (one per subprocess)

def worker_scan(path: str, jobs: int, truth: str | None, engine: str) -> None:
    start = time.perf_counter()
    import dedupe
    from dedupe.config import ScanOptions
    from dedupe.pipeline import StageClock

    stages: dict[str, float] = {}
    report = dedupe.scan([path], ScanOptions(jobs=jobs), engine=engine,
                         progress=StageClock(lambda s, d: stages.__setitem__(s, round(d, 2))))
    text = report.to_json()
    wall = time.perf_counter() - start
    result = {"wall": wall, "docs": report.documents, "clusters": len(report.clusters),
              "stages": stages, "peak_mb": _peak_mb(), "json_bytes": len(text)}
    if truth:
        from generate import recall
        result.update(recall(report.to_dict(), Path(truth)))
    print(json.dumps(result))


def worker_datasketch(path: str, threshold: float, ngram: int) -> None:
    """The stand-in pipeline: datasketch update_batch per doc + MinHashLSH + union-find."""
    start = time.perf_counter()
    import re

    from datasketch import MinHash, MinHashLSH

    texts = [json.loads(line)["text"] for line in open(path, encoding="utf-8")]
    lsh = MinHashLSH(threshold=threshold, num_perm=128)
    parent = list(range(len(texts)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    word = re.compile(r"\w+")
    for i, text in enumerate(texts):
        tokens = word.findall(text.lower())
        shingles = {" ".join(tokens[k:k + ngram]) for k in range(max(len(tokens) - ngram + 1, 1))}
        m = MinHash(num_perm=128)
        m.update_batch([s.encode("utf-8") for s in shingles])
        for j in lsh.query(m):
            a, b = find(i), find(j)
            if a != b:
                parent[max(a, b)] = min(a, b)
        lsh.insert(i, m, check_duplication=False)
    clusters = len({find(i) for i in range(len(texts))})
    print(json.dumps({"wall": time.perf_counter() - start, "docs": len(texts), "clusters": clusters,
                      "peak_mb": _peak_mb()}))


# ---------------------------------------------------------------- fingerprint step

def cmd_fingerprint(args) -> None:
    from dedupe.config import FingerprintOptions
    from dedupe.text.fingerprint import minhash_batch
    from dedupe.text.normalize import normalize
    from dedupe.stages.read import read_documents

    docs = read_documents([args.input])[: args.docs or None]
    tokens = [n.tokens for n in map(normalize, docs)]
    tokens = [t for t in tokens if len(t) >= 20]
    options = FingerprintOptions(num_perm=128, shingle_size=args.ngram)
    minhash_batch(tokens[:10], options)  # load the compiled kernels
    rows = []

    def timed(label: str, fn, shingles: int, reps: int) -> None:
        times = []
        for _ in range(reps):
            t = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t)
        best = min(times)
        rows.append((label, best, shingles / best, "/".join(f"{x:.3f}" for x in times)))

    values, offsets, _ = minhash_batch(tokens, options)
    total = len(values)
    print(f"\n### Fingerprint step: {len(tokens):,} documents, {total:,} distinct word {args.ngram}-gram shingles "
          f"(sum over documents), 128 permutations; {args.input}\n")
    timed("dedupe `minhash_batch` (numba), 1 thread: tokens -> token hashes -> shingles -> MinHash",
          lambda: minhash_batch(tokens, options, jobs=1), total, args.reps)
    timed("dedupe `minhash_batch` (numba), 2 threads", lambda: minhash_batch(tokens, options, jobs=2), total, args.reps)

    # contenders get shingle strings, made untimed (as in the reference measurements)
    shingle_lists = [list(dict.fromkeys(" ".join(t[k:k + args.ngram]) for k in range(len(t) - args.ngram + 1)))
                     for t in tokens]
    sample = shingle_lists[: args.slow_docs]
    sample_total = sum(map(len, sample))
    from datasketch import MinHash
    timed(f"datasketch `MinHash.update_batch` per doc (first {len(sample):,} docs)",
          lambda: [MinHash(num_perm=128).update_batch([s.encode() for s in doc]) for doc in sample],
          sample_total, 1)
    try:
        import rensa
    except ImportError:
        rensa = None
    if rensa is not None:
        def run_rensa():
            for doc in shingle_lists:
                m = rensa.RMinHash(num_perm=128, seed=42)
                m.update(doc)
                m.digest()
        timed("rensa `RMinHash.update(list)` per doc (R-MinHash: a different, non-affine scheme)",
              run_rensa, sum(map(len, shingle_lists)), args.reps)
        if hasattr(rensa.RMinHash, "digest_matrix_from_token_sets"):
            timed("rensa `RMinHash.digest_matrix_from_token_sets` (bulk)",
                  lambda: rensa.RMinHash.digest_matrix_from_token_sets(shingle_lists, 128, 42),
                  sum(map(len, shingle_lists)), args.reps)
    print("| method | best s | shingles/s | reps (s) |\n|---|---|---|---|")
    for label, best, rate, reps in rows:
        print(f"| {label} | {best:.3f} | {rate / 1e6:.2f} M | {reps} |")
    _jaccard_mae(tokens, args.ngram, rensa)


def _jaccard_mae(tokens, ngram: int, rensa) -> None:
    """MAE of estimated vs true Jaccard on 1,000 pairs: a document and an edited copy
    whose true shingle Jaccard is spread over 0.1-0.9."""
    import math

    import numpy as np
    from datasketch import MinHash

    from dedupe.config import FingerprintOptions
    from dedupe.text.fingerprint import estimate_jaccard, minhash_batch

    rng = np.random.default_rng(0)
    pool = [t for t in tokens if len(t) >= 60]
    errors = {"dedupe (xxh64 tokens, affine32)": [], "datasketch MinHash (sha1, affine32)": []}
    if rensa is not None:
        errors["rensa RMinHash"] = []
    ideal = []
    filler = [f"zz{k}" for k in range(100000)]
    pairs = 0
    while pairs < 1000:
        base = list(pool[int(rng.integers(0, len(pool)))])
        edited = list(base)
        share = rng.uniform(0.02, 0.6)
        for k in np.flatnonzero(rng.random(len(edited)) < share):
            edited[k] = filler[int(rng.integers(0, len(filler)))]
        sets = [{" ".join(t[k:k + ngram]) for k in range(len(t) - ngram + 1)} for t in (base, edited)]
        true = len(sets[0] & sets[1]) / len(sets[0] | sets[1])
        if not 0.1 <= true <= 0.9:
            continue
        pairs += 1
        _, _, sigs = minhash_batch([tuple(base), tuple(edited)], FingerprintOptions(shingle_size=ngram))
        errors["dedupe (xxh64 tokens, affine32)"].append(abs(estimate_jaccard(sigs[0], sigs[1]) - true))
        ms = []
        for s in sets:
            m = MinHash(num_perm=128)
            m.update_batch([x.encode() for x in s])
            ms.append(m)
        errors["datasketch MinHash (sha1, affine32)"].append(abs(ms[0].jaccard(ms[1]) - true))
        if rensa is not None:
            rs = []
            for s in sets:
                r = rensa.RMinHash(num_perm=128, seed=42)
                r.update(sorted(s))
                rs.append(r)
            errors["rensa RMinHash"].append(abs(rs[0].jaccard(rs[1]) - true))
        ideal.append(sum(math.comb(128, k) * true ** k * (1 - true) ** (128 - k) * abs(k / 128 - true)
                         for k in range(129)))
    print("\n| Jaccard estimate, 1,000 pairs, true J in 0.1-0.9 | MAE |\n|---|---|")
    for name, errs in errors.items():
        print(f"| {name} | {sum(errs) / len(errs):.4f} |")
    print(f"| ideal 128-permutation MinHash, E\\|Bin(128,J)/128 - J\\| | {sum(ideal) / len(ideal):.4f} |")


# ---------------------------------------------------------------- end to end

def cmd_e2e(args) -> None:
    path = str(args.input)
    n = sum(1 for _ in open(path, encoding="utf-8"))
    rows = []
    for jobs in args.jobs:
        for rep in range(args.reps):
            r = _run_json(["_scan", path, "--jobs", str(jobs)])
            rows.append((f"dedupe.scan, jobs={jobs}", r["wall"], r["peak_mb"], r.get("stages")))
    if args.textdedup_python is None:
        print("(no --textdedup-python given: text-dedup skipped; see benchmarks/README.md to install it)")
    elif not args.textdedup_python.exists():
        raise SystemExit(f"--textdedup-python {args.textdedup_python}: no such file")
    else:
        for procs in args.jobs:
            for rep in range(args.reps):
                rows.append((f"text-dedup 0.4.0 minhash, num_proc={procs} (sha1 64-bit, 3-grams, t=0.5)",
                             *_textdedup(args.textdedup_python, path, procs, args.workdir)))
    for rep in range(args.reps):
        r = _run_json(["_datasketch", path])
        rows.append(("datasketch stand-in: update_batch + MinHashLSH(0.5) + union-find, 1 core",
                     r["wall"], r["peak_mb"], None))
    best: dict[str, tuple] = {}
    for label, wall, peak, stages in rows:
        if label not in best or wall < best[label][0]:
            best[label] = (wall, peak, stages, [x[1] for x in rows if x[0] == label])
    print(f"\n### End to end: {n:,} documents from {path}\n")
    print("| contender | best wall s | docs/s | runs (s) | peak RSS MB (process / largest child) |")
    print("|---|---|---|---|---|")
    for label, (wall, peak, stages, walls) in best.items():
        peak_text = f"{peak[0]:.0f} / {peak[1]:.0f}" if isinstance(peak, (list, tuple)) else f"{peak:.0f}"
        print(f"| {label} | {wall:.2f} | {n / wall:,.0f} | {'/'.join(f'{w:.2f}' for w in walls)} | {peak_text} |")
    for label, (wall, _, stages, _) in best.items():
        if stages:
            print(f"\n{label} stages (s): " + ", ".join(f"{k} {v}" for k, v in stages.items()))
    print("\n| ratio (throughput, same cores) | x |\n|---|---|")
    for jobs in args.jobs:
        ours = best.get(f"dedupe.scan, jobs={jobs}")
        theirs = [v for k, v in best.items() if k.startswith("text-dedup") and f"num_proc={jobs} " in k]
        if ours and theirs:
            print(f"| dedupe.scan jobs={jobs} vs text-dedup num_proc={jobs} | {theirs[0][0] / ours[0]:.2f} |")
        stand = best.get("datasketch stand-in: update_batch + MinHashLSH(0.5) + union-find, 1 core")
        if ours and stand:
            print(f"| dedupe.scan jobs={jobs} vs datasketch stand-in | {stand[0] / ours[0]:.2f} |")


def _textdedup(python: Path, path: str, procs: int, workdir: Path) -> tuple[float, tuple[float, float], None]:
    """Wall time and peak RSS of `python -m text_dedup.minhash` (its own venv's `python`, offline)."""
    out = workdir / "textdedup-out"
    cache = workdir / "textdedup-cache"
    minhash = [str(python), "-m", "text_dedup.minhash",
               "--path", "json", "--data_files", path, "--split", "train", "--cache_dir", str(cache),
               "--output", str(out), "--column", "text", "--num_perm", "128", "--ngram", "3",
               "--threshold", "0.5", "--num_proc", str(procs)]
    # a small wrapper process, so that RUSAGE_CHILDREN is text-dedup's peak alone
    wrapper = ("import json, resource, subprocess, sys\n"
               "done = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
               "sys.stderr.write(done.stderr[-3000:]) if done.returncode else None\n"
               "print(json.dumps([done.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024]))")
    env = {**os.environ, "HF_DATASETS_OFFLINE": "1", "HF_HUB_OFFLINE": "1", "TQDM_DISABLE": "1"}
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", wrapper, *minhash], capture_output=True, text=True, env=env)
    wall = time.perf_counter() - start
    code, peak = json.loads(done.stdout.strip().splitlines()[-1])
    if code:
        raise RuntimeError(done.stderr[-3000:])
    return wall, (peak, 0.0), None


# ---------------------------------------------------------------- scaling curve

def cmd_scale(args) -> None:
    from generate import truth_path, write_corpus

    args.workdir.mkdir(parents=True, exist_ok=True)
    print(f"\n### Scaling: generated corpora (benchmarks/generate.py, seed 0), jobs={args.jobs}\n")
    print("| articles | wall s | docs/s | peak RSS MB (parent / largest worker) | recall (copy / rewrite / partial) "
          "| unplanted docs clustered | stages (s) |")
    print("|---|---|---|---|---|---|---|")
    for size in args.sizes:
        corpus = args.workdir / f"gen{size}.jsonl"
        if not corpus.exists() or not truth_path(corpus).exists():
            write_corpus(size, corpus)
        r = _run_json(["_scan", str(corpus), "--jobs", str(args.jobs), "--truth", str(truth_path(corpus))])
        stages = ", ".join(f"{k} {v}" for k, v in r["stages"].items())
        print(f"| {size:,} | {r['wall']:.1f} | {size / r['wall']:,.0f} | {r['peak_mb'][0]:.0f} / "
              f"{r['peak_mb'][1]:.0f} | {r['recall']:.3f} ({r['recall_copy']:.3f} / {r['recall_rewrite']:.3f} / "
              f"{r['recall_partial']:.3f}) | {r['unplanted_clustered']} | {stages} |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    fp = sub.add_parser("fingerprint")
    fp.add_argument("--input", type=Path, default=REUTERS, help=f"JSONL corpus (default: {REUTERS})")
    fp.add_argument("--docs", type=int, default=0)
    fp.add_argument("--ngram", type=int, default=3)
    fp.add_argument("--reps", type=int, default=3)
    fp.add_argument("--slow-docs", type=int, default=3000, help="documents for the slow per-doc contenders")
    e2e = sub.add_parser("e2e")
    e2e.add_argument("--input", type=Path, default=REUTERS, help=f"JSONL corpus (default: {REUTERS})")
    e2e.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    e2e.add_argument("--reps", type=int, default=1)
    e2e.add_argument("--workdir", type=Path, default=Path("/tmp/dedupe-bench"))
    e2e.add_argument("--textdedup-python", type=Path, metavar="PYTHON",
                     help="the python of a venv with text-dedup 0.4.0 installed (see benchmarks/README.md); "
                          "without it text-dedup is left out")
    scale = sub.add_parser("scale")
    scale.add_argument("--sizes", type=int, nargs="+", default=[10000, 100000, 1000000])
    scale.add_argument("--jobs", type=int, default=2)
    scale.add_argument("--workdir", type=Path, default=Path("/tmp/dedupe-bench"))
    hidden = sub.add_parser("_scan")
    hidden.add_argument("path")
    hidden.add_argument("--jobs", type=int, default=1)
    hidden.add_argument("--truth")
    hidden.add_argument("--engine", default="local")
    hidden_ds = sub.add_parser("_datasketch")
    hidden_ds.add_argument("path")
    hidden_ds.add_argument("--threshold", type=float, default=0.5)
    hidden_ds.add_argument("--ngram", type=int, default=3)
    args = parser.parse_args()
    if args.command == "fingerprint":
        cmd_fingerprint(args)
    elif args.command == "e2e":
        args.workdir.mkdir(parents=True, exist_ok=True)
        cmd_e2e(args)
    elif args.command == "scale":
        cmd_scale(args)
    elif args.command == "_scan":
        worker_scan(args.path, args.jobs, args.truth, args.engine)
    elif args.command == "_datasketch":
        worker_datasketch(args.path, args.threshold, args.ngram)


if __name__ == "__main__":
    main()
