"""File contents into rows and texts: decompression (gzip, zstd), JSON and JSON Lines, CSV/TSV,
Parquet, text encodings, Markdown front matter and HTML pages (trafilatura), each failure an
InputError naming the file (and line)."""
from __future__ import annotations

import csv
import gzip
import io
import json
import os
import re
import stat
import zlib
from collections.abc import Iterator
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any

import dateutil.parser

from ..errors import InputError
from ..model import Document

OPTIONAL_FIELDS = ("source", "published", "title", "url")


def decompress(data: bytes, compression: str, where: str) -> bytes:
    """gzip (the standard library) or zstd (the `zstandard` package, an optional extra)."""
    if compression == "gzip":
        try:
            return gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as exc:
            raise InputError(where, f"not valid gzip data ({exc})") from None
    try:
        import zstandard
    except ImportError:
        raise InputError(where, "reading .zst files needs the zstandard package: "
                                "pip install 'newsdedupe[zstd]'") from None
    try:
        with zstandard.ZstdDecompressor().stream_reader(io.BytesIO(data)) as reader:
            return reader.read()
    except zstandard.ZstdError as exc:
        raise InputError(where, f"not valid zstd data ({exc})") from None


def _json_rows(data: bytes, where: str) -> Iterator[tuple[Any, int | None, str]]:
    _not_utf8(data, where, "JSON")
    try:
        value = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise InputError(where, f"undecodable bytes (not UTF-8) at byte {exc.start}",
                         data.count(b"\n", 0, exc.start) + 1) from None
    except json.JSONDecodeError as exc:
        raise InputError(where, f"not valid JSON ({exc.msg} at column {exc.colno})", exc.lineno) from None
    except (RecursionError, ValueError) as exc:
        raise InputError(where, f"not usable JSON ({str(exc).split(':')[0]})") from None
    if isinstance(value, dict) and str(value.get("schema", "")).startswith("dedupe/"):
        raise InputError(where, "a dedupe report, not articles (render it with 'dedupe report')")
    if not isinstance(value, list):
        raise InputError(where, f"expected a JSON array of articles, got {type(value).__name__}")
    _check_encodable(value, where, None)
    for n, item in enumerate(value, 1):
        yield item, None, f"{where}: item {n}"


def _csv_rows(data: bytes, where: str, delimiter: str) -> Iterator[tuple[dict, int, str]]:
    text = decode_text(data, where)
    csv.field_size_limit(max(csv.field_size_limit(), 2**31 - 1))  # an article is longer than csv's 128 kB
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader, None)
        if header is None:
            return
        header = [name.strip() for name in header]
        doubled = sorted({name for name in header if header.count(name) > 1})
        if doubled:
            raise InputError(where, f"the header names {', '.join(map(repr, doubled))} twice", 1)
        line = reader.line_num + 1
        for row in reader:
            if any(cell.strip() for cell in row):
                if len(row) != len(header):
                    raise InputError(where, f"{len(row)} fields in the row, {len(header)} in the header", line)
                yield dict(zip(header, row)), line, where
            line = reader.line_num + 1
    except csv.Error as exc:
        raise InputError(where, f"not valid {'TSV' if delimiter == chr(9) else 'CSV'} ({exc})",
                         reader.line_num) from None


def _parquet_rows(data: bytes, where: str) -> Iterator[tuple[dict, None, str]]:
    table = read_parquet(data, where)
    for n, row in enumerate(table.to_pylist(), 1):
        yield row, None, f"{where}: row {n}"


def read_parquet(data: bytes, where: str):
    """A pyarrow Table (pyarrow is the optional extra ``parquet``)."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise InputError(where, "reading Parquet needs pyarrow: pip install 'newsdedupe[parquet]'") from None
    try:
        return pq.read_table(pa.BufferReader(data))
    except (pa.ArrowException, OSError) as exc:
        raise InputError(where, f"not a readable Parquet file ({exc})") from None


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


def html_document(html: str, doc_id: str, where: str) -> Document:
    """Reduce an HTML page to its article text (trafilatura) and metadata.

    The page's own ``article:published_time``, ``og:site_name``, canonical link
    and author are read first, because they keep the full time of publication
    that trafilatura's date search reduces to a day; trafilatura fills the gaps.
    The headline is the title, not part of the text compared: a first line that repeats the
    title (or the page's <h1>) is dropped from the text.
    """
    import trafilatura  # imported here: loading it costs ~0.5 s and plain-text runs never need it

    text = trafilatura.extract(html, include_comments=False, include_tables=False,
                               favor_precision=True, deduplicate=False) or ""
    fields, extra = page_metadata(html)
    headline = extra.pop("headline", "")
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
    headlines = {_folded(headline), _folded(fields.get("title") or ""),
                 _folded(meta.title or "") if meta is not None else ""} - {""}
    first, newline, rest = text.lstrip().partition("\n")
    if newline and _folded(first) in headlines:
        text = rest.lstrip("\n")
        fields["title"] = fields.get("title") or first.strip()
    return Document(id=doc_id, text=text, meta=extra, **fields)


def _folded(line: str) -> str:
    """A headline compared loosely: case, spacing and closing punctuation ignored."""
    return " ".join(line.casefold().split()).rstrip(" .:;!")


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
    h1 = next(tree.iter("h1"), None)
    if h1 is not None:
        extra["headline"] = h1.text_content().strip()
    for tag in tree.iter("link"):
        if "canonical" in (tag.get("rel") or "").lower().split() and tag.get("href"):
            fields["url"] = tag.get("href").strip()  # the canonical link beats og:url
            extra["canonical"] = fields["url"]
    return fields, extra


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
