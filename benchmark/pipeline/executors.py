"""Where cells are computed: local worker processes (``--jobs N``; a Dask cluster is
:mod:`benchmark.pipeline.cluster`). This process stays the client: it prepares every dataset
once (loading and stage 1, in a background thread, one dataset ahead of the workers), hands
the prepared data to the workers once (a file each worker reads once), submits cells, and
writes what comes back through its store. Workers only compute (:func:`compute_files`); they
never touch the results folder. While the workers start (seconds: their fork server imports
torch), the client computes cells too, with the same function (:meth:`~LocalProcesses.meanwhile`).

Each worker computes one cell at a time, single-threaded (torch, LightGBM and numba use one
thread), which is also why results do not depend on the executor: every cell is a function of
its config alone."""

from __future__ import annotations

import multiprocessing
import pickle
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
from benchmark.pipeline import here
from benchmark.pipeline.harness import compute_files
from benchmark.pipeline.prepare import Prepared
from benchmark.pipeline.worker import worker_compute, worker_init

#: (config, the cell's files or None, an error message or None)
Done = tuple[CellConfig, dict[str, bytes] | None, str | None]
Prepare = Callable[[CellConfig], Prepared]


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
        #: the cell this process computes beside the workers (:meth:`meanwhile`)
        self.here: dict[Future[dict[str, bytes]], CellConfig] = {}

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
        self.start(cells)
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
            try:
                yield from self.meanwhile(queue, datasets, task)
                while queue or self.here:
                    yield from self._pool(queue, source, task)
            finally:
                self.abandon()

    def meanwhile(
        self, queue: list[CellConfig], datasets: dict[str, Future[Prepared]], task: Any
    ) -> Iterator[Done]:
        """While the workers start (the fork server's imports take seconds, torch's most),
        this process computes cells too, one at a time in a thread: the cheapest of those whose
        reranker needs nothing this process has not loaded (never torch here), on datasets of
        at most :data:`here.HELP_ROWS` rows. The one it is computing when the workers are ready
        stays in flight beside them (:meth:`_drain`): on larger data, a long third cell."""
        order = {key: i for i, key in enumerate(datasets)}
        while self.starting is not None and not self.starting.done():
            light = [c for c in queue if here.helps(c, datasets[key_of(c)].result())]
            if not light:
                return
            config = min(light, key=lambda c: (order[key_of(c)], cost(c)))
            queue.remove(config)
            future = here.in_thread(compute_files, config, datasets[key_of(config)].result(), *task)
            both: list[Future[Any]] = [future, self.starting]
            wait(both, return_when=FIRST_COMPLETED)
            if not future.done():
                self.here[future] = config
                return
            yield done(config, future)

    def abandon(self) -> None:
        """Shut down workers started for cells this process computed itself, once forked."""
        if self.starting is not None:
            self.starting.add_done_callback(shut)
            self.starting = None

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
        """Cells out to ``pool``'s workers, at most ``jobs`` at a time, beside the cell this
        process may still be computing (:attr:`here`); results as they finish."""
        flight: dict[Future[dict[str, bytes]], CellConfig] = dict(self.here)
        while queue or flight:
            while queue and len(flight) - len(self.here) < self.jobs:
                config = queue.pop()
                flight[submit(pool, config, source(config), task)] = config
            finished, _ = wait(flight, timeout=WATCH_S, return_when=FIRST_COMPLETED)
            if not finished:
                unstick(pool)
                continue
            broken = False
            for future in finished:
                config = flight.pop(future)
                self.here.pop(future, None)
                broken |= isinstance(future.exception(), BrokenProcessPool)
                yield done(config, future)
            if broken:  # every cell in flight on a worker died with the pool
                for future, config in flight.items():
                    if future not in self.here:
                        yield config, None, error(BrokenProcessPool())
                return


def submit(pool: ProcessPoolExecutor, config: CellConfig, source: str, task: Any) -> Future[Any]:
    """The cell sent to a worker; a future failed with BrokenProcessPool when a worker died
    before it went out (``submit`` raises then)."""
    try:
        return pool.submit(worker_compute, config, source, *task)
    except BrokenProcessPool as exc:
        failed: Future[Any] = Future()
        failed.set_exception(exc)
        return failed


def done(config: CellConfig, future: Future[dict[str, bytes]]) -> Done:
    exc = future.exception()
    return (config, None, error(exc)) if exc else (config, future.result(), None)


def shut(started: Future[ProcessPoolExecutor]) -> None:
    if started.exception() is None:
        started.result().shutdown(wait=False)


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
