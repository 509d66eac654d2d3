"""Where cells are computed: local worker processes (``--jobs N``) or a Dask cluster
(``--executor dask --scheduler ADDRESS``). This process stays the client: it prepares every
dataset once (loading and stage 1, in a background thread, one dataset ahead of the workers),
hands the prepared data to the workers once (a file each worker reads once; a Dask
``scatter``), submits cells, and writes what comes back through its store. Workers only
compute (:func:`benchmark.pipeline.harness.compute_files`); they never touch the results
folder, so a cluster run and a local run fill the same folder interchangeably.

Each worker computes one cell at a time, single-threaded (torch, LightGBM and numba use one
thread), which is also why results do not depend on the executor: every cell is a function of
its config alone.
"""

from __future__ import annotations

import multiprocessing
import pickle
import signal
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import (
    FIRST_COMPLETED,
    Future,
    ProcessPoolExecutor,
    ThreadPoolExecutor,
    wait,
)
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from benchmark.core.config import CellConfig, canonical_json
from benchmark.pipeline.harness import compute_files
from benchmark.pipeline.prepare import Prepared

#: (config, the cell's files or None, an error message or None)
Done = tuple[CellConfig, dict[str, bytes] | None, str | None]
Prepare = Callable[[CellConfig], Prepared]
_PREPARED: dict[str, Prepared] = {}  # a worker process's datasets, loaded once per file


def key_of(config: CellConfig) -> str:
    """Which prepared data a cell needs: the dataset and all its parameters. Not its results
    key: the folds of a cross-validated run share one key but each has its own data."""
    return canonical_json([config.dataset, config.dataset_params])


def ahead(cells: list[CellConfig], prepare: Prepare) -> dict[str, Future[Prepared]]:
    """Each dataset of ``cells`` prepared in a background thread, in order of first use, so
    the workers compute the cells of one dataset while the next is loaded and its stage 1 run."""
    thread = ThreadPoolExecutor(1, thread_name_prefix="prepare")
    first = {key_of(c): c for c in reversed(cells)}
    futures = {key: thread.submit(prepare, first[key]) for key in dict.fromkeys(map(key_of, cells))}
    thread.shutdown(wait=False)
    return futures


def worker_init() -> None:
    """Runs once in each worker process: one thread everywhere; Ctrl-C is the client's to
    handle (a worker ignores it and is shut down by the client)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    single_threaded()


def single_threaded() -> None:
    """numba and, when a cell needs it and it is loaded, torch on one thread (the network
    rerankers also set their own thread count while they fit and score)."""
    import numba

    numba.set_num_threads(1)
    if "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(1)


def warm() -> None:
    """Load what every cell needs before the first one arrives (while the client prepares the
    data): the rerankers, LightGBM, ranx and its cached numba kernels."""
    import lightgbm  # noqa: F401

    from benchmark.core.measures import MEASURES
    from benchmark.core.reranker import RERANKERS
    from benchmark.pipeline import ranx_lists

    RERANKERS.names()
    ranx = [m.ranx for m in MEASURES if m.ranx]
    ranx_lists.evaluate({"q": {"d": 1}}, {"q": {"d": 1.0, "e": 0.5}}, ranx)


def cost(config: CellConfig) -> float:
    """A cell's rough time for ordering (:attr:`Reranker.cost`, scaled by the labels bought)."""
    from benchmark.core.reranker import RERANKERS

    share = 1.0 if config.budget is None else 0.2 + config.budget
    return RERANKERS.get(config.reranker).cost * share


def longest_first(cells: list[CellConfig]) -> list[CellConfig]:
    """``cells`` with each dataset's longest cells first; datasets in order of first use (the
    order they are prepared in), so no worker waits for a dataset out of turn."""
    first = {k: i for i, k in reversed(list(enumerate(map(key_of, cells))))}
    return sorted(cells, key=lambda c: (first[key_of(c)], -cost(c)))


def worker_compute(
    config: CellConfig, source: str, command: str, measures: tuple[str, ...]
) -> dict[str, bytes]:
    """A cell in a worker: its dataset is read once per worker from the client's file."""
    if source not in _PREPARED:
        with open(source, "rb") as fh:
            _PREPARED[source] = pickle.load(fh)
    return compute_files(config, _PREPARED[source], command, measures)


def error(exc: BaseException) -> str:
    """One line for a cell that failed on a worker."""
    if isinstance(exc, BrokenProcessPool):
        return "a worker process died while computing it (nothing of it was kept)"
    text = " ".join(str(exc).split())
    if "deserializ" in text.lower():  # the scheduler or a worker cannot import the project
        text = (
            "the Dask scheduler or a worker could not unpickle the task; start both with "
            "PYTHONPATH=<this project's root> and the same lock installed (docs/usage.md, "
            f"'Running on every core, or on a cluster'); Dask said: {text[:200]}"
        )
    return f"{type(exc).__name__}: {text}"


def preloads(cells: Iterable[CellConfig]) -> list[str]:
    """:mod:`benchmark.pipeline.preload`, then what the rerankers of ``cells`` import when they
    fit (:attr:`Reranker.imports`: torch only for a run that has a network reranker)."""
    from benchmark.core.reranker import RERANKERS

    needed = (m for c in cells for m in RERANKERS.get(c.reranker).imports)
    return ["benchmark.pipeline.preload", *dict.fromkeys(needed)]


def context(modules: list[str]) -> Any:
    """Workers forked from a fork server that imported ``modules`` once (:func:`preloads`: the
    harness, rerankers, LightGBM, ranx and its compiled kernels, torch when a cell needs it):
    each worker starts with them loaded, and inherits none of the client's threads (a plain
    fork would). A fork server already running in this process keeps what it loaded."""
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(modules)
    return ctx


class LocalProcesses:
    """``jobs`` worker processes forked from a fork server that has already loaded and warmed
    everything a cell needs (:func:`context`; so no worker pays the imports and nothing of this
    process's threads is inherited), started once per run while the first dataset is prepared.
    Cells go out longest first (:func:`longest_first`), one more as soon as one finishes. Each
    prepared dataset is written once to a temporary file that the workers read once. At most
    ``jobs`` cells are in flight; when a worker dies, the cells in flight are reported failed
    and a fresh pool takes the rest."""

    def __init__(self, jobs: int) -> None:
        self.jobs = jobs
        self.started: ProcessPoolExecutor | None = None
        self.starting: Future[ProcessPoolExecutor] | None = None

    def start(self, cells: Iterable[CellConfig] = ()) -> None:
        """Start the workers for ``cells`` in a background thread (the fork server loads and
        warms what they need once; forking a worker waits for that), so that the client loads
        the data meanwhile: they are ready when the first cell is."""
        if self.started is None and self.starting is None:
            modules = preloads(cells)
            thread = ThreadPoolExecutor(1, thread_name_prefix="workers")
            self.starting = thread.submit(self.spawn, modules)
            thread.shutdown(wait=False)

    def spawn(self, modules: list[str]) -> ProcessPoolExecutor:
        pool = ProcessPoolExecutor(self.jobs, mp_context=context(modules), initializer=worker_init)
        for _ in range(self.jobs):  # a worker is forked per task until there are jobs
            pool.submit(int)
        return pool

    def ready(self) -> ProcessPoolExecutor:
        """The started pool (waiting for its workers if they are still being forked)."""
        if self.starting is not None:
            self.started, self.starting = self.starting.result(), None
        assert self.started is not None
        return self.started

    def run(
        self, cells: list[CellConfig], prepare: Prepare, command: str, measures: tuple[str, ...]
    ) -> Iterator[Done]:
        datasets = ahead(cells, prepare)
        task = (command, measures)
        with tempfile.TemporaryDirectory(prefix="wholepage-datasets-") as tmp:
            files: dict[str, str] = {}

            def source(config: CellConfig) -> str:
                key = key_of(config)
                if key not in files:
                    files[key] = f"{tmp}/{key}.pickle"
                    with open(files[key], "wb") as fh:
                        pickle.dump(datasets[key].result(), fh, protocol=5)
                return files[key]

            queue = list(reversed(longest_first(cells)))
            while queue:
                yield from self._pool(queue, source, task)

    def _pool(self, queue: list[CellConfig], source: Any, task: Any) -> Iterator[Done]:
        self.start(queue)
        pool, self.started = self.ready(), None
        try:
            yield from self._drain(pool, queue, source, task)
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        pool.shutdown(wait=True)

    def _drain(
        self, pool: ProcessPoolExecutor, queue: list[CellConfig], source: Any, task: Any
    ) -> Iterator[Done]:
        flight: dict[Future[dict[str, bytes]], CellConfig] = {}
        while queue or flight:
            while queue and len(flight) < self.jobs:
                config = queue.pop()
                flight[pool.submit(worker_compute, config, source(config), *task)] = config
            done, _ = wait(flight, timeout=WATCH_S, return_when=FIRST_COMPLETED)
            if not done:
                unstick(pool)
                continue
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


#: seconds without a finished cell after which the pool is checked for a dead worker
WATCH_S = 5.0


def unstick(pool: ProcessPoolExecutor) -> None:
    """When a worker has died yet no cell finished for :data:`WATCH_S` seconds, it may have
    died while sending a result: holding the result queue's lock (the other workers then block
    on it) and leaving half a message, which CPython 3.11's pool manager waits for forever
    instead of declaring the pool broken (a test that kills a worker hung so once). Ending the
    other workers and this process's end of the result pipe gives the manager an end of file:
    the pool breaks, its cells fail and a fresh pool takes the rest. ProcessPoolExecutor has no
    public way to do this, hence its private ``_processes`` and ``_result_queue``."""
    members: Any = pool
    processes = list((members._processes or {}).values())
    if not any(p.exitcode is not None for p in processes):
        return
    for p in processes:
        if p.exitcode is None:
            p.terminate()
    members._result_queue._writer.close()


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
