"""Pair features for the learned verifier: what tells a copy from a template or a same-event story.

Every candidate pair gets one row of `NAMES`.  They are symmetric (a pair's row does not
depend on which text comes first) and weigh shared material by how rare it is in the
corpus, because a phrase, a name or a figure found in hundreds of texts is template:

- shingle containment, plain and weighted by the rarity of each word 3-gram, and the
  share of the shared 3-grams that are common in the corpus;
- TF-IDF cosine and the IDF-weighted share of each text's content words found in the other;
- agreement on each text's rarest words (names, places) and on the figures, weighted, and how
  many figures the two share (a rewrite keeps a dozen, a flash and its story one or two);
- the order-preserving sentence alignment (copies and rewrites keep the story's order);
- the share of the shared 3-grams that lie outside quotation marks: two reports of one trial
  or speech share the words quoted, a copy shares its own sentences too;
- length ratio, and the time between the two texts where both are dated;
- whether the two headings (the title, or a wire brief's slug line) name other trading sessions
  or times of day: a copy keeps its heading, while the opening and the closing snapshot of one
  market ("OPENING", "CLOSING", "10:50 EDT") can share every word but those;
- how much of each text is figures (distinct figures per distinct 3-gram): in a price table or
  an earnings table, a figure that changed is another session's or another company's table,
  while a story reworded around the same figures is still the same story.

`verifier.Verifier` turns a row into a decision.  The corpus statistics come from the
scan's own fingerprints (`corpus_stats`), so the same text gets other weights in another
corpus, as it should: a phrase is template relative to the corpus it is found in.
"""
from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numba
import numpy as np

from ..model import Document, Normalized, published_instant
from ..text.fingerprint import Fingerprints, TokenHasher
from ..text.headings import heading, sessions

NAMES = (
    "contain_max", "contain_min", "jaccard", "wcontain_max", "wcontain_min", "common_share",
    "cosine", "terms_max", "terms_min", "rare_max", "rare_min",
    "figures_min", "figures_max", "figures_w", "figures_none", "figures_unshared",
    "aligned_max", "aligned_min", "length_ratio", "log_days", "days_unknown", "unquoted_share",
    "figure_density_max", "figure_density_min", "session_conflict", "figures_shared",
)
"""The feature columns, in order."""

def number_set(doc: Normalized) -> frozenset[str]:
    """The figures a text states (amounts, years, scores): copies keep them, templates change them."""
    return frozenset(t for t in doc.tokens if any(c.isdigit() for c in t))


COMMON_DF = 20
"""A word 3-gram found in at least this many texts (and 0.1% of the corpus) counts as common."""
RARE_TERMS = 8
"""How many of a text's rarest content words (among those another text also uses) make its
'names' for `rare_max`/`rare_min`."""


@dataclass
class CorpusStats:
    """Per-document arrays the features weigh by, computed once per scan."""

    shingle_weights: np.ndarray  # float32, parallel to fp.shingle_values: rarity of each 3-gram
    shingle_common: np.ndarray  # uint8, parallel to fp.shingle_values: the 3-gram is common
    shingle_totals: np.ndarray  # float64 per document: sum of its 3-grams' weights
    term_indices: np.ndarray  # the TF-IDF columns of each document, sorted (CSR of fp.terms)
    term_indptr: np.ndarray
    rare_values: np.ndarray  # each document's RARE_TERMS rarest columns, sorted
    rare_offsets: np.ndarray
    figure_values: np.ndarray  # each document's figures as numbers, sorted
    figure_offsets: np.ndarray
    figure_weights: np.ndarray  # float64 per figure number: its rarity
    lengths: np.ndarray  # int64 per document: number of distinct 3-grams
    instants: np.ndarray  # float64 per document: seconds since the epoch, NaN when undated
    documents: Sequence[Document | Normalized] | None = None  # for the quotation marks and the headings
    shingle_outside: np.ndarray | None = None  # uint8, parallel to fp.shingle_values: the 3-gram occurs
    outside_known: np.ndarray | None = None  # outside quotes; known for the documents marked True here
    sessions: dict[int, frozenset[str]] = field(default_factory=dict)  # of each heading, as documents are met


def corpus_stats(fp: Fingerprints, numbers: Sequence[frozenset[str]] | Mapping[int, frozenset[str]],
                 published: Sequence[str | None],
                 documents: Sequence[Document | Normalized] | None = None) -> CorpusStats:
    """The corpus-wide weights of the documents `fp` fingerprints.

    `numbers` holds each document's figures (`number_set`), `published` its date; `documents`
    the documents themselves (or normalized), where their quotation marks are read when a pair
    of them is scored (`unquoted_shares`)."""
    n = len(published)
    values, offsets = _flat_shingles(fp)
    distinct, inverse, counts = np.unique(values, return_inverse=True, return_counts=True)
    df = counts[inverse]
    weights = (np.log((1.0 + n) / (1.0 + df)) + 1.0).astype(np.float32)
    common = (df >= max(COMMON_DF, 0.001 * n)).astype(np.uint8)
    owner = np.repeat(np.arange(n), np.diff(offsets))  # the document of each 3-gram
    totals = np.bincount(owner, weights=weights.astype(np.float64), minlength=n)
    terms = fp.terms.tocsr()
    terms = terms.copy()
    terms.sort_indices()
    term_df = np.bincount(terms.indices, minlength=terms.shape[1])
    rare_values, rare_offsets = _rarest(terms.indptr, terms.indices, term_df)
    figure_values, figure_offsets, figure_weights = _figures(numbers, n)
    instants = np.array([_instant(p) for p in published], dtype=np.float64)
    return CorpusStats(weights, common, totals, terms.indices.astype(np.int64), terms.indptr.astype(np.int64),
                       rare_values, rare_offsets, figure_values, figure_offsets, figure_weights,
                       np.diff(offsets).astype(np.int64), instants, documents)


def _flat_shingles(fp: Fingerprints) -> tuple[np.ndarray, np.ndarray]:
    if fp.shingle_values is not None:
        return fp.shingle_values, fp.shingle_offsets
    offsets = np.zeros(len(fp.shingle_sets) + 1, dtype=np.int64)
    np.cumsum([len(s) for s in fp.shingle_sets], out=offsets[1:])
    values = np.concatenate(fp.shingle_sets) if len(fp.shingle_sets) else np.empty(0, np.uint32)
    return values, offsets


def _rarest(indptr: np.ndarray, indices: np.ndarray, df: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each document's RARE_TERMS rarest columns among those another document uses too (the
    rarest first, ties by column), sorted by column; as flat values and offsets."""
    n = len(indptr) - 1
    owner = np.repeat(np.arange(n), np.diff(indptr))
    shared = df[indices] >= 2  # a word no other text uses cannot be shared
    owner, cols = owner[shared], indices[shared].astype(np.int64)
    order = np.lexsort((cols, df[cols], owner))
    owner, cols = owner[order], cols[order]
    starts = np.searchsorted(owner, np.arange(n))
    keep = np.arange(len(owner)) - starts[owner] < RARE_TERMS
    owner, cols = owner[keep], cols[keep]
    order = np.lexsort((cols, owner))
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(owner, minlength=n), out=offsets[1:])
    return cols[order], offsets


def _figures(numbers, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    ids: dict[str, int] = {}
    rows = []
    for d in range(n):
        figures = numbers[d] if (not isinstance(numbers, Mapping) or d in numbers) else frozenset()
        rows.append(sorted(ids.setdefault(f, len(ids)) for f in figures))
    df = np.zeros(len(ids), dtype=np.int64)
    for row in rows:
        df[row] += 1
    weights = np.log((1.0 + n) / (1.0 + df)) + 1.0
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum([len(r) for r in rows], out=offsets[1:])
    values = np.array([f for r in rows for f in r], dtype=np.int64)
    return values, offsets, weights


def _instant(published: str | None) -> float:
    stamp = published_instant(published)
    return math.nan if stamp is None else stamp


def overlap_features(pairs: np.ndarray, fp: Fingerprints, stats: CorpusStats) -> dict[str, np.ndarray]:
    """The features that need no sentence alignment, except those `pairwise.pair_feature_arrays`
    gives (cosine, terms): weighted shingle overlap, rare words, figures, length, time."""
    values, offsets = _flat_shingles(fp)
    left = np.ascontiguousarray(pairs[:, 0], dtype=np.int64)
    right = np.ascontiguousarray(pairs[:, 1], dtype=np.int64)
    out = np.zeros((len(pairs), 8), dtype=np.float64)
    _overlaps(left, right, values, offsets, stats.shingle_weights, stats.shingle_common, stats.shingle_totals,
              stats.rare_values, stats.rare_offsets, stats.term_indptr, stats.term_indices,
              stats.figure_values, stats.figure_offsets, stats.figure_weights, out)
    inter, winter, common, rare_l, rare_r, shared_f, unshared_f, wf = out.T
    size_l, size_r = stats.lengths[left], stats.lengths[right]
    w_l, w_r = stats.shingle_totals[left], stats.shingle_totals[right]
    c_l = _share(inter, size_l)
    c_r = _share(inter, size_r)
    wc_l = _share(winter, w_l)
    wc_r = _share(winter, w_r)
    nf_l = np.diff(stats.figure_offsets)[left]
    nf_r = np.diff(stats.figure_offsets)[right]
    density_l, density_r = _share(nf_l, size_l), _share(nf_r, size_r)
    days = np.abs(stats.instants[left] - stats.instants[right]) / 86400.0
    unknown = np.isnan(days)
    rare_share_l = _share(rare_l, np.diff(stats.rare_offsets)[left])
    rare_share_r = _share(rare_r, np.diff(stats.rare_offsets)[right])
    return {
        "inter": inter,
        "contain_ab": c_l, "contain_ba": c_r,
        "contain_max": np.maximum(c_l, c_r), "contain_min": np.minimum(c_l, c_r),
        "jaccard": _share(inter, size_l + size_r - inter),
        "wcontain_max": np.maximum(wc_l, wc_r), "wcontain_min": np.minimum(wc_l, wc_r),
        "common_share": _share(common, inter),
        "rare_max": np.maximum(rare_share_l, rare_share_r), "rare_min": np.minimum(rare_share_l, rare_share_r),
        "figures_min": _share(shared_f, np.minimum(nf_l, nf_r)),
        "figures_max": _share(shared_f, np.maximum(nf_l, nf_r)),
        "figures_w": wf,
        "figures_none": (np.minimum(nf_l, nf_r) == 0).astype(np.float64),
        "figures_unshared": np.log1p(unshared_f),
        "figures_shared": np.log1p(shared_f),
        "figure_density_max": np.maximum(density_l, density_r),
        "figure_density_min": np.minimum(density_l, density_r),
        "length_ratio": _share(np.minimum(size_l, size_r), np.maximum(size_l, size_r)),
        "log_days": np.where(unknown, 0.0, np.log1p(np.where(unknown, 0.0, days))),
        "days_unknown": unknown.astype(np.float64),
    }


def _share(part: np.ndarray, whole: np.ndarray) -> np.ndarray:
    whole = np.asarray(whole, dtype=np.float64)
    return np.divide(part, whole, out=np.zeros(len(part), dtype=np.float64), where=whole > 0)


@numba.njit(cache=True, nogil=True)
def _overlaps(left, right, values, offsets, weights, common, totals, rare_v, rare_o, tp, tx, fv, fo, fw, out):
    """For each pair (left[p], right[p]): shared 3-grams (count, summed weight, common ones),
    how many of each side's rarest words the other text uses, figures shared and not, and the
    weighted share of the smaller figure set that the other text states."""
    for p in range(len(left)):
        i, j = left[p], right[p]
        # 3-grams: both runs are sorted
        a, a_end, b, b_end = offsets[i], offsets[i + 1], offsets[j], offsets[j + 1]
        inter = 0
        winter = 0.0
        shared_common = 0
        while a < a_end and b < b_end:
            va, vb = values[a], values[b]
            if va == vb:
                inter += 1
                winter += weights[a]
                shared_common += common[a]
                a += 1
                b += 1
            elif va < vb:
                a += 1
            else:
                b += 1
        out[p, 0] = inter
        out[p, 1] = winter
        out[p, 2] = shared_common
        # rarest words of one side found among all content words of the other
        out[p, 3] = count_shared(rare_v, rare_o[i], rare_o[i + 1], tx, tp[j], tp[j + 1])
        out[p, 4] = count_shared(rare_v, rare_o[j], rare_o[j + 1], tx, tp[i], tp[i + 1])
        # figures
        a, a_end, b, b_end = fo[i], fo[i + 1], fo[j], fo[j + 1]
        shared = 0
        w_shared = 0.0
        w_a = 0.0
        w_b = 0.0
        while a < a_end or b < b_end:
            if b >= b_end or (a < a_end and fv[a] < fv[b]):
                w_a += fw[fv[a]]
                a += 1
            elif a >= a_end or fv[b] < fv[a]:
                w_b += fw[fv[b]]
                b += 1
            else:
                shared += 1
                w_shared += fw[fv[a]]
                w_a += fw[fv[a]]
                w_b += fw[fv[b]]
                a += 1
                b += 1
        n_a, n_b = fo[i + 1] - fo[i], fo[j + 1] - fo[j]
        out[p, 5] = shared
        out[p, 6] = min(n_a, n_b) - shared  # figures of the smaller set the other does not state
        smaller = min(w_a, w_b)
        out[p, 7] = w_shared / smaller if smaller > 0 else 0.0


@numba.njit(cache=True, nogil=True)
def count_shared(xs, x_lo, x_hi, ys, y_lo, y_hi):
    """How many of the sorted xs[x_lo:x_hi] occur in the sorted ys[y_lo:y_hi]."""
    n = 0
    a, b = x_lo, y_lo
    while a < x_hi and b < y_hi:
        if xs[a] == ys[b]:
            n += 1
            a += 1
            b += 1
        elif xs[a] < ys[b]:
            a += 1
        else:
            b += 1
    return n


_SINGLE_OPENING = re.compile(r"(?<![^\W_])'")


def may_quote(text: str) -> bool:
    """Whether `text` holds a mark that can open a quotation (`quoted` decides which do): a text
    without one has none.  Substring tests first: most texts have no quote, many an apostrophe."""
    return ('"' in text or "“" in text or "‘" in text or "`" in text
            or ("'" in text and _SINGLE_OPENING.search(text) is not None))


QUOTE_MARKS = re.compile("[\"“”‘’'`\n]")


def quoted(text: str) -> np.ndarray:
    """True for each character inside quotation marks: "...", “...”, and '...' or ‘...’ (British
    speech) where the single quote opens before a word and closes after one, which an apostrophe
    (it's, the Smiths') does not; a blank line ends any quotation.  The marks themselves are
    outside.  (tests/reference/pair_features.py reads the text character by character.)

    >>> ''.join('q' if c else '.' for c in quoted('He said "no more" and left'))
    '.........qqqqqqq..........'
    """
    inside = np.zeros(len(text), dtype=bool)
    state = False
    start = 0
    last = len(text) - 1
    for match in QUOTE_MARKS.finditer(text):  # only these characters can change the state
        i = match.start()
        c = text[i]
        before = text[i - 1] if i else " "
        after = text[i + 1] if i < last else " "
        if c == "\n":
            if state and after == "\n":
                inside[start:i] = True
                state = False
        elif not state:
            if (c in '"“' or (c in "‘'`" and not before.isalnum())) and (after.isalnum() or after in " `"):
                state, start = True, i + 1
        elif c in '"”' or (c in "’'" and not after.isalnum() and (before.isalnum() or before in ".,!?")):
            inside[start:i] = True
            state = False
    if state:
        inside[start:] = True
    return inside


_MIX = np.uint64(0x9E3779B97F4A7C15)
_LOW = np.uint64(0xFFFFFFFF)


def unquoted_shingles(doc: Normalized, mask: np.ndarray | None = None, hasher: TokenHasher | None = None) -> np.ndarray:
    """The distinct word 3-gram hashes (as the fingerprints hash them, sorted) of the 3-grams of
    `doc` whose words all lie outside quotation marks (`mask`: `quoted` of its text)."""
    mask = quoted(doc.text) if mask is None else mask
    if len(doc.tokens) < 3:
        return np.empty(0, dtype=np.uint32)
    outside = ~mask[np.fromiter(doc.starts, dtype=np.int64, count=len(doc.starts))]
    hashes = (hasher or TokenHasher())(doc.tokens)
    # `fingerprint._shingle_minhash`'s gram hash at every position: acc = acc * MIX + h over
    # the three token hashes (wrapping), then the high half xor the low half
    acc = (hashes[:-2] * _MIX + hashes[1:-1]) * _MIX + hashes[2:]
    grams = ((acc >> np.uint64(32)) ^ (acc & _LOW)).astype(np.uint32)
    return np.unique(grams[outside[:-2] & outside[1:-1] & outside[2:]])


def _mark_outside(pairs: np.ndarray, fp: Fingerprints, stats: CorpusStats) -> np.ndarray:
    """`stats.shingle_outside`, filled in for every document of `pairs` (each read once per scan:
    only a text with a quotation mark can have a 3-gram inside one)."""
    values, offsets = _flat_shingles(fp)
    if stats.shingle_outside is None:
        stats.shingle_outside = np.ones(len(values), dtype=np.uint8)
        stats.outside_known = np.zeros(len(offsets) - 1, dtype=bool)
    todo = np.unique(pairs)
    todo = todo[~stats.outside_known[todo]]
    if len(todo) and stats.documents is None:
        raise ValueError("corpus_stats needs the documents to read their quotation marks")
    hasher = TokenHasher()
    for d in todo.tolist():
        doc = stats.documents[d]
        text = doc.doc.text if isinstance(doc, Normalized) else doc.text
        if may_quote(text):
            mask = quoted(text)
            if mask.any():
                from ..text.normalize import normalize

                norm = doc if isinstance(doc, Normalized) else normalize(doc)
                lo, hi = offsets[d], offsets[d + 1]
                own, free = values[lo:hi], unquoted_shingles(norm, mask, hasher)  # both sorted
                at = np.minimum(np.searchsorted(free, own), max(len(free) - 1, 0))
                stats.shingle_outside[lo:hi] = (free[at] == own) if len(free) else 0
        stats.outside_known[d] = True
    return stats.shingle_outside


def unquoted_shares(pairs: np.ndarray, fp: Fingerprints, stats: CorpusStats) -> np.ndarray:
    """Per pair: the share of the word 3-grams both texts have that each of them has outside
    quotation marks (0 when they share none)."""
    outside = _mark_outside(pairs, fp, stats)
    values, offsets = _flat_shingles(fp)
    out = np.zeros(len(pairs), dtype=np.float64)
    _unquoted(np.ascontiguousarray(pairs[:, 0], dtype=np.int64), np.ascontiguousarray(pairs[:, 1], dtype=np.int64),
              values, offsets, outside, out)
    return out


@numba.njit(cache=True, nogil=True)
def _unquoted(left, right, values, offsets, outside, out):
    for p in range(len(left)):
        i, j = left[p], right[p]
        a, a_end, b, b_end = offsets[i], offsets[i + 1], offsets[j], offsets[j + 1]
        inter = 0
        free = 0
        while a < a_end and b < b_end:
            va, vb = values[a], values[b]
            if va == vb:
                inter += 1
                free += outside[a] & outside[b]
                a += 1
                b += 1
            elif va < vb:
                a += 1
            else:
                b += 1
        out[p] = free / inter if inter else 0.0


def session_conflicts(pairs: np.ndarray, stats: CorpusStats) -> np.ndarray:
    """Per pair: 1 when both headings name sessions or times of day (`sessions`) and not the
    same ones (the opening and the closing snapshot of one market), else 0."""
    if len(pairs) and stats.documents is None:
        raise ValueError("corpus_stats needs the documents to read their headings")
    known = stats.sessions
    for d in np.unique(pairs).tolist():
        if d not in known:
            doc = stats.documents[d]
            known[d] = sessions(heading(doc.doc if isinstance(doc, Normalized) else doc))
    return np.array([float(bool(known[i]) and bool(known[j]) and known[i] != known[j])
                     for i, j in pairs.tolist()], dtype=np.float64)


def feature_matrix(columns: Mapping[str, np.ndarray], names: Sequence[str] = NAMES) -> np.ndarray:
    """The (pairs x len(names)) float64 matrix of named columns (a model's own features: one
    trained before a feature was added keeps working)."""
    return np.column_stack([np.asarray(columns[name], dtype=np.float64) for name in names])


def pair_columns(pairs: np.ndarray, fp: Fingerprints, stats: CorpusStats, make_rows,
                 sentence_match: float, features=None, gate=None) -> dict[str, np.ndarray]:
    """Every feature column of `pairs`, plus the directional numbers a Match records
    (``contain_ab``, ``contain_ba``, ``aligned_a``, ``aligned_b``).

    The sentence alignment, most of the cost, is computed only for the pairs `gate`
    (a function of the containment and cosine arrays) lets through, or for all without
    one; the others get an alignment of 0.  `make_rows` makes the sentence rows of chosen
    documents (`pairwise.SentenceRows`); `features` computes `pairwise.pair_feature_arrays`
    (the compiled kernel: cosine, terms, alignment), as an executor schedules it."""
    if features is None:
        from .pairwise import pair_feature_arrays as features

    columns = overlap_features(pairs, fp, stats)
    _, cosine, _, _, terms_ab, terms_ba = features(pairs, fp, None, sentence_match)
    columns["cosine"] = cosine.astype(np.float64)
    columns["terms_max"] = np.maximum(terms_ab, terms_ba).astype(np.float64)
    columns["terms_min"] = np.minimum(terms_ab, terms_ba).astype(np.float64)
    aligned_a = np.zeros(len(pairs))
    aligned_b = np.zeros(len(pairs))
    chosen = np.flatnonzero(gate(columns["contain_max"], columns["cosine"])) if gate is not None \
        else np.arange(len(pairs))
    if len(chosen):
        subset = pairs[chosen]
        rows = make_rows(np.unique(subset))
        _, _, a, b, _, _ = features(subset, fp, rows, sentence_match)
        aligned_a[chosen] = a
        aligned_b[chosen] = b
    columns["aligned_a"], columns["aligned_b"] = aligned_a, aligned_b
    columns["unquoted_share"] = np.zeros(len(pairs))
    columns["session_conflict"] = np.zeros(len(pairs))
    if len(chosen):
        columns["unquoted_share"][chosen] = unquoted_shares(pairs[chosen], fp, stats)
        columns["session_conflict"][chosen] = session_conflicts(pairs[chosen], stats)
    columns["aligned_max"] = np.maximum(aligned_a, aligned_b)
    columns["aligned_min"] = np.minimum(aligned_a, aligned_b)
    return columns
