"""Planning and running a grid of cells."""

from __future__ import annotations

import dataclasses
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tqdm import tqdm

from benchmark.core.annotation import STRATEGIES
from benchmark.core.catalog import check_dataset, dataset_key, fingerprint, parse_spec
from benchmark.core.config import CellConfig, canonical_json
from benchmark.core.reranker import Reranker, make_reranker
from benchmark.pipeline.harness import CellResult, DatasetCache, default_data_dir, run_cell
from benchmark.store import Store

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
    data_dir: Path | None = None,
) -> list[CellConfig]:
    """The cells of a run. Label-free rerankers run once (they are deterministic functions of
    g^m); budgeted ones at every budget and seed and, when ``references``, at 100 % with their
    default strategy (the reference). Each cell carries the dataset's content fingerprint."""
    if strategy is not None:
        STRATEGIES.get(strategy)
    dparams = dict(dataset_params or {})
    base = base_config(dataset, dparams, data_dir or default_data_dir())
    cells: list[CellConfig] = []
    for name in rerankers:
        reranker = make_reranker(name, (params or {}).get(name))
        for budget, strat in points(reranker, budgets, strategy, references):
            # a label-free reranker sees no labels and no seed-dependent data: one seed suffices
            for seed in range(seeds if reranker.budgeted else 1):
                cells.append(
                    dataclasses.replace(
                        base,
                        reranker=name,
                        budget=budget,
                        strategy=strat,
                        seed=seed,
                        params=reranker.params(),
                        dataset_params=dict(dparams),
                    )
                )
    return list({c.run_id: c for c in cells}.values())


def base_config(dataset: str, params: dict[str, Any], data_dir: Path) -> CellConfig:
    """A cell of the dataset (checked, fingerprinted) to be completed by ``replace``."""
    family, _ = parse_spec(dataset)
    check_dataset(dataset, params, data_dir)
    content = fingerprint(dataset, params, data_dir)
    return CellConfig(dataset, "", None, None, 0, {}, params, family.version, content)


def points(
    reranker: Reranker, budgets: list[float], strategy: str | None, references: bool
) -> list[tuple[float | None, str | None]]:
    """The (budget, strategy) points of one reranker: none for a label-free one."""
    if not reranker.budgeted:
        return [(None, None)]
    default = reranker.default_strategy
    found: list[tuple[float | None, str | None]] = [(b, strategy or default) for b in budgets]
    if references:
        found.append((REFERENCE_BUDGET, default))
    return list(dict.fromkeys(found))


GRIDS = Path(__file__).resolve().parent.parent / "grids"


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


def load_grid(name: str, parse_budget: Any, data_dir: Path | None = None) -> list[CellConfig]:
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
            data_dir=data_dir,
        )
    if not cells:
        raise ValueError(f"grid {path}: no cells (add [[group]] tables)")
    return list({c.run_id: c for c in cells}.values())


def datasets_to_load(
    cells: list[CellConfig], store: Store, *, force: bool = False
) -> list[tuple[str, dict[str, Any]]]:
    """The distinct (dataset, parameters) of the cells that are not finished (all when forced)."""
    pending = [
        c
        for c in cells
        if force or store.find(c.run_id, dataset_key(c.dataset, c.dataset_params)) is None
    ]
    unique = {canonical_json([c.dataset, c.dataset_params]): c for c in pending}
    return [(c.dataset, c.dataset_params) for c in unique.values()]


def mark_datasets(cells: list[CellConfig], store: Store) -> None:
    """Record, per dataset key, the data version (fingerprint) the cells were planned on: the
    dataset's views show only cells of that version from now on."""
    for c in {canonical_json([c.dataset, c.dataset_params]): c for c in cells}.values():
        store.mark_dataset(
            dataset_key(c.dataset, c.dataset_params),
            {
                "spec": c.dataset,
                "params": c.dataset_params,
                "version": c.dataset_version,
                "fingerprint": c.data_fingerprint,
            },
        )


@dataclass
class GridOutcome:
    results: list[CellResult] = field(default_factory=list)
    failures: list[tuple[CellConfig, str]] = field(default_factory=list)
    interrupted: bool = False


def run(
    cells: list[CellConfig],
    store: Store,
    *,
    force: bool = False,
    progress: bool = True,
    cache: DatasetCache | None = None,
    command: str = "",
    measures: tuple[str, ...] = (),
) -> GridOutcome:
    """Run every cell (with the user-added ``measures``); a failing cell is reported at once
    and skipped, never cached. Ctrl-C stops after the current cell is cleaned up
    (``interrupted``); what finished is kept. The finished cells of each dataset are then
    folded into its pack."""
    cache = cache or DatasetCache()
    outcome = GridOutcome()
    bar = tqdm(cells, desc="cells", unit="cell", disable=not progress, file=sys.stderr)
    try:
        for cell in bar:
            bar.set_postfix_str(f"{cell.reranker} b={cell.budget} s={cell.seed}", refresh=False)
            try:
                outcome.results.append(
                    run_cell(cell, store, cache, force=force, command=command, measures=measures)
                )
            except Exception as exc:  # one failed cell must not lose the others
                message = f"{type(exc).__name__}: {exc}"
                outcome.failures.append((cell, message))
                tqdm.write(
                    f"error: cell {cell.run_id} ({cell.reranker} budget={cell.budget} "
                    f"seed={cell.seed}) failed: {message}",
                    file=sys.stderr,
                )
    except KeyboardInterrupt:
        outcome.interrupted = True
    finally:
        bar.close()
        for key in dict.fromkeys(dataset_key(c.dataset, c.dataset_params) for c in cells):
            store.pack_cells(key)
    return outcome
