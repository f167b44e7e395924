"""dedupe: find copied, syndicated and rewritten news, name the original, mark what changed."""
from .config import CandidateOptions, FingerprintOptions, ScanOptions, VerifyOptions
from .errors import DedupeError, InputError, OptionsError, ReportError
from .feeds import FeedError, FetchError, FetchOptions
from .model import Cluster, Diff, Document, Member, Original, Report, Scores, Segment, Skipped, Span
from .pipeline import diff, scan
from .read import read_documents
from .store import StoreBusyError, StoreError
from .watch import WatchOptions, WatchResult, render_watch_text, scan_into_store, store_report, watch_feeds

__all__ = [
    "CandidateOptions", "Cluster", "DedupeError", "Diff", "Document", "FeedError", "FetchError",
    "FetchOptions", "FingerprintOptions", "InputError", "Member", "OptionsError", "Original", "Report",
    "ReportError", "ScanOptions", "Scores", "Segment", "Skipped", "Span", "StoreBusyError", "StoreError",
    "VerifyOptions", "WatchOptions", "WatchResult", "diff", "read_documents", "render_watch_text", "scan",
    "scan_into_store", "store_report", "watch_feeds",
]
__version__ = "0.1.0"
