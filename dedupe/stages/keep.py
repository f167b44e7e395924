"""The corpus with its copies removed (``dedupe scan --keep FILE``).

Kept: every cluster's original, every document in no cluster and every text too short to
compare; removed: duplicates, copies and rewrites, and partial reuses unless `keep_partial`.
The inputs are read again record by record and written in their own format with their own
fields: JSONL lines as they were, CSV/TSV rows under the input's header, JSON arrays, Parquet.
The output's format is FILE's extension when it names one (``.jsonl``, ``.json``, ``.csv``,
``.tsv``, ``.parquet``, each optionally ``.gz``/``.zst``), else the inputs' own when they share one.
"""
from __future__ import annotations

import csv
import gzip
import io
import json
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from ..config import ReadOptions
from ..errors import OutputError
from ..model import Report
from ..report.output import write_output
from .read import RECORD_FORMATS, Record, directory_files, file_format, iter_records

REMOVED = ("duplicate", "copy", "rewrite")
FORMATS = sorted(set(RECORD_FORMATS.values()))


def removed_ids(report: Report, keep_partial: bool = True) -> set[str]:
    """Ids of the documents `--keep` leaves out."""
    gone = REMOVED if keep_partial else (*REMOVED, "partial")
    return {m.id for c in report.clusters for m in c.members if m.relation in gone}


def keep_format(inputs: Sequence, target: str | os.PathLike) -> tuple[str, str | None]:
    """(format, compression) `write_kept` will write to `target`; OutputError before any work when
    neither the target's name nor the inputs say which."""
    kind, compression = file_format(target)
    if kind in FORMATS:
        return kind, compression
    kinds = set()
    for item in inputs:
        if isinstance(item, (str, os.PathLike)) and str(item) != "-":
            path = Path(item)
            files = directory_files(path) if path.is_dir() else [path]
            kinds |= {file_format(p)[0] for p in files if file_format(p)[0] is not None}
        else:
            kinds.add("jsonl" if str(item) == "-" else "document")
    if len(kinds) == 1 and (only := kinds.pop()) in FORMATS:
        return only, compression
    raise OutputError(f"{os.fspath(target)}: cannot tell the format to keep the corpus in; name a "
                      f"{', '.join('.' + f for f in FORMATS)} file")


def write_kept(inputs: Sequence, report: Report, target: str | os.PathLike, read: ReadOptions | None = None,
               keep_partial: bool = True) -> tuple[int, int]:
    """Write the inputs' records minus the removed documents to `target` (atomically, through
    output.write_output); returns (documents kept, documents read)."""
    kind, compression = keep_format(inputs, target)
    gone = removed_ids(report, keep_partial)
    total, kept = 0, []
    for record in iter_records(inputs, options=read):
        total += 1
        if record.doc.id not in gone:
            kept.append(record)
    data = render_records(kept, kind, os.fspath(target))
    write_output(target, compress(data, compression, os.fspath(target)))
    return len(kept), total


def _fields(record: Record) -> dict[str, Any]:
    if record.fields is not None:
        return record.fields
    doc = record.doc
    return {k: v for k, v in (("id", doc.id), ("text", doc.text), ("source", doc.source),
                              ("published", doc.published), ("title", doc.title), ("url", doc.url))
            if v is not None}


def render_records(records: Iterable[Record], kind: str, where: str) -> bytes:
    """Records in one of FORMATS; JSONL lines that were read as JSONL are written as they were."""
    records = list(records)
    if kind == "jsonl":
        return b"".join((r.raw if r.raw is not None else
                         json.dumps(_fields(r), ensure_ascii=False, default=str).encode()) + b"\n" for r in records)
    rows = [_fields(r) for r in records]
    if kind == "json":
        return (json.dumps(rows, ensure_ascii=False, indent=1, default=str) + "\n").encode()
    if kind == "parquet":
        try:
            import pyarrow as pa
            import pyarrow.parquet as pq
        except ImportError:
            raise OutputError(f"{where}: writing Parquet needs pyarrow: pip install 'newsdedupe[parquet]'") from None
        sink = io.BytesIO()
        pq.write_table(pa.Table.from_pylist(rows), sink)
        return sink.getvalue()
    header: dict[str, None] = {}
    for row in rows:
        header.update(dict.fromkeys(row))
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter="\t" if kind == "tsv" else ",", lineterminator="\n")
    writer.writerow(list(header))
    for row in rows:
        writer.writerow([_cell(row.get(name)) for name in header])
    return out.getvalue().encode()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)


def compress(data: bytes, compression: str | None, where: str) -> bytes:
    if compression == "gzip":
        return gzip.compress(data, mtime=0)
    if compression == "zstd":
        try:
            import zstandard
        except ImportError:
            raise OutputError(f"{where}: writing .zst files needs the zstandard package: "
                              "pip install 'newsdedupe[zstd]'") from None
        return zstandard.ZstdCompressor().compress(data)
    return data
