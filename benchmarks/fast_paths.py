"""Does each fast path pay?  Every compiled kernel (and the own JSON writer) against the plain
version it is tested against (tests/reference/ or the library it equals), on one corpus, in one run.

    python benchmarks/fast_paths.py [--input FILE] [--docs N] [--report FILE] [--reps 3]

--input: a JSONL corpus (default: ../shared/data/reuters21578/docs.jsonl, else 5,000 generated
articles from benchmarks/generate.py); --report: a dedupe JSON report for the JSON writer (default:
the scan of the corpus).  Kernels are compiled (or loaded from numba's cache) before timing.
Prints one Markdown row per fast path: best-of-reps seconds of each side and their ratio.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(HERE)]
REUTERS = ROOT.parent / "shared" / "data" / "reuters21578" / "docs.jsonl"


def _best(fn, reps: int) -> float:
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--input", type=Path, default=REUTERS if REUTERS.exists() else None,
                        help=f"JSONL corpus (default: {REUTERS} if present, else generated articles)")
    parser.add_argument("--docs", type=int, default=5000, help="documents used (default 5000)")
    parser.add_argument("--report", type=Path, help="a dedupe JSON report (default: the corpus's scan)")
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args()

    from sklearn.feature_extraction.text import TfidfVectorizer

    import dedupe
    from dedupe.stages.candidates import lsh_pair_codes
    from dedupe.text.fingerprint import Stemmer, TokenHasher, minhash_hashed, permutations
    from dedupe.model import Document
    from dedupe.report.jsontext import indented_json
    from dedupe.text.normalize import normalize, tokenize
    from dedupe.text.sentences import sentence_spans
    from dedupe.text.numbering import TokenNumbers
    from dedupe.text.tfidf import _identity, term_vectorizer
    from reference import minhash as ref_minhash
    from reference.lsh import lsh_pairs_datasketch
    from reference.text import TOKEN, reference_fold, reference_sentence_spans

    if args.input is not None:
        with open(args.input, encoding="utf-8") as fh:
            texts = [json.loads(line)["text"] for _, line in zip(range(args.docs), fh)]
        where = str(args.input)
    else:
        from generate import generate

        texts = [record["text"] for record, _ in generate(args.docs)]
        where = "benchmarks/generate.py"
    docs = [normalize(Document(str(i), t)) for i, t in enumerate(texts)]
    rows = []

    def row(name, fast, slow, *, check=None):
        fast(), slow()  # compile / warm up
        if check is not None:
            assert check(), name
        a, b = _best(fast, args.reps), _best(slow, args.reps)
        rows.append((name, a, b))

    row("tokens: compiled scan vs the token regex + fold",
        lambda: [tokenize(t) for t in texts],
        lambda: [[(reference_fold(m.group()), m.start(), m.end()) for m in TOKEN.finditer(t)] for t in texts])
    row("sentences: compiled scan vs the paragraph and sentence regexes",
        lambda: [sentence_spans(t) for t in texts], lambda: [reference_sentence_spans(t) for t in texts],
        check=lambda: all(sentence_spans(t) == reference_sentence_spans(t) for t in texts[:300]))

    tokens = [d.tokens for d in docs]
    joined = " ".join(t for toks in tokens for t in toks).encode("utf-8")
    flat = [t for toks in tokens for t in toks]

    def by_dict():
        numbers: dict[str, int] = {}
        return [numbers.setdefault(t, len(numbers)) for t in flat]

    row("token numbers: compiled hash table vs a dict", lambda: TokenNumbers().number(joined), by_dict)

    hashes = TokenHasher()(flat)
    offsets = np.cumsum([0] + [len(t) for t in tokens]).astype(np.int64)
    a, b = permutations(128, 1)

    def reference_minhash():
        sets = [ref_minhash.shingle_hashes(hashes[offsets[i]:offsets[i + 1]], 3) for i in range(len(tokens))]
        return ref_minhash.minhash_signatures(sets, 128, 1)

    row("shingles + MinHash: compiled kernel vs numpy per document", lambda: minhash_hashed(hashes, offsets),
        reference_minhash, check=lambda: np.array_equal(minhash_hashed(hashes, offsets)[2], reference_minhash()))
    signatures = minhash_hashed(hashes, offsets)[2]
    n = len(signatures)

    def codes_as_pairs():
        i, j = np.divmod(lsh_pair_codes(signatures, 64, 2, 200), n)
        return set(zip(i.tolist(), j.tolist()))

    row("LSH buckets: compiled hash table vs datasketch MinHashLSH", lambda: lsh_pair_codes(signatures, 64, 2, 200),
        lambda: lsh_pairs_datasketch(signatures, 64, 2, 200),
        check=lambda: codes_as_pairs() == lsh_pairs_datasketch(signatures, 64, 2, 200))

    stem = Stemmer()
    words = [stem(t) for t in tokens]
    kwargs = dict(analyzer=_identity, sublinear_tf=True, norm="l2", dtype=np.float32)
    row("TF-IDF fit_transform: WordListTfidf vs scikit-learn", lambda: term_vectorizer().fit_transform(words),
        lambda: TfidfVectorizer(**kwargs).fit_transform(words))

    if args.report is not None:
        value = json.loads(args.report.read_text(encoding="utf-8"))
    else:
        value = json.loads(dedupe.scan([{"id": str(i), "text": t} for i, t in enumerate(texts)]).to_json())
    row("indented report JSON: model.indented_json vs json.dumps", lambda: indented_json(value, 2),
        lambda: json.dumps(value, indent=2, ensure_ascii=False),
        check=lambda: indented_json(value, 2) == json.dumps(value, indent=2, ensure_ascii=False))

    print(f"\n### Fast paths vs their references: {len(texts):,} documents from {where}, best of {args.reps}\n")
    print("| fast path vs reference | fast s | reference s | reference / fast |\n|---|---|---|---|")
    for name, fast, slow in rows:
        print(f"| {name} | {fast:.3f} | {slow:.3f} | {slow / fast:.1f}x |")


if __name__ == "__main__":
    main()
