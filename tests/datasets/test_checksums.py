"""The sha256 cache of data files (:mod:`datasets.checksums`): a file is hashed again whenever
it may have changed, even when its size and modification time are what they were."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from datasets import checksums


@pytest.fixture(autouse=True)
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


def no_hashing(path: Path) -> str:
    raise AssertionError(f"{path} hashed again")


def test_an_unchanged_file_is_hashed_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(checksums, "RACY_NS", 0)  # the file was written just now
    path = tmp_path / "train.txt"
    path.write_bytes(b"2 qid:1 1:0.5\n")
    first = checksums.digest(path)
    monkeypatch.setattr(checksums, "sha256_of", no_hashing)
    assert checksums.digest(path) == first == hashlib.sha256(path.read_bytes()).hexdigest()


def test_an_edit_keeping_size_and_mtime_is_hashed_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A label edited in place, then the old mtime put back (``touch -r``, ``cp -p``,
    ``rsync -t``): the new bytes' digest, not the cached one."""
    monkeypatch.setattr(checksums, "RACY_NS", 0)
    path = tmp_path / "train.txt"
    path.write_bytes(b"2 qid:1 1:0.5\n")
    before = path.stat()
    first = checksums.digest(path)
    path.write_bytes(b"0 qid:1 1:0.5\n")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = path.stat()
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    assert checksums.digest(path) == hashlib.sha256(b"0 qid:1 1:0.5\n").hexdigest() != first


def test_a_file_changed_just_now_is_not_remembered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file whose last change is more recent than the file system's timestamps can tell
    apart may change again unseen: hashed, not remembered."""
    path = tmp_path / "train.txt"
    path.write_bytes(b"2 qid:1 1:0.5\n")
    checksums.digest(path)
    assert str(path.resolve()) not in checksums.load_cache()
