"""Cells as tasks of a Dask cluster (``--executor dask --scheduler ADDRESS``): the client
prepares each dataset once (:func:`benchmark.pipeline.executors.ahead`) and scatters it to every
worker once; workers only compute, single-threaded like a local worker, and results come back
as they finish (the client writes them through its store)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from benchmark.core.config import CellConfig
from benchmark.pipeline.executors import Done, Prepare, ahead, error, key_of
from benchmark.pipeline.harness import compute_files
from benchmark.pipeline.prepare import Prepared
from benchmark.pipeline.worker import single_threaded


class DaskCluster:
    """Cells as tasks of a Dask cluster (dask.distributed): each prepared dataset is scattered
    to every worker once; results come back as they finish."""

    def __init__(self, scheduler: str) -> None:
        self.scheduler = scheduler

    def run(
        self, cells: list[CellConfig], prepare: Prepare, command: str, measures: tuple[str, ...]
    ) -> Iterator[Done]:
        from distributed import Client, as_completed

        datasets = ahead(cells, prepare)
        with Client(self.scheduler) as client:
            scattered: dict[str, Any] = {}
            futures = {}
            for c in cells:
                key = key_of(c)
                if key not in scattered:
                    scattered[key] = client.scatter(datasets[key].result(), broadcast=True)
                task = client.submit(
                    dask_compute, c, scattered[key], command, measures, pure=False, retries=0
                )
                futures[task] = c
            for future in as_completed(futures):
                config = futures[future]
                if future.status == "finished":
                    yield config, future.result(), None
                else:
                    yield config, None, error(future.exception())


def dask_compute(
    config: CellConfig, prepared: Prepared, command: str, measures: tuple[str, ...]
) -> dict[str, bytes]:
    """A Dask task: one cell, single-threaded like a local worker."""
    single_threaded()
    return compute_files(config, prepared, command, measures)
