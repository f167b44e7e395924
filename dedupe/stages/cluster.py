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

Through to the original: when the documents' shingle sets are given, a copy whose
chosen parent is itself a copy moves up to that parent's own ancestor (if it is
linked to it) whenever (nearly) all it shares with the parent is in the ancestor
too.  Two papers that each took the same wire story then both hang from the
wire, not one from the other; a paper that also has what the other paper added
to the wire stays under that paper.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from ..model import Document, Match, published_instant


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


def shared_beyond(child: np.ndarray, parent: np.ndarray, ancestor: np.ndarray) -> float | None:
    """Share of what `child` and `parent` have in common that `ancestor` lacks.

    The arguments are shingle sets (sorted, distinct hashes).  None when the two
    share no shingle at all (a rewrite): nothing then tells where the child's
    material came from."""
    common = np.intersect1d(child, parent, assume_unique=True)
    if not len(common):
        return None
    return len(np.setdiff1d(common, ancestor, assume_unique=True)) / len(common)


def build_trees(docs: Sequence[Document], matches: Sequence[Match], min_explained: float = 0.2,
                margin: float = 0.1, wire: frozenset[int] = frozenset(),
                shingles: Sequence[np.ndarray] | Mapping[int, np.ndarray] | None = None, beyond: float = 0.1) -> list[Tree]:
    """Attach every linked document to its best earlier-ranked match; return the trees.

    Among parents whose strength is within `margin` of the strongest, the
    earliest-ranked wins: syndicated copies derive from the original, and a
    copy of a copy is only named when it is clearly closer.

    `shingles` (each document's shingle set, sorted distinct hashes, by document
    index; only those of copies whose parent is a copy are read) lets a copy pass through an intermediate parent to an ancestor it is
    linked to when at most `beyond` of what it shares with the intermediate is
    missing from the ancestor.  Without them, the parent is the one chosen above.
    """
    rank = rank_documents(docs, matches, wire)
    options: dict[int, list[tuple[float, int, Match]]] = defaultdict(list)
    for m in matches:
        child, parent = (m.a, m.b) if rank[m.a] > rank[m.b] else (m.b, m.a)
        explained = _explained(m, child)
        if explained >= min_explained:
            options[child].append((explained + m.scores.cosine, parent, m))
    best: dict[int, tuple[float, int, Match]] = {}
    # parents first, so that a child sees the final ancestry of its candidate parents
    for child in sorted(options, key=rank.__getitem__):
        found = options[child]
        strongest = max(strength for strength, _, _ in found)
        near = [o for o in found if o[0] >= strongest - margin]
        choice = min(near, key=lambda o: rank[o[1]])
        if shingles is not None:
            choice = _through_to_original(child, choice, found, best, shingles, beyond)
        best[child] = choice
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


def _through_to_original(child: int, choice: tuple[float, int, Match], found: list[tuple[float, int, Match]],
                         best: dict[int, tuple[float, int, Match]],
                         shingles: Sequence[np.ndarray] | Mapping[int, np.ndarray],
                         beyond: float) -> tuple[float, int, Match]:
    """The chosen option, or one of the chosen parent's ancestors the child is linked to
    when the child shares (almost) nothing with the parent that the ancestor lacks.

    Walks up the parent's ancestry; an ancestor the child is not linked to is passed
    over, the first one that fails the test ends the walk."""
    linked = {option[1]: option for option in found}
    current, node = choice, choice[1]
    while node in best:
        node = best[node][1]
        option = linked.get(node)
        if option is None:
            continue
        outside = shared_beyond(shingles[child], shingles[current[1]], shingles[node])
        if outside is None or outside > beyond:
            break
        current = option
    return current
