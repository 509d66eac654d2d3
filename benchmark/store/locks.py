"""The file locks of a results folder: ``runs/.locks/<run_id>.lock`` (a cell being computed)
and ``runs/.locks/pack-<key>.lock`` (a pack being written), exclusive ``flock`` locks on empty
files, so that two runs into one folder compute a cell once and write a pack in turn.

A run that has to wait for a lock held by another process says so on stderr once, after
:data:`NOTICE` seconds (which lock, which process holds it), and keeps waiting: the other run
finishes the cell or the pack and this one goes on (Ctrl-C stops the wait).
"""

from __future__ import annotations

import fcntl
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from benchmark.store.files import StoreError, why

#: seconds of waiting for a lock before the run says what it waits for
NOTICE = 2.0
#: how often a lock is tried again until then
POLL = 0.05


def open_lock(path: Path) -> IO[Any]:
    """The lock file ``path``, opened for ``flock`` (its folder made); a :class:`StoreError`
    naming it when something else is in its place."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return open(path, "a")
    except OSError as exc:
        what = why(path, exc)
        raise StoreError(
            f"{path}: cannot open this lock file ({what}); concurrent runs "
            f"coordinate through {path.parent}, a folder of lock files: remove what is in its "
            "place"
        ) from None


def holder(path: Path) -> int | None:
    """The process holding the ``flock`` lock of ``path``, from ``/proc/locks`` (Linux); None
    when it cannot be told."""
    try:
        st = os.stat(path)
        lines = Path("/proc/locks").read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        fields = line.split()
        if len(fields) < 6 or fields[1] != "FLOCK":
            continue  # a waiter ("->") or a POSIX lock
        major, minor, inode = fields[5].split(":")
        if int(inode) == st.st_ino and os.makedev(int(major, 16), int(minor, 16)) == st.st_dev:
            return int(fields[4])
    return None


def acquire(fh: IO[Any], path: Path, what: str, notice: float = NOTICE) -> None:
    """Take the exclusive lock of the open lock file ``fh``: at once when it is free, else
    after telling, once ``notice`` seconds have passed, which process holds it (``what``: the
    reason another process holds it), then waiting for as long as it takes."""
    deadline = time.monotonic() + notice
    while time.monotonic() < deadline:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            time.sleep(POLL)
    pid = holder(path)
    by = f"pid {pid}" if pid is not None else "another process"
    tell(f"waiting for {path}, held by {by} ({what}); this run goes on when it is released")
    fcntl.flock(fh, fcntl.LOCK_EX)


def tell(line: str) -> None:
    """One line on stderr, above a progress bar if one is shown."""
    from tqdm import tqdm

    tqdm.write(line, file=sys.stderr)


@contextmanager
def held(path: Path, what: str) -> Iterator[None]:
    """Hold the exclusive lock ``path`` for the block (see :func:`acquire`)."""
    with open_lock(path) as fh:
        acquire(fh, path, what)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def try_lock(path: Path) -> IO[Any] | None:
    """The lock ``path`` without waiting: an open handle for :func:`release`, or None when
    another process holds it."""
    fh = open_lock(path)
    try:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        fh.close()
        return None
    return fh


def release(handle: IO[Any]) -> None:
    fcntl.flock(handle, fcntl.LOCK_UN)
    handle.close()
