"""sha256 checksums of data files, verified once per file version: the verified
``(path, size, mtime)`` are remembered in ``~/.cache/wholepage-bench/sha256.json`` so large
files are not re-hashed on every run. The same cache serves content fingerprints."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from benchmark.core.data import DataError


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
    """Add a verified ``(size, mtime, sha256)`` to the cache (a read-only home only costs
    re-hashing next time)."""
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


def verify_sha256(path: Path, expected: str) -> None:
    """Raise :class:`DataError` unless ``path`` has the digest ``expected``."""
    actual = digest(path)
    if actual != expected:
        raise DataError(
            f"{path}: sha256 is {actual}, expected {expected} (a different or "
            "damaged copy; see the dataset's PROVENANCE)"
        )


def digest(path: Path) -> str:
    """The sha256 of ``path``, from the cache when its (size, mtime) are unchanged."""
    stat = path.stat()
    key = str(path.resolve())
    entry = load_cache().get(key)
    if entry and entry["size"] == stat.st_size and entry["mtime_ns"] == stat.st_mtime_ns:
        return str(entry["sha256"])
    actual = sha256_of(path)
    remember(key, {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "sha256": actual})
    return actual
