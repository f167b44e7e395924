"""JSON text of reports: the standard library's indented output, written faster.

The documents themselves (`Report.to_dict`, `WatchResult.to_dict`) are in model.py; this module
only turns such plain values into text, byte for byte as ``json.dumps`` would."""
from __future__ import annotations

import json
from collections.abc import Callable
from itertools import chain
from json.encoder import encode_basestring
from typing import Any

from ..gcpause import collector_paused


def json_document(make: Callable[[], Any], indent: int | str | None = 2) -> str:
    """``json.dumps(make(), indent=indent, ensure_ascii=False) + "\\n"``, written by `indented_json`
    when indented, with the collector paused (a report is half a million values and no cycles)."""
    with collector_paused():
        if indent is None:
            return json.dumps(make(), ensure_ascii=False) + "\n"
        return indented_json(make(), indent) + "\n"


def indented_json(value: Any, indent: int | str = 2) -> str:
    """``json.dumps(value, indent=indent, ensure_ascii=False)``, the same text, about three times
    faster (a Reuters-21578 report, 23 MB: 0.20 s of CPU instead of 0.61 s).

    The standard library writes indented JSON with its pure-Python encoder, a generator step per
    token, and a report holds half a million values.  Here each container is one join and each
    value of the common types one C call; and the bulk of a report -- lists of scalars, and
    lists or tables of dicts that all have the same keys and scalar values (diff segments, the
    texts) -- is written by `_flat_json` with one ``%`` format over the whole container.

    >>> indented_json({"a": [1, "x"], "b": {}})
    '{\\n  "a": [\\n    1,\\n    "x"\\n  ],\\n  "b": {}\\n}'
    """
    step = indent if isinstance(indent, str) else " " * indent
    plain = _PLAIN_JSON
    keys = _KeyTexts()
    layouts: dict[tuple, str] = {}

    def text(o: Any, newline: str) -> str:
        write = plain.get(type(o))
        if write is not None:
            return write(o)
        if not isinstance(o, (list, tuple, dict)):
            return _json_scalar(o)
        is_dict = isinstance(o, dict)
        if not o:
            return "{}" if is_dict else "[]"
        out = _flat_json(o, newline, step, layouts)
        if out is not None:
            return out
        inner = newline + step
        if not is_dict:
            return "".join(("[", inner, ("," + inner).join([text(v, inner) for v in o]), newline, "]"))
        items = [(keys[k] if type(k) is str else _json_key(k)) + ": "
                 + (write(v) if (write := plain.get(type(v))) is not None else text(v, inner))
                 for k, v in o.items()]
        return "".join(("{", inner, ("," + inner).join(items), newline, "}"))

    return text(value, "\n")


def _flat_json(o: Any, newline: str, step: str, layouts: dict[tuple, str]) -> str | None:
    """The indented text of a non-empty list (or tuple) of plain scalars, or a list or dict of
    dicts that all have the same keys, in the same order, and plain scalar values; None for
    any other container.

    Such a container is written without a Python step per value: the values are gathered
    with C iterators, turned to text a column at a time (strings by one ``map`` of the C
    string encoder; ints need nothing, as ``%d`` writes them), and put into one format
    string that repeats the entry's layout (kept in `layouts`)."""
    inner = newline + step
    kind = type(o)
    if kind is list or kind is tuple:
        kinds = set(map(type, o))
        if kinds <= _SCALARS:
            return "".join(("[", inner, ("," + inner).join(_scalar_texts(o, kinds)), newline, "]"))
        if kinds != {dict}:
            return None
        dicts, names = o, None
    elif kind is dict and set(map(type, o.values())) == {dict}:
        dicts, names = list(o.values()), list(o)
    else:
        return None
    shapes = set(map(tuple, dicts))
    if len(shapes) != 1:
        return None
    fields = shapes.pop()
    if not fields:
        return None  # empty dicts: "{}"
    width = len(fields)
    values = list(chain.from_iterable(map(dict.values, dicts)))  # row by row
    formats = []
    for j in range(width):
        kinds = set(map(type, values[j::width]))
        if not kinds <= _SCALARS:
            return None
        if kinds == {int}:
            formats.append("%d")
        else:
            values[j::width] = _scalar_texts(values[j::width], kinds)
            formats.append("%s")
    layout = (fields, *formats, newline, names is None)
    entry = layouts.get(layout)
    if entry is None:
        deep = inner + step
        entry = layouts[layout] = (
            ("" if names is None else "%s: ") + "{" + _escape(deep)
            + _escape("," + deep).join(_escape(_json_key(field)) + ": " + form
                                         for field, form in zip(fields, formats))
            + _escape(inner) + "}")
    if names is not None:  # each row starts with its key
        rows = [None] * (len(values) + len(names))
        rows[::width + 1] = (_scalar_texts(names, {str}) if set(map(type, names)) == {str}
                             else map(_json_key, names))
        for j in range(width):
            rows[j + 1::width + 1] = values[j::width]
        values = rows
    body = _escape("," + inner).join([entry] * len(dicts)) % tuple(values)
    return "".join(("[", inner, body, newline, "]") if names is None else ("{", inner, body, newline, "}"))


_SCALARS = frozenset({str, int, float, bool, type(None)})
"""Exact types that `_flat_json` writes (the keys of `_PLAIN_JSON`)."""


def _scalar_texts(values: Any, kinds: set[type]):
    """JSON texts of plain scalars whose exact types are `kinds`, as an iterator."""
    if len(kinds) == 1:
        return map(_PLAIN_JSON[next(iter(kinds))], values)
    return map(_scalar_text, values)


def _scalar_text(value: Any) -> str:
    return _PLAIN_JSON[type(value)](value)


def _escape(literal: str) -> str:
    """`literal` as part of a ``%`` format."""
    return literal.replace("%", "%%")


def _json_float(value: float) -> str:
    if value != value:
        return "NaN"
    if value == float("inf"):
        return "Infinity"
    if value == -float("inf"):
        return "-Infinity"
    return float.__repr__(value)


_PLAIN_JSON: dict[type, Callable[[Any], str]] = {
    str: encode_basestring, int: int.__repr__, float: _json_float, bool: lambda v: "true" if v else "false",
    type(None): lambda v: "null",
}
"""Exact types written without looking further (subclasses go the standard library's way)."""


class _KeyTexts(dict):
    """str key -> its JSON text, written once per distinct key."""

    def __missing__(self, key: str) -> str:
        text = self[key] = encode_basestring(key)
        return text


def _json_scalar(o: Any) -> str:
    # json.encoder's order of tests, for subclasses of the plain types
    if isinstance(o, str):
        return encode_basestring(o)
    if isinstance(o, int):
        return int.__repr__(o)
    if isinstance(o, float):
        return _json_float(o)
    raise TypeError(f"Object of type {o.__class__.__name__} is not JSON serializable")


def _json_key(key: Any) -> str:
    if isinstance(key, str):
        return encode_basestring(key)
    if isinstance(key, float):
        return encode_basestring(_json_float(key))
    if key is True or key is False or key is None:
        return encode_basestring({True: "true", False: "false", None: "null"}[key])
    if isinstance(key, int):
        return encode_basestring(int.__repr__(key))
    raise TypeError(f"keys must be str, int, float, bool or None, not {key.__class__.__name__}")
