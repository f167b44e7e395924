"""Deterministic synthetic news corpus with planted copies, rewrites and partial reuse.

    python benchmarks/generate.py --docs 100000 --out /tmp/gen100k.jsonl

writes the articles as JSONL in dedupe's input shape and, next to them,
``<out>.truth.jsonl`` with one line per planted derivative:
``{"id", "of", "kind"}`` where kind is ``copy``, ``rewrite`` or ``partial``.

The same arguments always give the same bytes.  Texts are made of a Zipfian
vocabulary of pseudo-words led by real English function words, with per-story
names and figures (what rewrites keep).  About 12% of the originals get one
derivative:

- copy: last paragraph dropped, ~2% of words changed, a credit line added;
- rewrite: ~35% of common words swapped for a fixed "synonym", sentences
  reordered inside paragraphs, two paragraphs swapped; names and figures kept;
- partial: about half the original's paragraphs kept verbatim, interleaved with
  as many paragraphs of the outlet's own new reporting.

Everything else is independent text, so every link a scan reports between two
documents that are not a planted pair is a false positive.
"""
from __future__ import annotations

import argparse
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np

FUNCTION_WORDS = ("the of and to a in that is was for on with as by at from it his he said which "
                  "are be had have not this but has were an they its their will been would or after "
                  "who more also one two new there up than when about over into could year last").split()
SYLLABLES = ("ka lo mer tan vi sel dor pa ren cu mi zor bel tra fen gal ho nu qui ras ste vol "
             "wen yar bri cos dal ex fro gim").split()
OUTLETS = [f"Outlet {i:03d}" for i in range(200)]
KINDS = ("copy", "rewrite", "partial")


class Vocabulary:
    def __init__(self, rng: np.random.Generator, size: int = 40000, names: int = 30000) -> None:
        words: dict[str, None] = dict.fromkeys(FUNCTION_WORDS)
        while len(words) < size:
            count = int(rng.integers(2, 5))
            words[("".join(rng.choice(SYLLABLES, count)))] = None
        self.words = np.array(list(words), dtype=object)
        ranks = np.arange(1, size + 1, dtype=np.float64)
        self.p = 1.0 / ranks ** 1.05
        self.p /= self.p.sum()
        self.cumulative = np.cumsum(self.p)
        # a fixed "synonym" for each word: a neighbour in frequency rank
        self.synonym = np.arange(size) ^ 1
        self.synonym[: len(FUNCTION_WORDS)] = np.arange(len(FUNCTION_WORDS))  # function words stay
        name_set: dict[str, None] = {}
        while len(name_set) < names:
            name_set["".join(rng.choice(SYLLABLES, int(rng.integers(2, 5)))).capitalize()] = None
        self.names = np.array(list(name_set), dtype=object)
        self.index = {w: i for i, w in enumerate(self.words)}

    def draw(self, rng: np.random.Generator, count: int) -> np.ndarray:
        return np.minimum(np.searchsorted(self.cumulative, rng.random(count)), len(self.words) - 1)


def _story(rng: np.random.Generator, vocab: Vocabulary) -> list[list[list[str]]]:
    """Paragraphs of sentences of words; names and figures of the story sprinkled in."""
    names = list(vocab.names[rng.integers(0, len(vocab.names), 4)])
    figures = [str(int(x)) for x in rng.integers(10, 100000, 4)]
    paragraphs = []
    for _ in range(int(rng.integers(4, 9))):
        sentences = []
        for _ in range(int(rng.integers(1, 4))):
            words = list(vocab.words[vocab.draw(rng, int(rng.integers(8, 22)))])
            if rng.random() < 0.6:
                words.insert(int(rng.integers(0, len(words))), names[int(rng.integers(0, 4))])
            if rng.random() < 0.4:
                words.insert(int(rng.integers(0, len(words))), figures[int(rng.integers(0, 4))])
            sentences.append(words)
        paragraphs.append(sentences)
    return paragraphs


def _text(paragraphs: list[list[list[str]]]) -> str:
    return "\n\n".join(" ".join(_sentence(s) for s in para) for para in paragraphs)


def _sentence(words: list[str]) -> str:
    return words[0][:1].upper() + words[0][1:] + (" " + " ".join(words[1:]) if len(words) > 1 else "") + "."


def _copy(rng, vocab, story):
    paragraphs = [[list(s) for s in para] for para in story[:-1] or story]
    for para in paragraphs:
        for s in para:
            for k in range(len(s)):
                if rng.random() < 0.02:
                    s[k] = vocab.words[vocab.draw(rng, 1)[0]]
    paragraphs.append([["distributed", "by", "agency", "wire"]])
    return paragraphs


def _rewrite(rng, vocab, story):
    index = vocab.index
    paragraphs = []
    for para in story:
        sentences = []
        for s in para:
            words = []
            for w in s:
                i = index.get(w)
                if i is not None and rng.random() < 0.35:
                    w = vocab.words[vocab.synonym[i]]
                words.append(w)
            sentences.append(words)
        order = rng.permutation(len(sentences))
        paragraphs.append([sentences[k] for k in order])
    if len(paragraphs) > 2:
        a, b = rng.choice(len(paragraphs), 2, replace=False)
        paragraphs[a], paragraphs[b] = paragraphs[b], paragraphs[a]
    return paragraphs


def _partial(rng, vocab, story):
    keep = [p for p in story if rng.random() < 0.5] or story[:1]
    own = _story(rng, vocab)
    out = []
    for k in range(max(len(keep), len(own))):
        if k < len(own):
            out.append(own[k])
        if k < len(keep):
            out.append(keep[k])
    return out


def generate(docs: int, seed: int = 0):
    """Yield (record, truth or None) for `docs` articles, deterministically."""
    rng = np.random.default_rng(seed)
    vocab = Vocabulary(rng)
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    made = 0
    story_number = 0
    while made < docs:
        story_number += 1
        story = _story(rng, vocab)
        when = start + timedelta(minutes=7 * story_number)
        outlet = OUTLETS[int(rng.integers(0, len(OUTLETS)))]
        original_id = f"g{made:07d}"
        yield {"id": original_id, "text": _text(story), "source": outlet,
               "published": when.isoformat()}, None
        made += 1
        if made < docs and rng.random() < 0.12:
            kind = KINDS[int(rng.integers(0, 3))]
            derived = {"copy": _copy, "rewrite": _rewrite, "partial": _partial}[kind](rng, vocab, story)
            copy_id = f"g{made:07d}"
            yield {"id": copy_id, "text": _text(derived),
                   "source": OUTLETS[int(rng.integers(0, len(OUTLETS)))],
                   "published": (when + timedelta(hours=int(rng.integers(1, 48)))).isoformat()}, \
                {"id": copy_id, "of": original_id, "kind": kind}
            made += 1


def truth_path(out: Path) -> Path:
    return out.with_name(out.name + ".truth.jsonl")


def write_corpus(docs: int, out: Path, seed: int = 0) -> tuple[Path, Path]:
    truth = truth_path(out)
    with open(out, "w", encoding="utf-8") as f, open(truth, "w", encoding="utf-8") as t:
        for record, planted in generate(docs, seed):
            f.write(json.dumps(record, ensure_ascii=False) + "\n")
            if planted:
                t.write(json.dumps(planted) + "\n")
    return out, truth


def recall(report_dict: dict, truth: Path) -> dict[str, float]:
    """Share of planted (derivative, original) pairs that the report puts in one cluster,
    overall and per kind, and the number of clustered documents with no planted link."""
    cluster_of = {}
    for c in report_dict["clusters"]:
        for m in c["members"]:
            cluster_of[m["id"]] = c["id"]
    found: dict[str, list[int]] = {k: [0, 0] for k in KINDS}
    planted_ids = set()
    for line in open(truth, encoding="utf-8"):
        p = json.loads(line)
        planted_ids.update((p["id"], p["of"]))
        hit = p["id"] in cluster_of and cluster_of.get(p["id"]) == cluster_of.get(p["of"])
        found[p["kind"]][0] += hit
        found[p["kind"]][1] += 1
    total_hit = sum(v[0] for v in found.values())
    total = sum(v[1] for v in found.values())
    out = {"recall": total_hit / total if total else 1.0}
    out.update({f"recall_{k}": (v[0] / v[1] if v[1] else 1.0) for k, v in found.items()})
    out["unplanted_clustered"] = sum(1 for i in cluster_of if i not in planted_ids)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    out, truth = write_corpus(args.docs, args.out, args.seed)
    print(f"wrote {out} and {truth}")


if __name__ == "__main__":
    main()
