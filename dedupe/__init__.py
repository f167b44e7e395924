"""dedupe: find copied, syndicated and rewritten news, name the original, mark what changed.

The scan, store and feed names are loaded on first use: they pull in numpy, scipy and numba,
and every ``dedupe`` command -- ``--help`` and ``--version`` too -- imports this package first.

The public namespace is exactly ``__all__`` (tests/test_api.py checks it).
"""
from .config import (AttributeOptions, CandidateOptions, DiffOptions, FetchOptions, FingerprintOptions, ScanOptions,
                     VerifyOptions, WatchOptions)
from .errors import (DedupeError, FeedError, FetchError, InputError, OptionsError, ReportError, StoreBusyError,
                     StoreError)
from .model import Cluster, Diff, Document, Member, Original, Report, Scores, Segment, Skipped, Span

_LAZY = {
    "diff": "pipeline", "scan": "pipeline",
    "read_documents": "stages.read",
    "WatchResult": "model", "render_watch_text": "report.text", "scan_into_store": "engines.incremental",
    "store_report": "engines.incremental", "watch_feeds": "feeds.watch",
}

__all__ = [
    "AttributeOptions", "CandidateOptions", "Cluster", "DedupeError", "Diff", "DiffOptions", "Document",
    "FeedError", "FetchError", "FetchOptions", "FingerprintOptions", "InputError", "Member", "OptionsError",
    "Original", "Report", "ReportError", "ScanOptions", "Scores", "Segment", "Skipped", "Span", "StoreBusyError",
    "StoreError", "VerifyOptions", "WatchOptions", "WatchResult", "diff", "read_documents", "render_watch_text",
    "scan", "scan_into_store", "store_report", "watch_feeds",
]
__version__ = "0.1.0"


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The public names (``__all__``) and the module's dunders; submodules and private helpers are
    reachable but not listed."""
    return sorted({name for name in globals() if name.startswith("__")} | set(__all__))

