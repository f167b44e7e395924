"""dedupe: find copied, syndicated and rewritten news, name the original, mark what changed."""
from .config import CandidateOptions, FingerprintOptions, ScanOptions, VerifyOptions
from .errors import DedupeError, InputError, OptionsError, ReportError
from .model import Cluster, Diff, Document, Member, Original, Report, Scores, Segment, Skipped, Span
from .pipeline import diff, scan
from .read import read_documents

__all__ = [
    "CandidateOptions", "Cluster", "DedupeError", "Diff", "Document", "FingerprintOptions",
    "InputError", "Member", "OptionsError", "Original", "Report", "ReportError", "ScanOptions",
    "Scores", "Segment", "Skipped", "Span", "VerifyOptions", "diff", "read_documents", "scan",
]
__version__ = "0.1.0"
