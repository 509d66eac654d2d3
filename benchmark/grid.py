"""Planning and running a grid of cells."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tqdm import tqdm

from benchmark.config import CellConfig
from benchmark.harness import CellResult, DatasetCache, run_cell
from benchmark.oracle import STRATEGIES
from benchmark.reranker import make_reranker

REFERENCE_BUDGET = 1.0


def plan(
    dataset: str,
    rerankers: list[str],
    budgets: list[float],
    seeds: int,
    *,
    strategy: str | None = None,
    params: dict[str, dict[str, Any]] | None = None,
    dataset_params: dict[str, Any] | None = None,
    references: bool = True,
) -> list[CellConfig]:
    """The cells of a run. Label-free rerankers run once (they are deterministic functions of
    g^m); budgeted ones at every budget and seed and, when ``references``, at 100 % with their
    default strategy (the reference)."""
    if strategy is not None:
        STRATEGIES.get(strategy)
    cells: list[CellConfig] = []
    for name in rerankers:
        reranker = make_reranker(name, (params or {}).get(name))
        full = reranker.params()
        if not reranker.budgeted:
            points: list[tuple[float | None, str | None]] = [(None, None)]
        else:
            default = reranker.default_strategy
            points = [(b, strategy or default) for b in budgets]
            if references:
                points.append((REFERENCE_BUDGET, default))
        # a label-free reranker sees no labels and no seed-dependent data: one seed suffices
        n_seeds = seeds if reranker.budgeted else 1
        for budget, strat in dict.fromkeys(points):
            for seed in range(n_seeds):
                cells.append(
                    CellConfig(dataset, name, budget, strat, seed, full, dict(dataset_params or {}))
                )
    return list({c.run_id: c for c in cells}.values())


@dataclass
class GridOutcome:
    results: list[CellResult] = field(default_factory=list)
    failures: list[tuple[CellConfig, str]] = field(default_factory=list)


def run(cells: list[CellConfig], out: Path, *, force: bool = False,
        progress: bool = True) -> GridOutcome:
    """Run every cell; a failing cell is reported and skipped, never cached."""
    cache = DatasetCache()
    outcome = GridOutcome()
    bar = tqdm(cells, desc="cells", unit="cell", disable=not progress, file=sys.stderr)
    for cell in bar:
        bar.set_postfix_str(f"{cell.reranker} b={cell.budget} s={cell.seed}", refresh=False)
        try:
            outcome.results.append(run_cell(cell, out, cache, force=force))
        except Exception as exc:  # one failed cell must not lose the others
            outcome.failures.append((cell, f"{type(exc).__name__}: {exc}"))
    return outcome
