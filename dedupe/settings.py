"""The settings file: every option of config.py as a key of one TOML file (``--config FILE``),
read and checked here, applied to the options objects, and listed in docs/settings.md
(`options_table`).

    >>> options = apply_settings(WatchOptions(), read_config("dedupe.toml"))  # doctest: +SKIP
"""
from __future__ import annotations

import os
import sys
import types
import typing
from collections.abc import Mapping
from dataclasses import fields, replace
from types import MappingProxyType
from typing import Any

from .config import FetchOptions, ScanOptions, WatchOptions
from .errors import OptionsError


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
