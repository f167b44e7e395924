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
chosen parent has an earlier-ranked text the copy is also linked to (the parent's own
ancestor, or another text such as a wire story the parent is not linked to) moves up to
that text whenever (nearly) all it shares with the parent is in that text too: at most
10% of the material the copy shares with the two texts is found only in the parent.  A
text the parent does not descend from must also show in the copy: the copy holds more of
that text's own wording than of the parent's.
Two papers that each took the same wire story then both hang from the wire, not one from
the other; a paper that also has what the other paper added to the wire stays under that
paper.
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


def shared_beyond(child: np.ndarray, parent: np.ndarray, other: np.ndarray) -> float | None:
    """Share of the material `child` takes from `parent` or `other` that only `parent` has.

    The arguments are shingle sets (sorted, distinct hashes).  The material is what the
    child shares with either text; the measure is the part of it that `other` lacks.  A
    copy that shares a few 3-grams with another paper by chance ("is recovering from")
    but holds much of the wire story the paper left out took its text from the wire.
    None when the child shares no shingle with `parent` at all (a rewrite): nothing then
    tells where the child's material came from."""
    with_parent, only_parent, only_other = _exclusive(child, parent, other)
    if not with_parent:
        return None
    return only_parent / (with_parent + only_other)


def _exclusive(child: np.ndarray, parent: np.ndarray, other: np.ndarray) -> tuple[int, int, int]:
    """Shingles the child shares with `parent`; of those, the ones `other` lacks; and the ones
    it shares with `other` that `parent` lacks."""
    with_parent = np.intersect1d(child, parent, assume_unique=True)
    only_parent = np.setdiff1d(with_parent, other, assume_unique=True)
    with_other = np.intersect1d(child, other, assume_unique=True)
    only_other = np.setdiff1d(with_other, parent, assume_unique=True)
    return len(with_parent), len(only_parent), len(only_other)


def build_trees(docs: Sequence[Document], matches: Sequence[Match], min_explained: float = 0.2,
                margin: float = 0.1, wire: frozenset[int] = frozenset(),
                shingles: Sequence[np.ndarray] | Mapping[int, np.ndarray] | None = None, beyond: float = 0.1) -> list[Tree]:
    """Attach every linked document to its best earlier-ranked match; return the trees.

    Among parents whose strength is within `margin` of the strongest, the
    earliest-ranked wins: syndicated copies derive from the original, and a
    copy of a copy is only named when it is clearly closer.

    `shingles` (each document's shingle set, sorted distinct hashes, by document
    index; read only for a copy linked to a text ranked before its chosen parent, and for those
    texts) lets a
    copy pass over the chosen parent to an earlier-ranked text it is linked to (first up the
    parent's ancestry, then any other) when at most `beyond` of the material it shares with
    the two is found only in the parent (`shared_beyond`).  Without them, the parent is the
    one chosen above.
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
            choice = _through_to_original(child, choice, found, best, rank, shingles, beyond)
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
                         best: dict[int, tuple[float, int, Match]], rank: Sequence[int],
                         shingles: Sequence[np.ndarray] | Mapping[int, np.ndarray],
                         beyond: float) -> tuple[float, int, Match]:
    """The chosen option, or an earlier-ranked text the child is linked to that holds (almost)
    all the child shares with the chosen parent.

    First walks up the parent's ancestry; an ancestor the child is not linked to is passed
    over, the first one that fails the test ends the walk.  Then, from where the walk
    stopped, the earliest-ranked other linked text that passes the test: a wire story the
    paper the child hangs from is not linked to (the paper rewrote too much of it) is still
    the child's source when the child took its wording, not the paper's."""
    def explains(parent: int, other: int, related: bool) -> bool:
        with_parent, only_parent, only_other = _exclusive(shingles[child], shingles[parent], shingles[other])
        if not with_parent or only_parent > beyond * (with_parent + only_other):
            return False
        # a text the parent does not descend from needs the child's own evidence of use:
        # more wording that only it has than wording that only the parent has
        return related or only_other > only_parent

    linked = {option[1]: option for option in found}
    current, node = choice, choice[1]
    while node in best:
        node = best[node][1]
        option = linked.get(node)
        if option is None:
            continue
        if not explains(current[1], node, True):
            break
        current = option
    earlier = sorted((option for option in found if rank[option[1]] < rank[current[1]]), key=lambda o: rank[o[1]])
    return next((option for option in earlier if explains(current[1], option[1], False)), current)
