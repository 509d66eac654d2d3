"""What runs in a local worker process (:class:`benchmark.pipeline.executors.LocalProcesses`)
or a Dask worker: one thread everywhere, everything a cell needs loaded once (:func:`warm`,
done by the local fork server), each prepared dataset read once per worker."""

from __future__ import annotations

import pickle
import signal
import sys

from benchmark.core.config import CellConfig
from benchmark.pipeline.harness import compute_files
from benchmark.pipeline.prepare import Prepared

_PREPARED: dict[str, Prepared] = {}  # a worker process's datasets, loaded once per file


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


def worker_compute(
    config: CellConfig, source: str, command: str, measures: tuple[str, ...]
) -> dict[str, bytes]:
    """A cell in a worker: its dataset is read once per worker from the client's file."""
    if source not in _PREPARED:
        with open(source, "rb") as fh:
            _PREPARED[source] = pickle.load(fh)
    return compute_files(config, _PREPARED[source], command, measures)
