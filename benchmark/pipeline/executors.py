"""Where cells are computed: local worker processes (``--jobs N``) or a Dask cluster
(``--executor dask --scheduler ADDRESS``). This process stays the client: it prepares every
dataset once (loading and stage 1), hands the prepared data to the workers once (a process
initializer; a Dask ``scatter``), submits cells, and writes what comes back through its store.
Workers only compute (:func:`benchmark.pipeline.harness.compute_files`); they never touch the
results folder, so a cluster run and a local run fill the same folder interchangeably.

Each worker computes one cell at a time, single-threaded (torch, LightGBM and numba use one
thread), which is also why results do not depend on the executor: every cell is a function of
its config alone.
"""

from __future__ import annotations

import multiprocessing
import signal
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from benchmark.core.catalog import dataset_key
from benchmark.core.config import CellConfig
from benchmark.pipeline.harness import compute_files
from benchmark.pipeline.prepare import Prepared

#: (config, the cell's files or None, an error message or None)
Done = tuple[CellConfig, dict[str, bytes] | None, str | None]
_PREPARED: dict[str, Prepared] = {}  # a worker process's datasets, set once by its initializer


def worker_init(prepared: dict[str, Prepared]) -> None:
    """Runs once in each worker process: keep the datasets, one thread everywhere; Ctrl-C is
    the client's to handle (a worker ignores it and is shut down by the client)."""
    import numba
    import torch

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _PREPARED.update(prepared)
    numba.set_num_threads(1)
    torch.set_num_threads(1)


def worker_compute(config: CellConfig, command: str) -> dict[str, bytes]:
    prepared = _PREPARED[dataset_key(config.dataset, config.dataset_params)]
    return compute_files(config, prepared, command)


def error(exc: BaseException) -> str:
    if isinstance(exc, BrokenProcessPool):
        return "a worker process died while computing it (nothing of it was kept)"
    return f"{type(exc).__name__}: {exc}"


class LocalProcesses:
    """``jobs`` worker processes (spawned, so nothing of this process's threads is inherited).
    At most ``jobs`` cells are in flight; when a worker dies, the cells in flight are reported
    failed and a fresh pool takes the rest."""

    def __init__(self, jobs: int) -> None:
        self.jobs = jobs

    def run(
        self, cells: list[CellConfig], prepared: dict[str, Prepared], command: str
    ) -> Iterator[Done]:
        queue = list(reversed(cells))
        while queue:
            pool = ProcessPoolExecutor(
                self.jobs,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=worker_init,
                initargs=(prepared,),
            )
            try:
                yield from self._drain(pool, queue, command)
            except BaseException:
                pool.shutdown(wait=False, cancel_futures=True)
                raise
            pool.shutdown(wait=True)

    def _drain(self, pool: ProcessPoolExecutor, queue: list[CellConfig], command: str) -> Any:
        flight: dict[Future[dict[str, bytes]], CellConfig] = {}
        while queue or flight:
            while queue and len(flight) < self.jobs:
                config = queue.pop()
                flight[pool.submit(worker_compute, config, command)] = config
            done, _ = wait(flight, return_when=FIRST_COMPLETED)
            broken = False
            for future in done:
                config = flight.pop(future)
                exc = future.exception()
                broken |= isinstance(exc, BrokenProcessPool)
                yield (config, None, error(exc)) if exc else (config, future.result(), None)
            if broken:  # every cell in flight died with the pool
                for config in flight.values():
                    yield config, None, error(BrokenProcessPool())
                return


class DaskCluster:
    """Cells as tasks of a Dask cluster (dask.distributed): the prepared datasets are
    scattered to every worker once; results come back as they finish."""

    def __init__(self, scheduler: str) -> None:
        self.scheduler = scheduler

    def run(
        self, cells: list[CellConfig], prepared: dict[str, Prepared], command: str
    ) -> Iterator[Done]:
        from distributed import Client, as_completed

        with Client(self.scheduler) as client:
            data = client.scatter(prepared, broadcast=True)
            futures = {
                client.submit(
                    dask_compute,
                    c,
                    data[dataset_key(c.dataset, c.dataset_params)],
                    command,
                    pure=False,
                    retries=0,
                ): c
                for c in cells
            }
            for future in as_completed(futures):
                config = futures[future]
                if future.status == "finished":
                    yield config, future.result(), None
                else:
                    yield config, None, error(future.exception())


def dask_compute(config: CellConfig, prepared: Prepared, command: str) -> dict[str, bytes]:
    """A Dask task: one cell, single-threaded like a local worker."""
    import numba
    import torch

    numba.set_num_threads(1)
    torch.set_num_threads(1)
    return compute_files(config, prepared, command)
