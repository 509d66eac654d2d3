"""Planning and running a grid of cells."""

from __future__ import annotations

import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tqdm import tqdm

from benchmark.core.annotation import STRATEGIES
from benchmark.core.catalog import check_dataset, parse_spec
from benchmark.core.config import CellConfig, canonical_json
from benchmark.core.reranker import make_reranker
from benchmark.pipeline.harness import CellResult, DatasetCache, run_cell

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
    family, _ = parse_spec(dataset)
    check_dataset(dataset, dataset_params)
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
                    CellConfig(
                        dataset,
                        name,
                        budget,
                        strat,
                        seed,
                        full,
                        dict(dataset_params or {}),
                        family.version,
                    )
                )
    return list({c.run_id: c for c in cells}.values())


GRIDS = Path(__file__).resolve().parents[2] / "grids"


def grid_path(name: str) -> Path:
    """``smar-main`` -> ``grids/smar-main.toml``; a path to a ``.toml`` file is used as is."""
    path = Path(name)
    if path.suffix == ".toml":
        return path
    known = sorted(p.stem for p in GRIDS.glob("*.toml"))
    if name not in known:
        from benchmark.core.registry import Registry

        registry: Registry[str] = Registry("grid")
        for k in known:
            registry.register(k)(k)
        registry.get(name)
    return GRIDS / f"{name}.toml"


def load_grid(name: str, parse_budget: Any) -> list[CellConfig]:
    """The cells of a grid file: a TOML table with ``dataset``, ``seeds`` and ``[[group]]``s,
    each with ``rerankers``, ``budgets`` and optional ``strategy``, ``references`` (default
    true), ``seeds``, ``dataset``, ``dataset_params`` and ``params`` (per reranker)."""
    path = grid_path(name)
    try:
        spec = tomllib.loads(path.read_text())
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ValueError(f"grid {path}: {exc}") from None
    cells: list[CellConfig] = []
    for i, group in enumerate(spec.get("group", [])):
        unknown = set(group) - {
            "rerankers",
            "budgets",
            "strategy",
            "references",
            "seeds",
            "dataset",
            "dataset_params",
            "params",
        }
        if unknown:
            raise ValueError(f"grid {path}: group {i + 1} has unknown keys {sorted(unknown)}")
        cells += plan(
            group.get("dataset", spec.get("dataset", "synthetic-serp")),
            list(group["rerankers"]),
            [parse_budget(b) for b in group.get("budgets", [])],
            int(group.get("seeds", spec.get("seeds", 3))),
            strategy=group.get("strategy"),
            params=group.get("params"),
            dataset_params=group.get("dataset_params", spec.get("dataset_params")),
            references=bool(group.get("references", True)),
        )
    if not cells:
        raise ValueError(f"grid {path}: no cells (add [[group]] tables)")
    return list({c.run_id: c for c in cells}.values())


def datasets_to_load(
    cells: list[CellConfig], out: Path, *, force: bool = False
) -> list[tuple[str, dict[str, Any]]]:
    """The distinct (dataset, parameters) of the cells that are not cached (all when forced)."""
    pending = [
        c for c in cells if force or not (out / "runs" / c.run_id / "manifest.json").exists()
    ]
    unique = {canonical_json([c.dataset, c.dataset_params]): c for c in pending}
    return [(c.dataset, c.dataset_params) for c in unique.values()]


@dataclass
class GridOutcome:
    results: list[CellResult] = field(default_factory=list)
    failures: list[tuple[CellConfig, str]] = field(default_factory=list)


def run(
    cells: list[CellConfig],
    out: Path,
    *,
    force: bool = False,
    progress: bool = True,
    cache: DatasetCache | None = None,
) -> GridOutcome:
    """Run every cell; a failing cell is reported and skipped, never cached."""
    cache = cache or DatasetCache()
    outcome = GridOutcome()
    bar = tqdm(cells, desc="cells", unit="cell", disable=not progress, file=sys.stderr)
    for cell in bar:
        bar.set_postfix_str(f"{cell.reranker} b={cell.budget} s={cell.seed}", refresh=False)
        try:
            outcome.results.append(run_cell(cell, out, cache, force=force))
        except Exception as exc:  # one failed cell must not lose the others
            outcome.failures.append((cell, f"{type(exc).__name__}: {exc}"))
    return outcome
