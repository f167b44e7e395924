"""Group verified matches into stories: each copy is attached to its best original.

No transitive closure: every document picks at most one parent among the
documents it is linked to that rank before it, and only a parent that explains a
real part of it (``min_explained``).  A long roundup linked weakly to two stories
therefore joins at most one of them and never bridges them.

Rank: the earliest ``published`` first (documents without a date after dated
ones).  Without dates, a wire agency's text comes first, then the hub: the text most strongly linked to the
others, because copies each take from the original more than from each other
(a wire story inside several local reports, an article excerpted by several
copies).  Between two texts alone, the one more fully contained in the other
comes first (a copy adds to what it takes); then input order.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from .model import Document, Match, published_instant


@dataclass(frozen=True)
class Tree:
    """One story: the root (original) and every other member's parent."""

    root: int
    parents: dict[int, int]  # member -> the document it derives from
    edges: dict[int, Match]  # member -> the match with its parent


def _explained(match: Match, child: int) -> float:
    """Share of the child that the other text of the match accounts for."""
    if match.a == child:
        return max(match.contain_ab, match.aligned_a)
    return max(match.contain_ba, match.aligned_b)


def _contained(match: Match, doc: int) -> float:
    return match.contain_ab if match.a == doc else match.contain_ba


def _strength(match: Match) -> float:
    return max(match.contain_ab, match.contain_ba, match.aligned_a, match.aligned_b)


def rank_documents(docs: Sequence[Document], matches: Sequence[Match],
                   wire: frozenset[int] = frozenset()) -> list[int]:
    """Position of each document in the original-first order (lower ranks first).

    `wire` holds the documents published by a wire agency: between undated
    texts, wire copy comes before the papers that reuse it."""
    contained: dict[int, list[float]] = defaultdict(list)
    hub: dict[int, float] = defaultdict(float)
    for m in matches:
        contained[m.a].append(m.contain_ab - m.contain_ba)
        contained[m.b].append(m.contain_ba - m.contain_ab)
        hub[m.a] += _strength(m)
        hub[m.b] += _strength(m)

    def key(i: int):
        stamp = published_instant(docs[i].published)
        share = contained.get(i)
        originality = sum(share) / len(share) if share else 0.0
        return (stamp is None, stamp or 0.0, i not in wire, -round(hub[i], 3), -round(originality, 6), i)

    order = sorted(range(len(docs)), key=key)
    rank = [0] * len(docs)
    for position, i in enumerate(order):
        rank[i] = position
    return rank


def build_trees(docs: Sequence[Document], matches: Sequence[Match], min_explained: float = 0.2,
                margin: float = 0.1, wire: frozenset[int] = frozenset()) -> list[Tree]:
    """Attach every linked document to its best earlier-ranked match; return the trees.

    Among parents whose strength is within `margin` of the strongest, the
    earliest-ranked wins: syndicated copies derive from the original, and a
    copy of a copy is only named when it is clearly closer.
    """
    rank = rank_documents(docs, matches, wire)
    options: dict[int, list[tuple[float, int, Match]]] = defaultdict(list)
    for m in matches:
        child, parent = (m.a, m.b) if rank[m.a] > rank[m.b] else (m.b, m.a)
        explained = _explained(m, child)
        if explained >= min_explained:
            options[child].append((explained + m.scores.cosine, parent, m))
    best: dict[int, tuple[float, int, Match]] = {}
    for child, found in options.items():
        strongest = max(strength for strength, _, _ in found)
        near = [o for o in found if o[0] >= strongest - margin]
        best[child] = min(near, key=lambda o: rank[o[1]])
    parents = {child: parent for child, (_, parent, _) in best.items()}
    roots: dict[int, int] = {}

    def root_of(i: int) -> int:
        path = []
        while i in parents:
            path.append(i)
            i = parents[i]
        for p in path:
            roots[p] = i
        return i

    grouped: dict[int, list[int]] = defaultdict(list)
    for child in sorted(parents):
        grouped[root_of(child)].append(child)
    return [Tree(root=r, parents={c: parents[c] for c in members},
                 edges={c: best[c][2] for c in members})
            for r, members in sorted(grouped.items(), key=lambda kv: rank[kv[0]])]
