"""One options object per concern, validated on construction.

Thresholds were set on the development corpora in ../shared/data (see the README's
quality section); there are no per-corpus switches.
"""
from __future__ import annotations

import os
import sys
import types
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

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
    source, title and url. None: the first of the common names present (read.FIELD_ALIASES:
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
# One TOML file serves scan and watch: ScanOptions' and WatchOptions' plain fields at the top
# level, their nested options as tables ([fingerprint], [candidates], [verify], [fetch]).

CONFIG_TABLES: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "fingerprint": ("scan", "fingerprint"), "candidates": ("scan", "candidates"), "verify": ("scan", "verify"),
    "diff": ("scan", "diff"), "read": ("scan", "read"), "fetch": ("fetch",),
})
"""The settings file's tables and where each sits in WatchOptions."""

RENAMED_KEYS: Mapping[str, str] = MappingProxyType({
    "verify.diff_match": "diff.match", "verify.copy_kept": "diff.copy_kept",
    "verify.partial_added": "diff.partial_added", "verify.partial_facts": "diff.partial_facts",
})
"""Settings keys of earlier versions, still read under their new names (the diff thresholds sat
in [verify] before they had their own [diff] table)."""


def _config_layout() -> dict[str, tuple[type, tuple[str, ...]]]:
    """Each settings-file key ("min_words", "verify.threshold") -> (the options class that owns
    it, its path in WatchOptions)."""
    layout: dict[str, tuple[type, tuple[str, ...]]] = {}
    tables = set(CONFIG_TABLES)
    for owner, prefix in ((ScanOptions, ("scan",)), (WatchOptions, ())):
        for f in fields(owner):
            if f.name not in tables and f.name != "scan":
                layout[f.name] = (owner, (*prefix, f.name))
    for table, path in CONFIG_TABLES.items():
        cls = _field_types(WatchOptions if path[0] != "scan" else ScanOptions)[path[-1]]
        for f in fields(cls):
            layout[f"{table}.{f.name}"] = (cls, (*path, f.name))
    return layout


def _field_types(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _fits(value: Any, hint: Any) -> Any:
    """`value` (as TOML gives it) converted to `hint`, or raise TypeError."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        for arg in args:
            if arg is type(None):
                continue
            try:
                return _fits(value, arg)
            except TypeError:
                pass
        raise TypeError(" or ".join(_kind(a) for a in args if a is not type(None)))
    if hint is bool:
        if isinstance(value, bool):
            return value
    elif hint is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    elif hint is float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
    elif hint is str:
        if isinstance(value, str):
            return value
    elif origin is tuple:
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return tuple(value)
    elif origin is dict:
        if isinstance(value, dict) and all(isinstance(v, str) for v in value.values()):
            return dict(value)
    else:  # a type this loader does not know: the options' own checks decide
        return value
    raise TypeError(_kind(hint))


def _kind(hint: Any) -> str:
    origin = typing.get_origin(hint)
    if origin is tuple:
        return "a list of strings"
    if origin is dict:
        return "a table of strings"
    return {bool: "true or false", int: "an integer", float: "a number", str: "a string"}.get(hint, str(hint))


def read_config(path: str | os.PathLike) -> dict[str, Any]:
    """The settings of a TOML file as {"verify.threshold": 0.9, "min_words": 40, ...}, each checked
    for its name and type (not yet its range: `apply_settings` builds the options, which do).

    A relative ``verify.model`` is read from the settings file's folder. Raises OptionsError
    naming the file and the key.
    """
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10 reads TOML with tomli
        import tomli as tomllib

    where = os.fspath(path)
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except OSError as exc:
        raise OptionsError(f"{where}: cannot read the settings file: {exc.strerror or exc}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise OptionsError(f"{where}: not valid TOML: {exc}") from None
    layout = _config_layout()
    settings: dict[str, Any] = {}
    for key, value in data.items():
        if key in CONFIG_TABLES:
            if not isinstance(value, dict):
                raise OptionsError(f"{where}: {key}: expected a table [{key}]")
            items = [(f"{key}.{name}", v) for name, v in value.items()]
        else:
            items = [(key, value)]
        for name, v in items:
            name = RENAMED_KEYS.get(name, name)
            if name not in layout:
                raise OptionsError(f"{where}: unknown key {name!r}{_suggest(name, layout)}")
            owner, option_path = layout[name]
            try:
                settings[name] = _fits(v, _field_types(owner)[option_path[-1]])
            except TypeError as exc:
                raise OptionsError(f"{where}: {name}: expected {exc}, got {v!r}") from None
    model = settings.get("verify.model")
    if model and not os.path.isabs(model):
        settings["verify.model"] = os.path.join(os.path.dirname(os.path.abspath(where)), model)
    return settings


def _suggest(name: str, layout: Mapping[str, Any]) -> str:
    import difflib

    close = difflib.get_close_matches(name, list(layout), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def apply_settings(options: WatchOptions, settings: Mapping[str, Any], where: str = "settings") -> WatchOptions:
    """`options` with `settings` ({"verify.threshold": 0.9, "fetch.timeout": 5, ...}) applied, each
    options object rebuilt once (so that "engine" and "scheduler" may change together). The options
    check the new values; a bad one raises OptionsError naming `where`."""
    layout = _config_layout()
    changes: dict[tuple[str, ...], Any] = {}
    for name, value in settings.items():
        name = RENAMED_KEYS.get(name, name)
        if name not in layout:
            raise OptionsError(f"{where}: unknown key {name!r}{_suggest(name, layout)}")
        changes[layout[name][1]] = value
    try:
        return _rebuild(options, changes)
    except OptionsError as exc:
        raise OptionsError(f"{where}: {exc}") from None


def _rebuild(obj: Any, changes: Mapping[tuple[str, ...], Any]) -> Any:
    if not changes:
        return obj
    direct = {path[0]: value for path, value in changes.items() if len(path) == 1}
    nested: dict[str, dict[tuple[str, ...], Any]] = {}
    for path, value in changes.items():
        if len(path) > 1:
            nested.setdefault(path[0], {})[path[1:]] = value
    direct.update({head: _rebuild(getattr(obj, head), inner) for head, inner in nested.items()})
    return replace(obj, **direct)


def option_docs(cls: type) -> dict[str, str]:
    """Each field's docstring (the string literal under it), on one line."""
    import ast
    import inspect
    import textwrap

    tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))
    body = tree.body[0].body  # type: ignore[attr-defined]
    docs: dict[str, str] = {}
    for stmt, after in zip(body, body[1:]):
        if (isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and isinstance(after, ast.Expr)
                and isinstance(after.value, ast.Constant) and isinstance(after.value.value, str)):
            docs[stmt.target.id] = " ".join(after.value.value.split())
    return docs


def options_table() -> str:
    """The Markdown table of every settings-file key, its default and its meaning (the README's)."""
    layout = _config_layout()
    defaults = WatchOptions()
    rows = ["| key | default | meaning |", "|---|---|---|"]
    for name, (owner, path) in layout.items():
        value: Any = defaults
        for part in path:
            value = getattr(value, part)
        doc = option_docs(owner).get(path[-1], "")
        if owner in (WatchOptions, FetchOptions):
            doc = f"(watch) {doc}"
        rows.append(f"| `{name}` | {_toml_value(value)} | {doc.replace('|', '&#124;')} |")
    return "\n".join(rows) + "\n"


def _toml_value(value: Any) -> str:
    if value is None:
        return "unset"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, str):
        return f'`"{value}"`'
    return f"`{value}`"
