"""The plain values a store takes and hands back (articles, links, feed states, the index
layout), and how texts become index entries (band keys, term ids)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

import numpy as np
import xxhash

from ..config import CandidateOptions, FingerprintOptions
from ..model import Document, Match, Scores, published_instant


@dataclass(frozen=True)
class IndexLayout:
    """The parameters the index was built with; a store only accepts the same ones.

    `probe` is a digest of the index entries (band keys, word ids) that the running
    code makes for a fixed text: options alone do not show a change in how texts are
    normalised, hashed or stemmed, after which old entries would silently stop
    matching new articles.  Empty: not checked.
    """

    num_perm: int
    seed: int
    shingle_size: int
    bands: int
    rows: int
    probe: str = ""

    @classmethod
    def of(cls, fingerprint: FingerprintOptions, candidates: CandidateOptions, probe: str = "") -> "IndexLayout":
        return cls(fingerprint.num_perm, fingerprint.seed, fingerprint.shingle_size,
                   candidates.shingle_bands, candidates.shingle_rows, probe)

    def as_meta(self) -> dict[str, str]:
        return {f"index.{k}": str(v) for k, v in self.__dict__.items() if k != "probe" or v}


@dataclass(frozen=True)
class StoredArticle:
    """One stored version of an article."""

    id: int
    key: str
    version: int
    current: bool
    url: str | None
    guid: str | None
    feed: str | None
    source: str | None
    published: str | None
    title: str | None
    seen: str
    run: int
    content_hash: str
    entry_hash: str | None
    words: int
    skipped: str | None
    story: int | None
    parent: int | None
    relation: str | None
    text: str | None = None  # loaded only when asked for

    def document(self) -> Document:
        """The version as a Document; its id is the article's key."""
        meta = {k: v for k, v in (("guid", self.guid), ("feed", self.feed), ("version", self.version)) if v}
        return Document(id=self.key, text=self.text or "", source=self.source, published=self.published,
                        title=self.title, url=self.url, meta=meta)


@dataclass(frozen=True)
class NewArticle:
    """What the caller knows about an article version it wants stored."""

    key: str
    doc: Document
    content_hash: str
    words: int
    skipped: str | None = None
    guid: str | None = None
    feed: str | None = None
    entry_hash: str | None = None


@dataclass(frozen=True)
class FeedState:
    url: str
    title: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    checked: str | None = None
    status: str | None = None
    error: str | None = None


@dataclass(frozen=True)
class Link:
    """A verified match between two stored articles (a < b); fields oriented a -> b."""

    a: int
    b: int
    scores: Scores
    contain_ab: float
    contain_ba: float
    aligned_a: float
    aligned_b: float

    @classmethod
    def from_match(cls, match: Match, id_a: int, id_b: int) -> "Link":
        """A Link from a Match whose a/b are the articles `id_a` / `id_b` (in any order)."""
        if id_a < id_b:
            return cls(id_a, id_b, match.scores, match.contain_ab, match.contain_ba, match.aligned_a, match.aligned_b)
        return cls(id_b, id_a, match.scores, match.contain_ba, match.contain_ab, match.aligned_b, match.aligned_a)

    def match(self, index: dict[int, int]) -> Match:
        """The Match between positions `index[a]` and `index[b]` of a document list."""
        return Match(a=index[self.a], b=index[self.b], scores=self.scores, contain_ab=self.contain_ab,
                     contain_ba=self.contain_ba, aligned_a=self.aligned_a, aligned_b=self.aligned_b)


def band_keys(signature: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """31-bit keys of a MinHash signature's LSH bands (band number folded in), as uint32.

    Two signatures share a key when they agree on all `rows` values of one band,
    as in datasketch's MinHashLSH; 31 bits keep SQLite's integers at 4 bytes (a
    rare accidental clash only adds a candidate, which verification rejects)."""
    sig = np.ascontiguousarray(signature[: bands * rows], dtype="<u4")
    keys = np.empty(bands, dtype=np.uint32)
    for band in range(bands):
        keys[band] = xxhash.xxh32_intdigest(sig[band * rows:(band + 1) * rows].tobytes(), seed=band) & 0x7FFFFFFF
    return keys


def term_id(stem: str) -> int:
    """31-bit id of a stemmed content word (a clash merges two words' counts: harmless)."""
    return xxhash.xxh32_intdigest(stem.encode("utf-8")) & 0x7FFFFFFF


def utc_now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def timestamp(published: str | None, default: float) -> float:
    """Unix time of an ISO 8601 date (naive means UTC), or `default`."""
    instant = published_instant(published)
    return default if instant is None else instant
