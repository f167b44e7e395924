"""One options object per concern, validated on construction (the settings file that sets them:
settings.py).

Thresholds were set on the development corpora in ../shared/data (see the README's
quality section); there are no per-corpus switches.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING

from .errors import OptionsError
from .stages.outlets import AGENCY_SCRIPTS, WIRE_AGENCIES, outlet_key

if TYPE_CHECKING:
    from .stages.verifier import Verifier


def _check(cond: bool, message: str) -> None:
    if not cond:
        raise OptionsError(message)


@dataclass(frozen=True)
class FingerprintOptions:
    """How texts become MinHash signatures."""

    num_perm: int = 128
    """MinHash permutations per text (8..1024): more find near-copies more surely, at more cost."""
    seed: int = 1
    """Seed of the MinHash permutations and the LSH bands."""
    shingle_size: int = 3
    """Words per shingle (1..9)."""

    def __post_init__(self) -> None:
        _check(8 <= self.num_perm <= 1024, f"num_perm must be 8..1024, got {self.num_perm}")
        _check(1 <= self.shingle_size <= 9, f"shingle_size must be 1..9, got {self.shingle_size}")


@dataclass(frozen=True)
class CandidateOptions:
    """LSH banding for the two candidate routes. Bands are chosen for recall:
    precision comes from verification."""

    shingle_bands: int = 64
    """LSH bands over the MinHash signature (bands x rows at most 1024)."""
    shingle_rows: int = 2
    """Signature rows per LSH band: more rows, fewer and closer candidates."""
    max_bucket: int = 200
    """Texts sharing one LSH bucket beyond which the bucket is boilerplate and is not paired."""
    max_df: int = 100
    """Texts a word may occur in and still count as rare (the route that finds rewrites)."""
    min_shared: int = 4
    """Rare words two texts must share to be a candidate pair."""
    min_share: float = 0.10
    """...and the share of the smaller text's rare words they must be."""

    def __post_init__(self) -> None:
        _check(self.shingle_bands * self.shingle_rows <= 1024, "shingle bands x rows exceeds 1024")
        _check(self.max_df >= 2, "max_df must be at least 2")
        _check(self.min_shared >= 1, "min_shared must be at least 1")
        _check(0.0 <= self.min_share <= 1.0, "min_share must be between 0 and 1")
        _check(self.max_bucket >= 2, "max_bucket must be at least 2")


@dataclass(frozen=True)
class VerifyOptions:
    """Which candidate pairs are linked (the verifier)."""

    model: str | None = None
    """A verifier model written by `dedupe train` (JSON); unset: the one shipped in the package."""
    threshold: float | None = None
    """Link a pair when the verifier's probability is at least this; unset: the model's own
    (chosen in training for a cross-validated precision of 0.95)."""
    sentence_match: float = 0.20
    """TF-IDF cosine at which two sentences may be aligned (a verifier feature)."""

    def __post_init__(self) -> None:
        _check(self.threshold is None or 0.0 <= self.threshold <= 1.0,
               f"threshold must be between 0 and 1, got {self.threshold}")
        _check(0.0 <= self.sentence_match <= 1.0, f"sentence_match must be between 0 and 1, got {self.sentence_match}")

    def verifier(self) -> "Verifier":
        """The verifier these options name, with their threshold."""
        from .stages.verifier import Verifier

        model = Verifier.default() if self.model is None else Verifier.load(self.model)
        return model if self.threshold is None else model.with_threshold(self.threshold)


@dataclass(frozen=True)
class DiffOptions:
    """How a linked copy is marked against its parent (kept / reworded / added) and which relation
    the marks make (copy, rewrite, partial)."""

    match: float = 0.30
    """TF-IDF cosine at which a copy's sentence counts as a rewording of an original's sentence."""
    copy_kept: float = 0.85
    """A derived text is a `copy` when at least this share of what it took is verbatim."""
    partial_added: float = 0.10
    """A derived text is `partial` when over this share of it is added..."""
    partial_facts: int = 3
    """...and the added text names at least this many people, places or figures the original does not."""

    def __post_init__(self) -> None:
        _check(self.partial_facts >= 0, f"partial_facts must be at least 0, got {self.partial_facts}")
        for name in ("match", "copy_kept", "partial_added"):
            value = getattr(self, name)
            _check(0.0 <= value <= 1.0, f"{name} must be between 0 and 1, got {value}")


@dataclass(frozen=True)
class ReadOptions:
    """Which fields of a record (a JSON object, a CSV row, a Parquet row) hold the id, text, date,
    source, title and url. None: the first of the common names present (stages.read.FIELD_ALIASES:
    ``content``/``body`` for the text, ``date``/``pubDate``/``published_at`` for the date, ...)."""

    id_field: str | None = None
    """The field holding a record's id; unset: ``id`` (or a common alias)."""
    text_field: str | None = None
    """The field holding the article text; unset: ``text``, ``content``, ``body``..."""
    date_field: str | None = None
    """The field holding the publication date; unset: ``published``, ``date``, ``pubDate``..."""
    source_field: str | None = None
    """The field holding the outlet; unset: ``source`` (or a common alias)."""
    title_field: str | None = None
    """The field holding the headline; unset: ``title``, ``headline``..."""
    url_field: str | None = None
    """The field holding the article's address; unset: ``url``, ``link``..."""

    def __post_init__(self) -> None:
        for name in ("id_field", "text_field", "date_field", "source_field", "title_field", "url_field"):
            value = getattr(self, name)
            _check(value is None or (isinstance(value, str) and value.strip() != ""),
                   f"{name} must be a non-empty field name, got {value!r}")


@dataclass(frozen=True)
class ScanOptions:
    """Everything a scan needs; built once (by the CLI or the caller) and passed down."""

    fingerprint: FingerprintOptions = FingerprintOptions()
    candidates: CandidateOptions = CandidateOptions()
    verify: VerifyOptions = VerifyOptions()
    diff: DiffOptions = DiffOptions()
    min_words: int = 20
    """Texts with fewer words are skipped (and listed in the report)."""
    jobs: int = 1
    """Processes (local engine), or local Dask workers (dask engine without a scheduler)."""
    agencies: tuple[str, ...] | dict[str, str] | None = None
    """Wire agencies to recognise: a list of names, or a table of alias = name; unset: the built-in list."""
    engine: str = "local"
    """Where the heavy stages run: "local" or "dask"."""
    scheduler: str | None = None
    """Dask scheduler address with engine "dask", e.g. "tcp://10.0.0.5:8786"; unset: a local cluster."""
    read: ReadOptions = ReadOptions()
    """The input records' field names."""

    def __post_init__(self) -> None:
        _check(self.min_words >= 1, f"min_words must be at least 1, got {self.min_words}")
        _check(self.jobs >= 1, f"jobs must be at least 1, got {self.jobs}")
        _check(self.engine in ("local", "dask"), f"engine must be 'local' or 'dask', got {self.engine!r}")
        _check(self.scheduler is None or self.engine == "dask",
               "a scheduler address needs engine='dask'")

    def attribution(self) -> AttributeOptions:
        """How origins are named under these options (their agency list)."""
        return AttributeOptions() if self.agencies is None else AttributeOptions(agencies=self.agencies)


@dataclass(frozen=True)
class AttributeOptions:
    """How origins are named. `agencies` is the wire-agency list: a mapping of lower-case name
    or alias to the name to report, or a plain list of names.

    >>> AttributeOptions(agencies={**WIRE_AGENCIES, "mpa": "Meridian Press Agency"})  # doctest: +SKIP
    >>> AttributeOptions(agencies=["Reuters", "AP", "ANP"])  # doctest: +SKIP
    """

    agencies: Mapping[str, str] | Sequence[str] = field(default_factory=lambda: WIRE_AGENCIES)
    claim_contained: float = 0.5
    """Share of a claimant's text found in the chosen text that overrules its claim (rule 4)."""
    _keys: Mapping[str, str] = field(init=False, repr=False, compare=False, default_factory=dict)

    def __post_init__(self) -> None:
        if isinstance(self.agencies, str):
            raise OptionsError("agencies must be a list of names or a mapping, not one string")
        pairs = (self.agencies.items() if isinstance(self.agencies, Mapping)
                 else ((name, name) for name in self.agencies))
        table: dict[str, str] = {}
        for alias, name in pairs:
            if not (isinstance(alias, str) and isinstance(name, str) and alias.strip() and name.strip()):
                raise OptionsError(f"agencies must map names to names, got {alias!r}: {name!r}")
            table[" ".join(alias.lower().split())] = name.strip()
        if not 0.0 <= self.claim_contained <= 1.0:
            raise OptionsError(f"claim_contained must be between 0 and 1, got {self.claim_contained}")
        object.__setattr__(self, "agencies", MappingProxyType(table))
        keys = {outlet_key(name): name for name in table.values()}
        keys.update((outlet_key(alias), name) for alias, name in table.items())
        keys.pop("", None)
        object.__setattr__(self, "_keys", MappingProxyType(keys))

    def agency(self, name: str | None) -> str | None:
        """The agency's reporting name when `name` is on the list ("Press Association" -> "PA")."""
        if not name:
            return None
        norm = " ".join(name.lower().split())
        latin = AGENCY_SCRIPTS.get(norm)
        if latin is not None:
            return self.agencies.get(latin.lower()) or self._keys.get(outlet_key(latin))
        return self.agencies.get(norm) or self._keys.get(outlet_key(name))


@dataclass(frozen=True)
class FetchOptions:
    """How feeds and pages are fetched."""

    timeout: float = 20.0
    """Seconds allowed for a whole response, connection included."""
    max_bytes: int = 5_000_000
    """Largest response read, in bytes after decompression."""
    max_redirects: int = 5
    """Redirects followed per request."""
    delay: float = 1.0
    """Seconds between two requests to the same host."""
    user_agent: str = ""
    """User-Agent header; empty: dedupe's own, with its version."""
    allow_private: bool = False
    """Also fetch pages from loopback and private addresses."""

    def __post_init__(self) -> None:
        _check(0 < self.timeout <= 600, f"timeout must be between 0 and 600 seconds, got {self.timeout}")
        _check(1_000 <= self.max_bytes <= 1_000_000_000, f"max_bytes must be 1000..1e9, got {self.max_bytes}")
        _check(0 <= self.max_redirects <= 20, f"max_redirects must be 0..20, got {self.max_redirects}")
        _check(0 <= self.delay <= 60, f"delay must be between 0 and 60 seconds, got {self.delay}")


@dataclass(frozen=True)
class WatchOptions:
    """Everything a watch run needs; `scan` holds the analysis options shared with ``dedupe scan``."""

    scan: ScanOptions = ScanOptions()
    fetch: FetchOptions = FetchOptions()
    fetch_pages: bool = True
    """Fetch the article page of feed entries that carry only a summary."""
    wait: float = 60.0
    """Seconds to wait for another run that holds the store."""
    keep_days: int | None = None
    """Drop articles older than this many days; unset: keep all."""
    max_component: int = 5000
    """Articles read at most to recompute the stories around a new article."""

    def __post_init__(self) -> None:
        _check(0 <= self.wait <= 86400, f"wait must be 0..86400 seconds, got {self.wait}")
        _check(self.keep_days is None or self.keep_days >= 1, f"keep_days must be at least 1, got {self.keep_days}")
        _check(self.max_component >= 10, f"max_component must be at least 10, got {self.max_component}")


# -- settings files -------------------------------------------------------------------------------
#
