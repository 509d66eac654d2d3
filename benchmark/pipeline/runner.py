"""Running planned cells: in this process one after another, or through an executor (local
worker processes, a Dask cluster; :mod:`benchmark.pipeline.executors`). Either way a finished
cell is reused, a cell being computed by another run into the same folder is waited for and
not computed twice, a failing cell is reported at once and never cached, Ctrl-C stops cleanly
(what finished is kept), and the finished cells of each dataset are folded into its pack.
"""

from __future__ import annotations

import signal
import sys
import threading
from dataclasses import dataclass, field
from typing import Any

from tqdm import tqdm

from benchmark.core import progress as steps
from benchmark.core.catalog import dataset_key
from benchmark.core.config import CellConfig
from benchmark.pipeline.cached import finished
from benchmark.pipeline.harness import (
    CellResult,
    DatasetCache,
    checked_prepared,
    ensure_qrels,
    run_cell,
)
from benchmark.pipeline.prepare import Prepared
from benchmark.store import Store

#: relative cost of a cell by reranker family, for the progress bar's ETA when the results
#: folder has no finished cell of that reranker yet (seconds on the default dataset, rounded)
COSTS = {"lambdamart": 2.0, "calibrated-fusion": 0.5, "sft": 1.5, "allrank": 8.0, "smar": 6.0}


@dataclass
class GridOutcome:
    results: list[CellResult] = field(default_factory=list)
    failures: list[tuple[CellConfig, str]] = field(default_factory=list)
    interrupted: bool = False

    def fail(self, cell: CellConfig, message: str) -> None:
        self.failures.append((cell, message))
        tqdm.write(
            f"error: cell {cell.run_id} ({cell.reranker} budget={cell.budget} "
            f"seed={cell.seed}) failed: {message}",
            file=sys.stderr,
        )


def expected_cost(config: CellConfig, seen: dict[str, float]) -> float:
    if config.reranker in seen:
        return seen[config.reranker]
    family = next((k for k in COSTS if config.reranker.startswith(k)), None)
    return COSTS[family] if family else 0.4


class Progress:
    """A progress bar over cells whose ETA weights each cell by its expected cost (the median
    wall time of finished cells of the same reranker in the store, else :data:`COSTS`)."""

    def __init__(self, cells: list[CellConfig], store: Store, enabled: bool) -> None:
        seen: dict[str, list[float]] = {}
        if enabled:
            for cell in store.loose.scan():
                seen.setdefault(cell.config["reranker"], []).append(cell.manifest["wall_time_s"])
        medians = {k: sorted(v)[len(v) // 2] for k, v in seen.items()}
        self.cost = {c.run_id: expected_cost(c, medians) for c in cells}
        total = round(sum(self.cost.values()), 1)
        bar_format = "{l_bar}{bar}| {postfix} [{elapsed}<{remaining}]"
        self.bar = tqdm(
            total=total,
            desc="cells",
            disable=steps.disable(enabled),  # a bar on a terminal only, never in a log
            file=sys.stderr,
            bar_format=bar_format,
        )
        self.done, self.n = 0, len(cells)

    def step(self, cell: CellConfig) -> None:
        self.done += 1
        self.bar.set_postfix_str(f"{self.done}/{self.n} cells, last {cell.reranker}", False)
        self.bar.update(self.cost[cell.run_id])

    def close(self) -> None:
        self.bar.close()


def run(
    cells: list[CellConfig],
    store: Store,
    *,
    force: bool = False,
    progress: bool = True,
    cache: DatasetCache | None = None,
    command: str = "",
    executor: Any = None,
    measures: tuple[str, ...] = (),
) -> GridOutcome:
    """Run every cell (see the module docstring); ``executor`` None runs them here. With
    ``progress``, a bar over cells and, in this process, bars over long steps."""
    cache = cache or DatasetCache()
    outcome = GridOutcome()
    progress_shown, bar = progress, Progress(cells, store, progress)
    try:
        with steps.shown(progress_shown and executor is None):
            job = Job(store, cache, force, command, measures)
            if executor is None:
                serial(cells, job, outcome, bar)
            else:
                parallel(cells, job, executor, outcome, bar)
    except KeyboardInterrupt:
        outcome.interrupted = True
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # one Ctrl-C: the rest is cleaning up
    finally:
        bar.close()
        for key in dict.fromkeys(dataset_key(c.dataset, c.dataset_params) for c in cells):
            store.pack_cells(key)
    return outcome


@dataclass(frozen=True)
class Job:
    """What every cell of a run shares: where results go, the datasets, the options."""

    store: Store
    cache: DatasetCache
    force: bool
    command: str
    measures: tuple[str, ...]

    def find(self, cell: CellConfig, locked: bool = False) -> Any:
        """The finished cell (with every requested measure), or None: compute it."""
        if self.force:
            return None
        key = dataset_key(cell.dataset, cell.dataset_params)
        return finished(self.store, cell.run_id, key, self.measures, locked=locked)


def serial(cells: list[CellConfig], job: Job, outcome: GridOutcome, bar: Progress) -> None:
    for cell in cells:
        try:
            result = run_cell(
                cell,
                job.store,
                job.cache,
                force=job.force,
                command=job.command,
                measures=job.measures,
            )
            outcome.results.append(result)
        except Exception as exc:  # one failed cell must not lose the others
            if interrupted(exc):
                raise KeyboardInterrupt from None
            outcome.fail(cell, f"{type(exc).__name__}: {exc}")
        bar.step(cell)


def interrupted(exc: BaseException) -> bool:
    """Whether a Ctrl-C caused ``exc``: Python wraps a KeyboardInterrupt raised in some places
    into another error (in ``__set_name__`` during an import: "RuntimeError: Error calling
    __set_name__", after which every later cell failed on the half-imported module)."""
    seen: set[int] = set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:
        if isinstance(cause, KeyboardInterrupt):
            return True
        seen.add(id(cause))
        cause = cause.__cause__ or cause.__context__
    return False


def claim(
    cells: list[CellConfig], job: Job, outcome: GridOutcome, bar: Progress
) -> tuple[dict[str, Any], list[CellConfig]]:
    """Lock every cell this run must compute; finished cells become results; cells another
    run is computing are returned apart (``deferred``)."""
    locks: dict[str, Any] = {}
    deferred = []
    store = job.store
    for cell in cells:
        found = job.find(cell)
        handle = None if found else store.try_lock(cell.run_id)
        if not found and handle is None:
            deferred.append(cell)
            continue
        found = found or job.find(cell, locked=True)
        if found:
            if handle is not None:
                store.release(handle)
            outcome.results.append(CellResult(cell, found, cached=True))
            bar.step(cell)
        else:
            locks[cell.run_id] = handle
    return locks, deferred


def parallel(
    cells: list[CellConfig], job: Job, executor: Any, outcome: GridOutcome, bar: Progress
) -> None:
    store = job.store
    locks, deferred = claim(cells, job, outcome, bar)
    todo = [c for c in cells if c.run_id in locks]

    def prepare(cell: CellConfig) -> Prepared:
        data = checked_prepared(cell, job.cache)
        ensure_qrels(store, data)
        return data

    try:
        for cell, files, message in executor.run(todo, prepare, job.command, job.measures):
            if files is None:
                outcome.fail(cell, message or "failed")
            else:
                outcome.results.append(CellResult(cell, store.commit(cell.run_id, files), False))
            store.release(locks.pop(cell.run_id))
            bar.step(cell)
    finally:
        for handle in locks.values():
            store.release(handle)
    serial(deferred, job, outcome, bar)
