"""Read articles from JSONL, text, Markdown and HTML files, directories and stdin."""
from __future__ import annotations

import json
import os
import re
import stat
import sys
from collections.abc import Iterable, Iterator
from datetime import datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, BinaryIO

import dateutil.parser

from .errors import InputError
from .model import Document

TEXT_SUFFIXES = {".txt", ".md"}
HTML_SUFFIXES = {".html", ".htm"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
SUPPORTED = TEXT_SUFFIXES | HTML_SUFFIXES | JSONL_SUFFIXES
OPTIONAL_FIELDS = ("source", "published", "title", "url")
DATE_FIELDS = ("date", "pubDate", "published_at", "datetime")
"""Read as ``published`` when a record has none (the first present wins)."""


def read_documents(inputs: Iterable[str | os.PathLike | Document | dict],
                   stdin: BinaryIO | None = None) -> list[Document]:
    """Read every input into Documents, refusing duplicate ids.

    Inputs may be paths (files or directories, read recursively), ``"-"`` for
    JSONL on stdin, Document objects or dicts in the JSONL shape.

    >>> [d.id for d in read_documents([{"id": "a", "text": "Storm hits coast."}])]
    ['a']
    """
    seen: dict[str, str] = {}
    out: list[Document] = []
    for doc, where in _iter_inputs(inputs, stdin):
        if doc.id in seen:
            raise InputError(where, f"duplicate id {doc.id!r} (first seen at {seen[doc.id]})")
        seen[doc.id] = where
        out.append(doc)
    return out


def _iter_inputs(inputs, stdin) -> Iterator[tuple[Document, str]]:
    if isinstance(inputs, (str, os.PathLike, Document, dict)):
        inputs = [inputs]
    for n, item in enumerate(inputs, 1):
        if isinstance(item, Document):
            yield item, f"item {n}"
        elif isinstance(item, dict):
            _check_encodable(item, f"item {n}", None)
            yield document_from_record(item, f"item {n}", None), f"item {n}"
        elif str(item) == "-":
            stream = stdin if stdin is not None else sys.stdin.buffer
            yield from read_jsonl_stream(stream, "<stdin>")
        else:
            yield from read_path(Path(item))


def read_path(path: Path) -> Iterator[tuple[Document, str]]:
    """Documents from one file, or from every supported file under a directory."""
    try:
        path.stat()
    except OSError as exc:  # a symlink loop says so, not "no such file"
        raise InputError(str(path), "no such file or directory" if isinstance(exc, FileNotFoundError)
                         else f"cannot read: {exc.strerror or exc}") from None
    if path.is_dir():
        files = sorted(p for p in path.rglob("*")
                       if p.is_file() and p.suffix.lower() in SUPPORTED
                       and not any(part.startswith(".") for part in p.relative_to(path).parts))
        for file in files:
            yield from read_file(file, file.relative_to(path).as_posix())
    elif path.exists():
        yield from read_file(path, path.as_posix())
    else:
        raise InputError(str(path), "no such file or directory")


def read_file(path: Path, doc_id: str) -> Iterator[tuple[Document, str]]:
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        raise InputError(str(path), f"unsupported file type {suffix or '(none)'!r}; "
                                    "use .jsonl, .txt, .md, .html or .htm")
    data = read_bytes(path, str(path))
    if suffix in JSONL_SUFFIXES:
        yield from read_jsonl_bytes(data, str(path))
        return
    text = decode_text(data, str(path))
    if suffix in HTML_SUFFIXES:
        yield html_document(text, doc_id, str(path)), str(path)
    elif suffix == ".md":
        yield markdown_document(text, doc_id, str(path)), str(path)
    else:
        yield Document(id=doc_id, text=text), str(path)


def read_bytes(path: str | os.PathLike, where: str, limit: int | None = None) -> bytes:
    """The bytes of a regular file (at most `limit`).

    A FIFO, a device (/dev/zero) or a socket is refused before anything is read: a
    FIFO without a writer would hang, /dev/zero never ends.  Raises InputError."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise InputError(where, "no such file") from None
    except OSError as exc:
        raise InputError(where, f"cannot read file: {exc.strerror or exc}") from None
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise InputError(where, "is a directory, not a file")
        if not stat.S_ISREG(mode):
            kind = "a FIFO" if stat.S_ISFIFO(mode) else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) \
                else "a socket" if stat.S_ISSOCK(mode) else "a special file"
            raise InputError(where, f"not a regular file ({kind}); give a file")
        os.set_blocking(fd, True)
        with os.fdopen(fd, "rb", closefd=True) as fh:
            fd = -1
            data = fh.read() if limit is None else fh.read(limit + 1)
    except OSError as exc:
        raise InputError(where, f"cannot read file: {exc.strerror or exc}") from None
    finally:
        if fd >= 0:
            os.close(fd)
    if limit is not None and len(data) > limit:
        raise InputError(where, f"larger than {limit} bytes")
    return data


UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def _not_utf8(data: bytes, where: str, expected: str) -> None:
    if data[:4] in (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff"):
        raise InputError(where, f"UTF-32 text; expected {expected} in UTF-8 (save the file as UTF-8)")
    if data[:2] in UTF16_BOMS or (len(data) >= 4 and (data[1::2][:2] == b"\0\0" or data[0::2][:2] == b"\0\0")
                                  and b"\0\0" not in data[:4]):
        raise InputError(where, f"UTF-16 text; expected {expected} in UTF-8 (save the file as UTF-8)")
    if b"\x00" in data[:8192]:
        raise InputError(where, f"binary file (NUL byte found); expected {expected}")


FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.S)
FRONT_MATTER_KEYS = {"title": "title", "source": "source", "site": "source", "outlet": "source",
                     "published": "published", "date": "published", "url": "url"}


def markdown_document(text: str, doc_id: str, where: str) -> Document:
    """A Markdown file; simple ``key: value`` front matter supplies title, source, date and url."""
    m = FRONT_MATTER.match(text)
    if not m:
        return Document(id=doc_id, text=text)
    fields: dict[str, str] = {}
    meta: dict[str, str] = {}
    for line in m.group(1).splitlines():
        key, sep, value = line.partition(":")
        value = value.strip().strip("\"'")
        if not sep or not value:
            continue
        name = FRONT_MATTER_KEYS.get(key.strip().lower())
        if name and name not in fields:
            fields[name] = value
        else:
            meta[key.strip()] = value
    if "published" in fields:
        try:
            fields["published"] = normalize_timestamp(fields["published"], where, None)
        except InputError:
            del fields["published"]
    return Document(id=doc_id, text=text[m.end():], meta=meta, **fields)


def decode_text(data: bytes, where: str) -> str:
    """UTF-8 text (a BOM is dropped); UTF-16, binary or undecodable bytes are an InputError."""
    _not_utf8(data, where, "text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputError(where, f"undecodable bytes (not UTF-8) at byte {exc.start}", line) from None


def read_jsonl_stream(stream: BinaryIO, where: str) -> Iterator[tuple[Document, str]]:
    for lineno, raw in enumerate(stream, 1):
        doc = _jsonl_line(raw, where, lineno)
        if doc is not None:
            yield doc, f"{where}:{lineno}"


def read_jsonl_bytes(data: bytes, where: str) -> Iterator[tuple[Document, str]]:
    _not_utf8(data, where, "JSON lines")
    for lineno, raw in enumerate(data.splitlines(), 1):
        doc = _jsonl_line(raw, where, lineno)
        if doc is not None:
            yield doc, f"{where}:{lineno}"


def _jsonl_line(raw: bytes, where: str, lineno: int) -> Document | None:
    try:
        line = raw.decode("utf-8-sig" if lineno == 1 else "utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(where, f"undecodable bytes (not UTF-8) at column {exc.start + 1}",
                         lineno) from None
    if not line.strip():
        return None
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise InputError(where, f"not valid JSON ({exc.msg} at column {exc.colno})", lineno) from None
    except RecursionError:
        raise InputError(where, "JSON nested too deeply", lineno) from None
    except ValueError as exc:  # e.g. an integer of more than 4300 digits
        raise InputError(where, f"not usable JSON ({str(exc).split(':')[0]})", lineno) from None
    if "\\u" in line:  # only an escape can make a lone surrogate, which no file can be written with
        _check_encodable(record, where, lineno)
    return document_from_record(record, where, lineno)


def _check_encodable(value: Any, where: str, line: int | None, path: str = "") -> None:
    """Refuse a string holding a lone surrogate (``"\\udcff"``), naming the field and the id."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise InputError(where, f"{path or 'a value'} holds a lone surrogate "
                                    f"({value[exc.start]!r} at character {exc.start + 1}), which is not text", line) from None
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_encodable(key, where, line, path)
            name = key if not path else f"{path}.{key}"
            if path == "" and isinstance(value.get("id"), (str, int)) and key != "id":
                name = f"{key!r} (id {str(value['id'])[:80]!r})"
            _check_encodable(item, where, line, name)
    elif isinstance(value, list):
        for n, item in enumerate(value):
            _check_encodable(item, where, line, f"{path}[{n}]")


def document_from_record(record: Any, where: str, line: int | None) -> Document:
    """Validate one JSONL object (`id` and `text` required) and make a Document."""
    if not isinstance(record, dict):
        raise InputError(where, f"expected a JSON object, got {type(record).__name__}", line)
    doc_id = record.get("id")
    if isinstance(doc_id, bool) or not isinstance(doc_id, (str, int)) or doc_id == "":
        raise InputError(where, "missing or invalid 'id' (need a non-empty string or integer)", line)
    text = record.get("text")
    if not isinstance(text, str):
        problem = "missing 'text'" if text is None else f"'text' must be a string, got {type(text).__name__}"
        raise InputError(where, f"{problem} (id {doc_id!r})", line)
    fields: dict[str, str | None] = {}
    aliases = {}
    if record.get("published") is None:  # the names other exports give the date
        aliases = {"published": next((k for k in DATE_FIELDS if record.get(k) is not None), "published")}
    for name in OPTIONAL_FIELDS:
        value = record.get(aliases.get(name, name))
        if value is not None and not isinstance(value, str):
            raise InputError(where, f"'{name}' must be a string (id {doc_id!r})", line)
        fields[name] = value or None
    if fields["published"] is not None:
        fields["published"] = normalize_timestamp(fields["published"], where, line)
    meta = {k: v for k, v in record.items() if k not in ("id", "text", *OPTIONAL_FIELDS, *aliases.values())}
    return Document(id=str(doc_id), text=text, meta=meta, **fields)


def normalize_timestamp(value: str, where: str, line: int | None) -> str:
    """A date in ISO 8601, RFC 822 (``Tue, 17 Mar 2026 06:00:00 GMT``) or another common form
    (read by dateutil) as ISO 8601; naive times are kept naive."""
    text = value.strip()
    try:
        return datetime.fromisoformat(text).isoformat()
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(text).isoformat()
    except (TypeError, ValueError, IndexError):
        pass
    try:
        return dateutil.parser.parse(text).isoformat()
    except (ValueError, OverflowError):
        raise InputError(where, f"'published' is not a date: {value!r}", line) from None


def html_document(html: str, doc_id: str, where: str) -> Document:
    """Reduce an HTML page to its article text (trafilatura) and metadata.

    The page's own ``article:published_time``, ``og:site_name``, canonical link
    and author are read first, because they keep the full time of publication
    that trafilatura's date search reduces to a day; trafilatura fills the gaps.
    """
    import trafilatura  # imported here: loading it costs ~0.5 s and plain-text runs never need it

    text = trafilatura.extract(html, include_comments=False, include_tables=False,
                               favor_precision=True, deduplicate=False) or ""
    fields, extra = page_metadata(html)
    meta = trafilatura.extract_metadata(html)
    if meta is not None:
        for name, value in (("title", meta.title), ("url", meta.url), ("source", meta.sitename),
                            ("published", meta.date)):
            fields.setdefault(name, value)
        if meta.author:
            extra.setdefault("author", meta.author)
    if fields.get("published"):
        try:
            fields["published"] = normalize_timestamp(fields["published"], where, None)
        except InputError:
            fields["published"] = None
    fields = {k: (v or None) for k, v in fields.items() if k in OPTIONAL_FIELDS}
    return Document(id=doc_id, text=text, meta=extra, **fields)


def page_metadata(html: str) -> tuple[dict[str, str], dict[str, str]]:
    """Document fields and extra metadata from a page's <meta> and <link> tags."""
    import lxml.html

    try:
        tree = lxml.html.fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return {}, {}
    fields: dict[str, str] = {}
    extra: dict[str, str] = {}
    wanted = {"article:published_time": "published", "og:site_name": "source", "og:title": "title",
              "og:url": "url", "author": "author", "article:author": "author"}
    for tag in tree.iter("meta"):
        key = (tag.get("property") or tag.get("name") or "").strip().lower()
        value = (tag.get("content") or "").strip()
        name = wanted.get(key)
        if name and value:
            (extra if name == "author" else fields).setdefault(name, value)
    for tag in tree.iter("link"):
        if "canonical" in (tag.get("rel") or "").lower().split() and tag.get("href"):
            fields["url"] = tag.get("href").strip()  # the canonical link beats og:url
            extra["canonical"] = fields["url"]
    return fields, extra
