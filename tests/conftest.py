"""Shared fixtures: a small seeded synthetic-serp with stage-1 scores, built once per session."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

os.environ.setdefault(
    "NUMBA_CACHE_DIR",
    str(Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "wholepage-bench" / "numba"),
)

import pytest  # noqa: E402

import baselines  # noqa: E402, F401
import datasets  # noqa: E402, F401
from benchmark.harness import DatasetCache, Prepared  # noqa: E402

TINY = {"n_queries": 240, "seed": 3}


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """A run that executes no test is a failure, not a pass (pytest's exit code 5)."""
    if exitstatus == pytest.ExitCode.NO_TESTS_COLLECTED:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(scope="session")
def cache() -> DatasetCache:
    return DatasetCache()


@pytest.fixture(scope="session")
def tiny(cache: DatasetCache) -> Prepared:
    """synthetic-serp with 240 queries and stage-1 scores."""
    return cache.get("synthetic-serp", TINY)


@pytest.fixture
def out_dir() -> Path:
    with tempfile.TemporaryDirectory() as tmp:
        yield Path(tmp)
