"""Shared fixtures: a small seeded synthetic-serp with stage-1 scores, built once per session."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

import pytest

from benchmark import configure_environment

if TYPE_CHECKING:
    from benchmark.core.config import CellConfig
    from benchmark.pipeline.harness import DatasetCache, Prepared

TINY = {"n_queries": 240, "seed": 3}
#: TINY as `run`/`report` options
TINY_ARGS = [f"--dataset-param={k}={v}" for k, v in TINY.items()]


def tiny_config(
    reranker: str,
    budget: float | None = None,
    strategy: str | None = None,
    seed: int = 0,
    dataset_params: dict[str, Any] | None = None,
) -> CellConfig:
    """A cell of synthetic-serp (the tiny one by default), with its data fingerprint."""
    from benchmark.core.catalog import fingerprint, parse_spec
    from benchmark.core.config import CellConfig
    from benchmark.pipeline.prepare import default_data_dir

    params = dict(TINY if dataset_params is None else dataset_params)
    version = parse_spec("synthetic-serp")[0].version
    content = fingerprint("synthetic-serp", params, default_data_dir())
    return CellConfig(
        "synthetic-serp", reranker, budget, strategy, seed, {}, params, version, content
    )


def pytest_configure(config: pytest.Config) -> None:
    configure_environment()  # before any test module imports ranx (numba) or LightGBM
    # runs in this process unless a test asks for workers (--jobs): tests patch functions that
    # workers would not see; inherited by the runs tests start as child processes
    os.environ["BENCHMARK_JOBS"] = "1"
    import baselines  # noqa: F401  (registers the rerankers)
    import datasets  # noqa: F401  (registers the datasets)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """A run that executes no test is a failure, not a pass (pytest's exit code 5)."""
    if exitstatus == pytest.ExitCode.NO_TESTS_COLLECTED:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(scope="session")
def cache() -> DatasetCache:
    from benchmark.pipeline.harness import DatasetCache

    return DatasetCache()


@pytest.fixture(scope="session")
def tiny(cache: DatasetCache) -> Prepared:
    """synthetic-serp with 240 queries and stage-1 scores."""
    return cache.get("synthetic-serp", TINY)
