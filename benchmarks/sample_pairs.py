"""Draw candidate pairs from a corpus for labelling by reading (issue 13).

    python benchmarks/sample_pairs.py ../shared/data/reuters21578/docs.jsonl --count 800 \
        --out /tmp/reuters-pairs.tsv

Pairs are drawn from the scan's candidate stage (LSH and rare-word routes), the pairs a
reader has to tell apart, stratified by how much text they share (word 3-gram
containment) and by whether the hand-written rule of the time linked them, so that the
labelled set covers near-copies, rewrites, templates and same-topic stories alike.  The
output lists only the two ids and the stratum: a labeller reads the texts
(`benchmarks/show_pairs.py`) and never sees a score.  Fixed seed: the same corpus gives
the same sample.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dedupe.stages.candidates import find_candidates  # noqa: E402
from dedupe.config import ScanOptions  # noqa: E402
from dedupe.text.fingerprint import Stemmer, assemble_fingerprints  # noqa: E402
from dedupe.stages.pairwise import pair_feature_arrays  # noqa: E402
from dedupe.pipeline import digest_all  # noqa: E402
from dedupe.stages.read import read_documents  # noqa: E402

BINS = (0.0, 0.1, 0.3, 0.5, 0.8, 1.01)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus")
    parser.add_argument("--count", type=int, default=800)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--out", required=True)
    parser.add_argument("--exclude", nargs="*", default=[], help="pair files whose pairs are not drawn again")
    parser.add_argument("--by", choices=("overlap", "verifier"), default="overlap",
                        help="strata: shared text (first round) or the shipped verifier's probability "
                             "(later rounds: the pairs it links and those near its threshold)")
    args = parser.parse_args()

    docs = read_documents([args.corpus])
    options = ScanOptions()
    digest = digest_all(docs, options, Stemmer())
    kept = [docs[i] for i in digest.kept.tolist()]
    fp = assemble_fingerprints(digest.shingle_values, digest.shingle_offsets, digest.signatures,
                               digest.stem_rows(), options.fingerprint)
    pairs = find_candidates(fp.signatures, fp.terms, options.candidates, options.fingerprint.seed)
    inter, cosine, *_ = pair_feature_arrays(pairs, fp, None, options.verify.sentence_match)
    sizes = np.diff(fp.shingle_offsets)
    smaller = np.maximum(np.minimum(sizes[pairs[:, 0]], sizes[pairs[:, 1]]), 1)
    contain = inter / smaller
    texts_equal = np.array([kept[i].text.split() == kept[j].text.split() for i, j in pairs.tolist()])
    if args.by == "verifier":
        from dedupe.stages.digest import sentence_rows
        from dedupe.stages.features import corpus_stats, feature_matrix, pair_columns
        from dedupe.stages.pairwise import SentenceRows

        verifier = options.verify.verifier()
        stats = corpus_stats(fp, digest.numbers, [d.published for d in kept], kept)
        columns = pair_columns(pairs, fp, stats, lambda only: SentenceRows.from_id_rows(*sentence_rows(digest, only), fp),
                               options.verify.sentence_match, gate=verifier.gate)
        matrix = feature_matrix(columns)
        prob = verifier.probabilities(matrix) * verifier.gate(columns["contain_max"], columns["cosine"])

    excluded = set()
    for name in args.exclude:
        for line in Path(name).read_text().splitlines():
            a, b = line.split("\t")[:2]
            excluded.add(frozenset((a, b)))

    rng = np.random.default_rng(args.seed)
    strata = {}
    for p, (i, j) in enumerate(pairs.tolist()):
        if frozenset((kept[i].id, kept[j].id)) in excluded:
            continue
        if texts_equal[p]:
            key = "same-text"
        elif args.by == "verifier":
            edges = (0.2, 0.5, verifier.threshold, 0.95, 0.99, 1.01)
            b = int(np.searchsorted(edges, prob[p], side="right")) - 1
            if b < 0:
                continue
            key = f"p[{edges[b]:.2f},{min(edges[b + 1], 1.0):.2f})"
        else:
            b = int(np.searchsorted(BINS, contain[p], side="right")) - 1
            cos = "cos>=0.43" if cosine[p] >= 0.43 else "cos<0.43"
            key = f"contain[{BINS[b]:.1f},{min(BINS[b + 1], 1.0):.1f})/{cos}"
        strata.setdefault(key, []).append(p)
    # equal share per stratum (the rare high-similarity strata are where the decisions are),
    # few identical texts: they need no reading
    keys = sorted(strata)
    quota = {k: (args.count // 40 if k == "same-text" else None) for k in keys}
    rest = args.count - sum(q or 0 for q in quota.values())
    open_keys = [k for k in keys if quota[k] is None]
    chosen = []
    while open_keys:
        share = rest // len(open_keys)
        small = [k for k in open_keys if len(strata[k]) <= share]
        if not small:
            for k in open_keys:
                quota[k] = share
            break
        for k in small:
            quota[k] = len(strata[k])
            rest -= len(strata[k])
            open_keys.remove(k)
    for k in keys:
        members = strata[k]
        take = min(quota[k], len(members))
        chosen += [(k, p) for p in rng.choice(members, size=take, replace=False).tolist()]
    rng.shuffle(chosen)
    with open(args.out, "w") as out:
        for k, p in chosen:
            i, j = pairs[p].tolist()
            out.write(f"{kept[i].id}\t{kept[j].id}\t{k}\n")
    counts = {k: sum(1 for kk, _ in chosen if kk == k) for k in keys}
    print(f"{len(pairs)} candidate pairs; drew {len(chosen)}:", file=sys.stderr)
    for k in keys:
        print(f"  {k:32s} {counts[k]:4d} of {len(strata[k])}", file=sys.stderr)


if __name__ == "__main__":
    main()
