"""sha256 checksums of data files, verified once per file version: the digests are remembered
in ``~/.cache/wholepage-bench/sha256.json`` so large files are not re-hashed on every run. The
same cache serves content fingerprints, so it must never return the digest of older bytes.

A remembered digest is used only while the file's size, modification time, inode, device and
status-change time (``ctime``) are all unchanged. Size and mtime alone are not enough: an edit
that keeps the size and puts the old mtime back (``touch -r``, ``cp -p``, ``rsync -t``) would
reuse the old digest, and with it the cells of the old data. ``ctime`` cannot be set that way
(every write or ``utime`` sets it to now), and a replaced file has a new inode. A file changed
less than :data:`RACY_NS` before it is hashed is not remembered: a file system with coarse
timestamps could give a second edit within that time the same ``ctime`` (git's "racily
clean" entries)."""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path

from benchmark.core.data import DataError

RACY_NS = 2_000_000_000  # 2 s, the coarsest timestamps of a common file system (FAT)


def cache_file() -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    return base / "wholepage-bench" / "sha256.json"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(1 << 22):
            digest.update(block)
    return digest.hexdigest()


def load_cache() -> dict[str, dict[str, object]]:
    try:
        cache: dict[str, dict[str, object]] = json.loads(cache_file().read_text())
    except (OSError, ValueError):
        return {}
    return cache if isinstance(cache, dict) else {}


def remember(key: str, stamp: dict[str, object]) -> None:
    """Add a verified ``stamp`` (:func:`stamp_of` and ``sha256``) to the cache (a read-only
    home only costs re-hashing next time)."""
    cache = load_cache()
    cache[key] = stamp
    path = cache_file()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}")
        tmp.write_text(json.dumps(cache, indent=1, sort_keys=True))
        os.replace(tmp, path)
    except OSError:
        pass


def stamp_of(stat: os.stat_result) -> dict[str, object]:
    """What must be unchanged for a remembered digest to hold: not size and mtime alone."""
    return {
        "size": stat.st_size,
        "mtime_ns": stat.st_mtime_ns,
        "ctime_ns": stat.st_ctime_ns,
        "inode": stat.st_ino,
        "device": stat.st_dev,
    }


def verify_sha256(path: Path, expected: str) -> None:
    """Raise :class:`DataError` unless ``path`` has the digest ``expected``."""
    actual = digest(path)
    if actual != expected:
        raise DataError(
            f"{path}: sha256 is {actual}, expected {expected} (a different or "
            "damaged copy; see the dataset's PROVENANCE)"
        )


def digest(path: Path) -> str:
    """The sha256 of ``path``, from the cache when its :func:`stamp_of` is unchanged."""
    stat = path.stat()
    key = str(path.resolve())
    stamp = stamp_of(stat)
    entry = load_cache().get(key)
    if isinstance(entry, dict) and {k: entry.get(k) for k in stamp} == stamp:
        return str(entry["sha256"])
    actual = sha256_of(path)
    if time.time_ns() - stat.st_ctime_ns >= RACY_NS:
        remember(key, {**stamp, "sha256": actual})
    return actual
