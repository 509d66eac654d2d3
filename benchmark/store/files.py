"""Atomic file writes: a reader sees the old file or the new one, never a part of either.

Every file the suite writes under a results folder goes through :func:`write_atomic` or
:func:`publish`: the bytes go to a hidden temporary file in the same folder (named after this
host and process, so :func:`sweep_temporaries` can tell a dead writer's leftovers from a live
one's), are flushed to disk, and the temporary file is renamed over the target. ``publish``
writes a whole set of files (a report) all-or-nothing: every temporary file is written first,
and only when all succeeded are they renamed into place (a rename needs no free space), so a
full disk leaves the previous set intact.
"""

from __future__ import annotations

import errno
import os
import re
import socket
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path

HOST = re.sub(r"[^A-Za-z0-9]", "_", socket.gethostname())[:40] or "host"
TEMP = re.compile(r"^\.(?P<name>.+)\.(?P<host>[A-Za-z0-9_]+)\.(?P<pid>\d+)\.tmp$")


class StoreError(RuntimeError):
    """A results file that cannot be read or written; the message names the file."""


#: errors of a full disk or an exhausted quota
FULL = (errno.ENOSPC, errno.EDQUOT)


class DiskFull(BaseException):
    """A write failed for lack of space: the run stops at once (a BaseException, so that no
    per-cell ``except Exception`` turns it into one failed cell after another); finished cells
    are kept."""


def disk_full(path: Path | str, exc: OSError) -> DiskFull:
    return DiskFull(
        f"cannot write {path}: {exc.strerror or exc}; stopped at the first full-disk error "
        "(what finished before is kept: free some space and run the same command again)"
    )


@contextmanager
def stop_when_full(path: Path) -> Iterator[None]:
    """Turn a full disk met while writing under ``path`` into :class:`DiskFull`."""
    try:
        yield
    except OSError as exc:
        if exc.errno in FULL:
            raise disk_full(path, exc) from None
        raise


def why(path: Path, exc: OSError, writing: bool = True) -> str:
    """An OS error met on ``path`` in words: what in the path is in the way (a file where a
    folder must be, a folder where a file must be, a folder this user cannot write in)."""
    code = exc.errno
    if code in (errno.ENOTDIR, errno.EEXIST, errno.ENOENT):
        blocker = next((p for p in path.parents if p.exists() and not p.is_dir()), None)
        if blocker is not None:
            return f"{blocker} is a file, not a folder"
    if code == errno.EISDIR or (code == errno.EEXIST and path.is_dir()):
        return f"{path} is a folder, not a file"
    if code in (errno.EACCES, errno.EPERM, errno.EROFS) and writing:
        where = next((p for p in path.parents if p.exists()), path.parent)
        return f"{where} is read-only for this user ({exc.strerror})"
    if code == errno.ELOOP:
        return f"a loop of symbolic links ({exc.strerror})"
    if code == errno.ENAMETOOLONG:
        return f"the path is longer than the file system takes ({exc.strerror})"
    return str(exc.strerror or exc)


def temporary(path: Path) -> Path:
    return path.with_name(f".{path.name}.{HOST}.{os.getpid()}.tmp")


def _write_temp(path: Path, data: bytes) -> Path:
    tmp = temporary(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    except OSError as exc:
        with suppress(OSError):
            tmp.unlink(missing_ok=True)
        if exc.errno in FULL:
            raise disk_full(path, exc) from None
        raise StoreError(f"cannot write {path}: {why(tmp, exc)}") from None
    return tmp


def write_atomic(path: Path, data: bytes | str) -> None:
    """Write one file atomically."""
    publish({path: data})


def publish(files: Mapping[Path, bytes | str], obsolete: Iterable[Path] = ()) -> None:
    """Write several files all-or-nothing (see the module docstring); then remove the
    ``obsolete`` files (an earlier set's files that this set replaces by none)."""
    written: list[tuple[Path, Path]] = []
    try:
        for path, data in files.items():
            raw = data.encode() if isinstance(data, str) else data
            if path.is_file() and path.stat().st_size == len(raw) and path.read_bytes() == raw:
                continue  # unchanged: not written again
            written.append((_write_temp(path, raw), path))
    except BaseException:
        for tmp, _ in written:
            tmp.unlink(missing_ok=True)
        raise
    for tmp, path in written:
        os.replace(tmp, path)
    for path in obsolete:
        path.unlink(missing_ok=True)


def alive(host: str, pid: int) -> bool:
    """Whether process ``pid`` of ``host`` may still run (another host's: assume yes)."""
    if host != HOST:
        return True
    try:
        os.kill(pid, 0)
    except OSError as exc:
        return exc.errno == errno.EPERM
    return True


def sweep_temporaries(folder: Path) -> list[Path]:
    """Remove the temporary files of dead writers in ``folder`` (not recursive)."""
    removed = []
    for path in folder.glob(".*.tmp") if folder.is_dir() else []:
        m = TEMP.match(path.name)
        if m and not alive(m["host"], int(m["pid"])):
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


@contextmanager
def staged(path: Path) -> Iterator[Path]:
    """A temporary path next to ``path`` to be filled by the caller (e.g. ``savefig``);
    renamed onto ``path`` when the block succeeds, removed when it fails."""
    tmp = temporary(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"cannot write {path}: {why(tmp, exc)}") from None
    try:
        yield tmp
        os.replace(tmp, path)
    except OSError as exc:
        if exc.errno in FULL:
            raise disk_full(path, exc) from None
        raise StoreError(f"cannot write {path}: {why(tmp, exc)}") from None
    finally:
        with suppress(OSError):
            tmp.unlink(missing_ok=True)
