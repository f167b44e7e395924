"""Exceptions raised by the dedupe library; the CLI turns each into one line on stderr."""


class DedupeError(Exception):
    """Base class of every error the library raises on purpose."""


class InputError(DedupeError):
    """An input file, line or item cannot be read as an article."""

    def __init__(self, where: str, message: str, line: int | None = None) -> None:
        self.where = where
        self.line = line
        self.message = message
        place = f"{where}:{line}" if line is not None else where
        super().__init__(f"{place}: {message}")


class OptionsError(DedupeError):
    """An option has a value outside its allowed range."""


class ReportError(DedupeError):
    """A saved report cannot be read back."""


class FetchError(DedupeError):
    """A URL or file could not be read (worth trying again on the next run)."""


class FeedError(DedupeError):
    """A document was read but is not a usable RSS or Atom feed."""


class StoreError(DedupeError):
    """The store file cannot be used (missing, not a dedupe store, newer schema, damaged, inconsistent)."""


class StoreBusyError(StoreError):
    """Another run holds the store and did not finish within the wait."""


class OutputError(DedupeError):
    """A report cannot be written where it was asked for (the target is left as it was)."""
