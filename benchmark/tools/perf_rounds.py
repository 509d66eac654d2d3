"""The cost of annotating in rounds (``python -m benchmark.tools.perf``, issue 14): a
multi-round cell against a one-round cell of the same reranker at the same budget, harness end to
end (annotate, fit, score, write, evaluate), median of ``repeats`` after one warm-up of each. The
goal: a multi-round cell costs at most 3x the one-round cell.

Measured on ``sft`` at 20 % (the cheapest reranker of issue 14's grid, so the proxy's share is
largest) with ``uncertainty`` (4 rounds, 3 refits of a 3-member ensemble: the most proxy fits of
our strategies, with ``pages-active``) against ``pages`` (sft's default one-round strategy).
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmark.pipeline import grid
from benchmark.pipeline.harness import DatasetCache, run_cell
from benchmark.store import Store

GOAL = 3.0
RERANKER, BUDGET, ROUNDS_STRATEGY, ONE_ROUND_STRATEGY = "sft", 0.2, "uncertainty", "pages"


def rounds_ratio(
    repeats: int, cache: DatasetCache, dataset_params: dict[str, Any] | None = None
) -> dict[str, float]:
    """Median seconds of the multi-round and the one-round cell, their ratio, and the share of
    the multi-round cell's time spent refitting the proxy."""
    params = dict(dataset_params or {})
    configs = [
        grid.plan("synthetic-serp", [RERANKER], [BUDGET], 1, strategy=s, dataset_params=params)[0]
        for s in (ROUNDS_STRATEGY, ONE_ROUND_STRATEGY)
    ]
    times: list[list[float]] = [[], []]
    proxy: list[float] = []
    with tempfile.TemporaryDirectory() as out:
        store = Store(Path(out))
        for config in configs:
            run_cell(config, store, cache, force=True)  # warm-up: qrels, JIT, page cache
        for _ in range(repeats):
            for i, config in enumerate(configs):
                t0 = time.perf_counter()
                done = run_cell(config, store, cache, force=True)
                times[i].append(time.perf_counter() - t0)
                if i == 0:
                    rounds = done.manifest["annotation"]["rounds"]
                    proxy.append(sum(r["proxy_fit_s"] for r in rounds))
    multi, one = statistics.median(times[0]), statistics.median(times[1])
    return {
        "rounds_cell_s": multi,
        "one_round_cell_s": one,
        "rounds_ratio": multi / one,
        "rounds_proxy_share": statistics.median(proxy) / multi,
    }
