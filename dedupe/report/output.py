"""Writing a report to a file without ever losing the previous one.

Every output goes through `write_output`: the text is encoded first, written to a
temporary file beside the target, flushed to disk and renamed over the target, so a
full disk, a killed process or text that cannot be encoded leaves the old file as it
was.  `check_output` is called before any work starts, so a run that could not write
its report does not run (or, for ``watch``, does not store a run it cannot report).
A target that is not a regular file (``/dev/stdout``, a FIFO, ``/dev/full``) cannot be
replaced by a rename and is written directly.
"""
from __future__ import annotations

import os
import secrets
import stat

from ..errors import OutputError


def check_output(path: str | os.PathLike) -> None:
    """Raise OutputError unless `path` can be written (its folder exists and is writable,
    it is not a folder, and an existing file is writable)."""
    where = os.fspath(path)
    try:
        info = os.stat(where)
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise OutputError(f"{where}: cannot write: {exc.strerror or exc}") from None
    if info is not None:
        if stat.S_ISDIR(info.st_mode):
            raise OutputError(f"{where}: cannot write: is a directory")
        if not os.access(where, os.W_OK):
            raise OutputError(f"{where}: cannot write: permission denied")
        if not stat.S_ISREG(info.st_mode):
            return  # a device or FIFO: written directly
    folder = os.path.dirname(os.path.abspath(where))
    if not os.path.isdir(folder):
        raise OutputError(f"{where}: cannot write: folder {folder} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputError(f"{where}: cannot write: folder {folder} is not writable")


def write_output(path: str | os.PathLike, content: str | bytes) -> None:
    """Write `content` (text as UTF-8, or bytes) to `path` atomically: a temporary file beside it,
    then a rename.

    Raises OutputError naming the file; the target is then unchanged (and no
    temporary file is left)."""
    where = os.fspath(path)
    try:
        data = content if isinstance(content, bytes) else content.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise OutputError(f"{where}: cannot write: the report holds text that is not valid Unicode "
                          f"({content[exc.start]!r} at character {exc.start})") from None
    try:
        info = os.stat(where)
    except OSError:
        info = None
    if info is not None and not stat.S_ISREG(info.st_mode):
        _write_directly(where, data)
        return
    folder, name = os.path.split(os.path.abspath(where))
    temp = os.path.join(folder, f".{name}.{secrets.token_hex(4)}.tmp")
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o666)
    except OSError as exc:
        raise OutputError(f"{where}: cannot write: {exc.strerror or exc}") from None
    try:
        try:
            if info is not None:
                os.fchmod(fd, stat.S_IMODE(info.st_mode))  # keep the old file's permissions
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temp, where)
    except BaseException as exc:
        try:
            os.unlink(temp)
        except OSError:
            pass
        if isinstance(exc, OSError):
            raise OutputError(f"{where}: cannot write: {exc.strerror or exc}") from None
        raise


def _write_directly(where: str, data: bytes) -> None:
    try:
        with open(where, "wb") as fh:
            fh.write(data)
    except OSError as exc:
        raise OutputError(f"{where}: cannot write: {exc.strerror or exc}") from None
