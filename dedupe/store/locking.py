"""Opening the SQLite file and the run lock: one writer at a time, on ``PATH.lock``."""
from __future__ import annotations

import errno
import fcntl
import os
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

from ..errors import StoreBusyError, StoreError
from .records import utc_now


def _connect(target: str, uri: bool, busy: float) -> sqlite3.Connection:
    try:
        conn = sqlite3.connect(target, uri=uri, timeout=busy, isolation_level=None, check_same_thread=False)
    except sqlite3.Error as exc:
        raise StoreError(f"{target}: cannot open store ({exc})") from None
    return conn


def _acquire_lock(path: Path, wait: float, clock: Callable[[], float]) -> int:
    """An exclusive flock on the store's side file ``PATH.lock``, waiting up to `wait` seconds.

    The kernel drops the lock when the holder exits, however it exits (kill -9
    included), so a crashed run never leaves the store locked."""
    lock_path = Path(f"{path}.lock")
    try:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise StoreError(f"{lock_path}: cannot create the lock file ({exc.strerror or exc})") from None
    deadline = clock() + wait
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                os.close(fd)
                raise StoreError(f"{lock_path}: cannot lock ({exc.strerror or exc})") from None
            remaining = deadline - clock()
            if remaining <= 0:
                holder = _lock_holder(fd)
                os.close(fd)
                raise StoreBusyError(f"{path}: store is in use by another run"
                                     f"{holder}; gave up after waiting {wait:g} s") from None
            time.sleep(min(0.1, remaining))
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"pid {os.getpid()} since {utc_now()}\n".encode(), 0)
    return fd


def _lock_holder(fd: int) -> str:
    try:
        info = os.pread(fd, 200, 0).decode("utf-8", "replace").strip()
    except OSError:
        return ""
    return f" ({info})" if info else ""
