"""Read articles from JSONL, JSON, CSV/TSV, Parquet, text, Markdown and HTML files (each also
gzip- or zstd-compressed), directories and stdin: files into records (the formats themselves
are parsed in formats.py), records into documents.

A record's fields are found by name: the names `config.ReadOptions` gives, else the first of
FIELD_ALIASES present -- the one place that knows the names other exports use."""
from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, BinaryIO

from ..config import ReadOptions
from ..errors import InputError
from ..model import Document, Notify
from .formats import (OPTIONAL_FIELDS, _check_encodable, _csv_rows, _json_rows, _not_utf8, _parquet_rows, decode_text,
                      decompress, html_document, markdown_document, normalize_timestamp, read_bytes)

TEXT_SUFFIXES = {".txt", ".md"}
HTML_SUFFIXES = {".html", ".htm"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
RECORD_FORMATS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json", ".csv": "csv", ".tsv": "tsv",
                  ".parquet": "parquet"}
"""Files of many records, by suffix: each is a format ``--keep`` can write back."""
COMPRESSIONS = {".gz": "gzip", ".zst": "zstd", ".zstd": "zstd"}
SUPPORTED = TEXT_SUFFIXES | HTML_SUFFIXES | set(RECORD_FORMATS)
FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "doc_id", "article_id", "guid", "uuid"),
    "text": ("text", "content", "body", "article", "story", "full_text", "maintext"),
    "published": ("published", "date", "pubDate", "published_at", "datetime", "publish_date", "date_published",
                  "pub_date"),
    "source": ("source", "outlet", "publisher", "site", "site_name", "source_name"),
    "title": ("title", "headline"),
    "url": ("url", "link", "canonical_url"),
}
"""The names read as each field when ReadOptions names none: the first present wins (exact
name first, then the same name in another case: ``Title``, ``URL``)."""
OPTION_OF = {"id": "id_field", "text": "text_field", "published": "date_field", "source": "source_field",
             "title": "title_field", "url": "url_field"}


NOTICE_MAX_WORDS = 300
"""Texts this long or longer are articles whatever notices they carry (`site_notice`)."""
_NOTICE_ACCESS = (r"captcha|\bad[\s-]?block|\bublock|javascript"
                  r"|\bip[\s-]?(?:address|adres|adresse)\b"
                  r"|(?:address|adres\w*|adresse|dirección|indirizzo|endereço|адрес\w*)\s+(?:\w+\s+){0,2}ip\b"
                  r"|too many requests|access denied|403 forbidden")
NOTICE_TERMS = re.compile(r"cookie|ciasteczk|çerez|" + _NOTICE_ACCESS, re.IGNORECASE)
"""What a site tells a reader (or a scraper) instead of the article: cookies, an ad blocker,
JavaScript, a captcha, a blocked IP address, an HTTP refusal. One word in most languages
("Cookies", "cookie", "AdBlocka"); the IP address with the word "address" of a few."""
ACCESS_TERMS = re.compile(_NOTICE_ACCESS, re.IGNORECASE)
"""NOTICE_TERMS but cookies: what counts in a text that names no website (`WEB_TERMS`), where
cookies may be biscuits."""
WEB_TERMS = re.compile(r"\b(?:web|site|browser|internet|online|privacy|sitio|navegador|witryn|stron)|datenschutz|网站|浏览器",
                       re.IGNORECASE)
_NOTICE_WORDS = ("cookie", "captcha", "block", "javascript", "dres", "ciasteczk", "çerez", "dirección", "indirizzo",
                 "endereço", "адрес", "requests", "denied", "forbidden")
"""Every NOTICE_TERMS match holds one of these (lower case): most texts are ruled out without the regex
(\"dres\": address, adres, adresse)."""
_NOTICE_SENTENCE = re.compile(r"[^\n.!?\u3002\uff01\uff1f]+[.!?\u3002\uff01\uff1f]*")
_SPACE = re.compile(r"\s+")


def site_notice(text: str, words: int) -> str | None:
    """Why `text` is a page a site showed instead of the article, or None.

    A scraper that was refused gets a cookie wall, an ad-block wall, a rate-limit or captcha
    page: its text is not an article (two such pages are identical, or nearly, and would be
    reported as copies of each other).  Such a text is short (fewer than NOTICE_MAX_WORDS
    `words`), and at least two of its sentences, holding at least half of its characters,
    name cookies, an ad blocker, JavaScript, a captcha, the reader's IP address or an HTTP
    refusal (`NOTICE_TERMS`; cookies only in a text that names a website or browser, so that a
    bakery's biscuits are not a cookie notice).  An article that mentions cookies or asks to
    enable JavaScript for a video has more text than that."""
    if words >= NOTICE_MAX_WORDS:
        return None
    lower = text.lower()
    if not any(word in lower for word in _NOTICE_WORDS):
        return None
    terms = NOTICE_TERMS if WEB_TERMS.search(text) else ACCESS_TERMS
    if not terms.search(text):
        return None
    total = notice = sentences = 0
    for sentence in _NOTICE_SENTENCE.findall(text):
        size = len(_SPACE.sub("", sentence))
        total += size
        if terms.search(sentence):
            notice += size
            sentences += 1
    if sentences < 2 or 2 * notice < total:
        return None
    return f"not an article: a site notice (cookies, ad blocker, blocked access) is {notice / total:.0%} of it"


@dataclass(frozen=True)
class Record:
    """One input article as read: its Document, and the record it came from (for ``--keep``)."""

    doc: Document
    where: str  # file:line (or item/row) for messages
    file: str  # the input file, "<stdin>" or "item N"
    format: str  # jsonl, json, csv, tsv, parquet, or "document" (a .txt/.md/.html file, a dict, a Document)
    fields: dict[str, Any] | None = None  # the record's fields as read (None: a one-article file)
    raw: bytes | None = None  # the JSONL line as it was


def read_documents(inputs: Iterable[str | os.PathLike | Document | dict],
                   stdin: BinaryIO | None = None, options: ReadOptions | None = None,
                   notify: Notify | None = None) -> list[Document]:
    """Read every input into Documents, refusing duplicate ids.

    Inputs may be paths (files or directories, read recursively), ``"-"`` for
    JSONL on stdin, Document objects or dicts in the JSONL shape.  `options` names the
    records' fields; `notify` is told once per input of fields the tool does not use.

    >>> [d.id for d in read_documents([{"id": "a", "text": "Storm hits coast."}])]
    ['a']
    """
    return [record.doc for record in iter_records(inputs, stdin, options, notify)]


def iter_records(inputs: Iterable[str | os.PathLike | Document | dict], stdin: BinaryIO | None = None,
                 options: ReadOptions | None = None, notify: Notify | None = None) -> Iterator[Record]:
    """Every input article as a Record, in input order, refusing duplicate ids."""
    options = options or ReadOptions()
    seen: dict[str, str] = {}
    for record in _iter_inputs(inputs, stdin, options, notify):
        doc_id = record.doc.id
        if doc_id in seen:
            raise InputError(record.where, f"duplicate id {doc_id!r} (first seen at {seen[doc_id]})")
        seen[doc_id] = record.where
        yield record


def _iter_inputs(inputs, stdin, options: ReadOptions, notify: Notify | None) -> Iterator[Record]:
    if isinstance(inputs, (str, os.PathLike, Document, dict)):
        inputs = [inputs]
    ignored, fields = _Ignored(notify), FieldMap(options)
    for n, item in enumerate(inputs, 1):
        if isinstance(item, Document):
            yield Record(item, f"item {n}", f"item {n}", "document")
        elif isinstance(item, dict):
            _check_encodable(item, f"item {n}", None)
            doc = document_from_record(item, f"item {n}", None, fields)
            ignored.add(doc.meta)
            yield Record(doc, f"item {n}", f"item {n}", "document", item)
        elif str(item) == "-":
            stream = stdin if stdin is not None else sys.stdin.buffer
            yield from read_jsonl_stream(stream, "<stdin>", options, notify)
        else:
            yield from read_path(Path(item), options, notify)
    ignored.tell("the items")


class _Ignored:
    """The fields of one input the tool does not use, told once when the input is read."""

    def __init__(self, notify: Notify | None) -> None:
        self.notify = notify
        self.names: dict[str, None] = {}

    def add(self, meta: dict) -> None:
        if self.notify is not None and meta:
            self.names.update(dict.fromkeys(meta))

    def tell(self, where: str) -> None:
        if self.notify is not None and self.names:
            names = ", ".join(repr(n) for n in list(self.names)[:12]) + (", ..." if len(self.names) > 12 else "")
            self.notify(f"{where}: ignoring fields {names} (not the id, text, date, source, title or url)")
        self.names = {}


def file_format(path: str | os.PathLike) -> tuple[str | None, str | None]:
    """(format, compression) from a file name: ``news.csv.zst`` -> ("csv", "zstd"); format is a
    RECORD_FORMATS value, "text", "markdown" or "html", or None when unsupported."""
    name = os.path.basename(os.fspath(path)).lower()
    stem, dot, last = name.rpartition(".")
    compression = COMPRESSIONS.get("." + last) if dot else None
    if compression:
        name = stem
    suffix = os.path.splitext(name)[1]
    kind = RECORD_FORMATS.get(suffix) or ("html" if suffix in HTML_SUFFIXES else "markdown" if suffix == ".md"
                                          else "text" if suffix == ".txt" else None)
    return kind, compression


def read_path(path: Path, options: ReadOptions | None = None, notify: Notify | None = None) -> Iterator[Record]:
    """Records from one file, or from every supported file under a directory."""
    try:
        path.stat()
    except OSError as exc:  # a symlink loop says so, not "no such file"
        raise InputError(str(path), "no such file or directory" if isinstance(exc, FileNotFoundError)
                         else f"cannot read: {exc.strerror or exc}") from None
    if path.is_dir():
        found = directory_files(path)
        files = [p for p in found if file_format(p)[0] is not None]
        if found and not files:
            kinds = sorted({"".join(p.suffixes[-2:]).lower() or "(no extension)" for p in found})
            raise InputError(str(path), f"no readable files (found {', '.join(kinds[:10])}); "
                                        f"use {SUPPORTED_TEXT}")
        for file in files:
            yield from read_file(file, file.relative_to(path).as_posix(), options, notify)
    elif path.exists():
        yield from read_file(path, path.as_posix(), options, notify)
    else:
        raise InputError(str(path), "no such file or directory")


def directory_files(path: Path) -> list[Path]:
    """The files under a directory, hidden ones (and those in hidden folders) left out, sorted."""
    return sorted(p for p in path.rglob("*")
                  if p.is_file() and not any(part.startswith(".") for part in p.relative_to(path).parts))


SUPPORTED_TEXT = ".jsonl, .json, .csv, .tsv, .parquet, .txt, .md, .html or .htm (also .gz or .zst compressed)"


def read_file(path: Path, doc_id: str, options: ReadOptions | None = None,
              notify: Notify | None = None) -> Iterator[Record]:
    """The articles of one file: many for JSONL, JSON, CSV/TSV and Parquet, one otherwise."""
    options = options or ReadOptions()
    where = str(path)
    kind, compression = file_format(path)
    if kind is None:
        raise InputError(where, f"unsupported file type {''.join(path.suffixes[-2:]) or '(none)'!r}; "
                                f"use {SUPPORTED_TEXT}")
    data = read_bytes(path, where)
    if compression:
        data = decompress(data, compression, where)
    if kind == "jsonl":
        yield from _jsonl_records(data, where, options, notify)
    elif kind in ("json", "csv", "tsv", "parquet"):
        rows = (_json_rows(data, where) if kind == "json" else _parquet_rows(data, where) if kind == "parquet"
                else _csv_rows(data, where, "\t" if kind == "tsv" else ","))
        ignored, fields = _Ignored(notify), FieldMap(options)
        for row, line, place in rows:
            doc = document_from_record(row, place, line, fields)
            ignored.add(doc.meta)
            yield Record(doc, f"{place}:{line}" if line is not None else place, where, kind, row)
        ignored.tell(where)
    else:
        text = decode_text(data, where)
        doc = (html_document(text, doc_id, where) if kind == "html"
               else markdown_document(text, doc_id, where) if kind == "markdown" else Document(id=doc_id, text=text))
        yield Record(doc, where, where, "document")


def read_article(path: str | os.PathLike) -> Document:
    """One article from one file, read as scan reads it (an HTML page's article text without its
    headline, a Markdown file without its front matter, a record file of exactly one record); a
    file of another extension is plain text."""
    where = os.fspath(path)
    if file_format(where)[0] is None:
        return Document(id=where, text=decode_text(read_bytes(where, where), where))
    records = list(read_file(Path(where), where))
    if len(records) != 1:
        raise InputError(where, f"holds {len(records)} articles; give a file of one")
    return records[0].doc


def read_jsonl_stream(stream: BinaryIO, where: str, options: ReadOptions | None = None,
                      notify: Notify | None = None) -> Iterator[Record]:
    yield from _jsonl_lines(enumerate(stream, 1), where, options or ReadOptions(), notify)


def read_jsonl_bytes(data: bytes, where: str, options: ReadOptions | None = None) -> Iterator[Record]:
    yield from _jsonl_records(data, where, options or ReadOptions(), None)


def _jsonl_records(data: bytes, where: str, options: ReadOptions, notify: Notify | None) -> Iterator[Record]:
    _not_utf8(data, where, "JSON lines")
    yield from _jsonl_lines(enumerate(data.splitlines(), 1), where, options, notify)


def _jsonl_lines(lines, where: str, options: ReadOptions, notify: Notify | None) -> Iterator[Record]:
    ignored, fields = _Ignored(notify), FieldMap(options)
    for lineno, raw in lines:
        record = _jsonl_line(raw, where, lineno)
        if record is not None:
            doc = document_from_record(record, where, lineno, fields)
            ignored.add(doc.meta)
            yield Record(doc, f"{where}:{lineno}", where, "jsonl", record, raw.rstrip(b"\r\n"))
    ignored.tell(where)


def _jsonl_line(raw: bytes, where: str, lineno: int) -> Any:
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
    return record


class FieldMap:
    """Which key of a record holds each field (None: none does), worked out once per set of keys:
    the records of one export share theirs."""

    def __init__(self, options: ReadOptions | None = None) -> None:
        self.options = options or ReadOptions()
        self._known: dict[tuple, dict[str, str | None]] = {}

    def __call__(self, record: dict) -> dict[str, str | None]:
        keys = tuple(record)
        names = self._known.get(keys)
        if names is None:
            if len(self._known) > 1000:
                self._known.clear()
            names = self._known[keys] = self._names(keys)
        return names

    def _names(self, keys: tuple) -> dict[str, str | None]:
        present = {key for key in keys if isinstance(key, str)}
        folded: dict[str, str] = {}
        for key in keys:
            if isinstance(key, str):
                folded.setdefault(key.lower(), key)
        out: dict[str, str | None] = {}
        for name, aliases in FIELD_ALIASES.items():
            chosen = getattr(self.options, OPTION_OF[name])
            if chosen is None:
                chosen = next((a for a in aliases if a in present), None) \
                    or next((folded[a.lower()] for a in aliases if a.lower() in folded), None)
            out[name] = chosen if chosen in present else None
        return out


def document_from_record(record: Any, where: str, line: int | None,
                         fields: ReadOptions | FieldMap | None = None) -> Document:
    """Validate one record (an id and a text required) and make a Document; its other keys
    become the Document's meta.  `fields`: the names to read (a FieldMap when reading many)."""
    if not isinstance(record, dict):
        raise InputError(where, f"expected a JSON object, got {type(record).__name__}", line)
    field_map = fields if isinstance(fields, FieldMap) else FieldMap(fields)
    options = field_map.options
    names = field_map(record)
    values = {name: _plain(record[key]) if key is not None else None for name, key in names.items()}
    doc_id = values["id"]
    if isinstance(doc_id, bool) or not isinstance(doc_id, (str, int)) or doc_id == "":
        raise InputError(where, f"missing or invalid {_label('id', names, options)} "
                                "(need a non-empty string or integer)", line)
    text = values["text"]
    if not isinstance(text, str):
        label = _label("text", names, options)
        problem = f"missing {label}" if text is None else f"{label} must be a string, got {type(text).__name__}"
        raise InputError(where, f"{problem} (id {doc_id!r})", line)
    optional: dict[str, str | None] = {}
    for name in OPTIONAL_FIELDS:
        value = values[name]
        if value is not None and not isinstance(value, str):
            raise InputError(where, f"{_label(name, names, options)} must be a string (id {doc_id!r})", line)
        optional[name] = value or None
    if optional["published"] is not None:
        optional["published"] = normalize_timestamp(optional["published"], where, line)
    used = names.values()
    meta = {k: v for k, v in record.items() if k not in used}
    return Document(id=str(doc_id), text=text, meta=meta, **optional)


def _plain(value: Any) -> Any:
    """A Parquet timestamp or date as ISO 8601 text; other values as they are."""
    return value.isoformat() if isinstance(value, (datetime, date)) else value


def _label(name: str, names: dict[str, str | None], options: ReadOptions) -> str:
    key = names.get(name) or getattr(options, OPTION_OF[name]) or name
    return repr(key) if key == name else f"{name} field {key!r}"


