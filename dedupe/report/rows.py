"""A copy and its original as aligned rows of sentences, for the side-by-side view.

Each sentence of the original is paired with at most one sentence of the copy, in order (the
pairing with the largest total TF-IDF cosine among pairs at least `DiffOptions.match`,
the cosine at which the diff calls a copy's sentence a rewording). An original sentence without
a partner is a row of its own (left only: removed where the copy dropped it, or moved when it
matches a sentence paired elsewhere), and so is a copy sentence without one (right only: added,
or moved). Every character of each text is in exactly
one cell of its side, in order: a cell is a sentence with the text after it (spaces, furniture).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..config import DiffOptions
from ..stages.textdiff import sentence_similarity
from ..model import Diff, Document, Normalized
from ..text.normalize import normalize


@dataclass(frozen=True)
class Cell:
    start: int
    end: int
    kind: str  # copy: kept, reworded, added (by its word marks; added without a counterpart); original: used, removed
    paragraph: bool  # the cell starts a paragraph of its text


@dataclass(frozen=True)
class Row:
    original: Cell | None
    copy: Cell | None
    moved: bool = False  # a one-sided row whose sentence matches one paired elsewhere


def _cells(doc: Normalized) -> list[tuple[int, int, bool]]:
    """(start, end, starts a paragraph) of each sentence with what follows it up to the next one
    (the first also takes what precedes it); a text without sentences is one cell. A sentence
    starts a paragraph when the blank space before it holds a line break."""
    text = doc.text
    if not doc.sentences:
        return [(0, len(text), True)] if text else []
    bounds = [s.end for s in doc.sentences[:-1]]
    return [(start, end, k == 0 or "\n" in _blank_before(text, sentence.start))
            for k, (start, end, sentence) in enumerate(zip([0, *bounds], [*bounds, len(text)], doc.sentences))]


def _blank_before(text: str, at: int) -> str:
    before = text[:at]
    return before[len(before.rstrip()):]


def _pairing(sims: np.ndarray, floor: float) -> list[tuple[int | None, int | None]]:
    """Rows of (original sentence, copy sentence), in order, maximising the paired cosines."""
    n, m = sims.shape
    gain = np.where(sims >= floor, sims, 0.0).tolist()
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        here, below, g = best[i], best[i + 1], gain[i]
        for j in range(m - 1, -1, -1):
            pair = below[j + 1] + g[j] if g[j] > 0 else -1.0
            here[j] = max(pair, below[j], here[j + 1])
    rows: list[tuple[int | None, int | None]] = []
    i = j = 0
    while i < n and j < m:
        if gain[i][j] > 0 and best[i][j] == best[i + 1][j + 1] + gain[i][j]:
            rows.append((i, j))
            i, j = i + 1, j + 1
        elif best[i][j] == best[i + 1][j]:
            rows.append((i, None))
            i += 1
        else:
            rows.append((None, j))
            j += 1
    rows += [(k, None) for k in range(i, n)] + [(None, k) for k in range(j, m)]
    return rows


def _share(marks: list[tuple[int, int, str]], start: int, end: int) -> dict[str, int]:
    out: dict[str, int] = {}
    for a, b, kind in marks:
        overlap = min(b, end) - max(a, start)
        if overlap > 0:
            out[kind] = out.get(kind, 0) + overlap
    return out


def copy_kind(marks: list[tuple[int, int, str]], start: int, end: int) -> str:
    """kept, reworded or added: the sentence-level mark of a copy's text[start:end] (kept when as
    much of it is verbatim as makes a whole text a copy)."""
    share = _share(marks, start, end)
    total = sum(share.values())
    if not total:
        return "added"
    if share.get("kept", 0) >= DiffOptions().copy_kept * total:  # the share that makes a text a copy
        return "kept"
    return "reworded" if share.get("kept", 0) or share.get("reworded", 0) else "added"


def aligned_rows(original: Document, copy: Document, diff: Diff | None) -> list[Row]:
    """The rows of the side-by-side view of `copy` against `original` (see the module docstring)."""
    norm_o, norm_c = normalize(original), normalize(copy)
    cells_o, cells_c = _cells(norm_o), _cells(norm_c)
    floor = DiffOptions().match
    if norm_o.sentences and norm_c.sentences:
        sims = sentence_similarity(norm_o, norm_c)
        pairs = _pairing(sims, floor)
        matched_o, matched_c = (sims >= floor).any(axis=1).tolist(), (sims >= floor).any(axis=0).tolist()
    else:
        pairs = [(k, None) for k in range(len(cells_o))] + [(None, k) for k in range(len(cells_c))]
        matched_o, matched_c = [False] * len(cells_o), [False] * len(cells_c)
    copy_marks = [(s.start, s.end, s.kind) for s in diff.segments] if diff else []
    rows = []
    for i, j in pairs:
        left = right = None
        if i is not None:
            start, end, para = cells_o[i]
            left = Cell(start, end, "removed" if j is None and not matched_o[i] else "used", para)
        if j is not None:
            start, end, para = cells_c[j]
            # a sentence with no counterpart anywhere is added, whatever words it shares
            kind = "added" if i is None and not matched_c[j] else copy_kind(copy_marks, start, end) if diff else ""
            right = Cell(start, end, kind, para)
        moved = matched_o[i] if j is None else i is None and matched_c[j]  # one-sided, with a match
        rows.append(Row(left, right, moved))
    return rows
