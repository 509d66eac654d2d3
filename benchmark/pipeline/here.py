"""The client's own share of a ``--jobs`` run
(:meth:`benchmark.pipeline.executors.LocalProcesses.meanwhile`): which cells it computes while
the workers start, and the thread it computes them in."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from benchmark.core.config import CellConfig
from benchmark.pipeline.prepare import Prepared

#: the most rows (every split's) of a dataset whose cells this process computes while the
#: workers start: 8x the default data, where a cell takes up to about 30 s
HELP_ROWS = 1_000_000


def helps(config: CellConfig, prepared: Prepared) -> bool:
    """Whether this process computes ``config`` while the workers start: its reranker needs no
    module this process has not loaded (:func:`loaded`) and its data is small."""
    rows = sum(split.n_items for split in prepared.dataset.splits.values())
    return loaded(config) and rows <= HELP_ROWS


def loaded(config: CellConfig) -> bool:
    """Whether this process has loaded every module ``config``'s reranker imports to fit."""
    from benchmark.core.reranker import RERANKERS

    return all(m in sys.modules for m in RERANKERS.get(config.reranker).imports)


def in_thread(compute: Callable[..., dict[str, bytes]], *args: Any) -> Future[dict[str, bytes]]:
    """``compute(*args)`` in a daemon thread of this process, numba on one thread there as in a
    worker (a daemon: Ctrl-C does not wait for the cell)."""
    future: Future[dict[str, bytes]] = Future()

    def target() -> None:
        import numba

        future.set_running_or_notify_cancel()
        try:
            numba.set_num_threads(1)
            future.set_result(compute(*args))
        except BaseException as exc:
            future.set_exception(exc)

    threading.Thread(target=target, name="cell-here", daemon=True).start()
    return future
