"""Planning a grid of cells from the CLI's arguments (:func:`plan`) or a grid file
(:mod:`benchmark.pipeline.gridfile`). Running them is
:func:`benchmark.pipeline.runner.run` (re-exported here as ``grid.run``)."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path
from typing import Any

from benchmark.core.annotation import STRATEGIES, allowance, strategy_version
from benchmark.core.catalog import (
    ALL_FOLDS,
    CV,
    check_dataset,
    dataset_identity,
    dataset_key,
    expand_folds,
    fingerprint,
    parse_spec,
)
from benchmark.core.config import CellConfig, canonical_json, row_key
from benchmark.core.reranker import Reranker, make_reranker
from benchmark.pipeline.harness import row_names
from benchmark.pipeline.prepare import DatasetCache, default_data_dir
from benchmark.pipeline.runner import GridOutcome, run
from benchmark.store import Store, StoreError

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
    """The cells of a run (at most :data:`MAX_CELLS`): label-free rerankers once; budgeted ones
    at every budget and seed and, with ``references``, at 100 % with their default strategy.
    Each cell carries the data's fingerprint; ``fold=all`` gives every fold its cells."""
    if strategy is not None:
        STRATEGIES.get(strategy)
    made = [make_reranker(name, (params or {}).get(name)) for name in rerankers]
    folds = expand_folds(dataset, dict(dataset_params or {}))
    check_size(len(folds) * sum(len(points(r, budgets, strategy, references)) for r in made), seeds)
    cells: list[CellConfig] = []
    for dparams in folds:
        base = base_config(dataset, dparams, data_dir or default_data_dir())
        for name, reranker in zip(rerankers, made, strict=True):
            for budget, strat in points(reranker, budgets, strategy, references):
                # a label-free reranker sees no labels and no seed-dependent data: one seed
                for seed in range(seeds if reranker.budgeted else 1):
                    cells.append(
                        dataclasses.replace(
                            base,
                            reranker=name,
                            budget=budget,
                            strategy=strat,
                            strategy_version=strategy_version(strat),
                            seed=seed,
                            params=reranker.params(),
                            dataset_params=dict(dparams),
                        )
                    )
    return list({c.run_id: c for c in cells}.values())


#: the most cells one run may plan (the largest committed grid plans 864; 5 folds of it 4,320)
MAX_CELLS = 50_000


def check_size(cells: int, seeds: int = 1) -> None:
    """Refuse a plan of more than :data:`MAX_CELLS` cells (``cells`` points of ``seeds`` seeds
    each, the seeds of a label-free reranker's one point counted too: a bound) before
    building it."""
    cells *= seeds
    if cells > MAX_CELLS:
        raise ValueError(
            f"the run would plan {cells:,} cells, more than the {MAX_CELLS:,} one run may "
            "plan (fewer seeds, budgets or rerankers; or split it into several grids)"
        )


def base_config(dataset: str, params: dict[str, Any], data_dir: Path) -> CellConfig:
    """A cell of the dataset (checked, fingerprinted, named by its identity, not its path) to be
    completed by ``replace``."""
    family, _ = parse_spec(dataset)
    check_dataset(dataset, params, data_dir)
    content = fingerprint(dataset, params, data_dir)
    config = CellConfig(dataset, "", None, None, 0, {}, dict(params), family.version, content)
    name = dataset_identity(dataset)
    return dataclasses.replace(config, dataset_id=name if name != dataset else "")


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


def pending(cells: list[CellConfig], store: Store, *, force: bool = False) -> list[CellConfig]:
    """The cells that are not finished (all when forced)."""
    return [
        c
        for c in cells
        if force or store.find(c.run_id, dataset_key(c.dataset, c.dataset_params)) is None
    ]


def datasets_to_load(cells: list[CellConfig]) -> list[tuple[str, dict[str, Any]]]:
    """The distinct (dataset, parameters) of ``cells`` (the pending ones: :func:`pending`)."""
    unique = {canonical_json([c.dataset, c.dataset_params]): c for c in cells}
    return [(c.dataset, c.dataset_params) for c in unique.values()]


def check_budgets(cells: list[CellConfig], cache: DatasetCache) -> None:
    """Every budget of a loaded dataset must buy at least one label of its page_train."""
    for c in cells:
        prepared = cache.loaded(c.dataset, c.dataset_params)
        if c.budget is None or prepared is None:
            continue
        items = prepared.dataset["page_train"].n_items
        if allowance(c.budget, items) < 1:
            least = math.ceil(1e6 / items) / 1e4  # in percent, budgets have 6 decimals
            raise ValueError(
                f"budget {c.budget * 100:g}% buys no label of {prepared.key}: its page_train has "
                f"{items:,} items, so a budget needs at least {least:g}%"
            )


def mark_datasets(cells: list[CellConfig], store: Store) -> None:
    """Record, per dataset key, the data version the cells were planned on: the dataset's
    views show only cells of that version from now on. First, before anything is written, no
    two different configurations may come to share a leaderboard row (:func:`check_rows`)."""
    by_key: dict[str, list[CellConfig]] = {}
    for c in cells:
        by_key.setdefault(dataset_key(c.dataset, c.dataset_params), []).append(c)
    records = {key: dataset_record(members) for key, members in by_key.items()}
    for key, members in by_key.items():
        check_rows(store, key, members, records[key])
    for key, record in records.items():
        store.mark_dataset(key, record)


def dataset_record(members: list[CellConfig]) -> dict[str, Any]:
    """The ``dataset.json`` of a key's planned cells: the dataset's identity (a folder by its
    content, not its path), parameters, version and fingerprint; a cross-validated key records
    the fingerprint of every fold."""
    first = members[0]
    record: dict[str, Any] = {
        "spec": first.dataset_name,
        "params": first.dataset_params,
        "version": first.dataset_version,
    }
    prints = sorted({c.data_fingerprint for c in members})
    if CV in first.dataset_params:
        shared = {k: v for k, v in first.dataset_params.items() if k != CV}
        record |= {"params": {**shared, "fold": ALL_FOLDS}, "fingerprints": prints}
    else:
        record["fingerprint"] = prints[0]
    return record


def check_rows(store: Store, key: str, members: list[CellConfig], record: dict[str, Any]) -> None:
    """Raise :class:`StoreError` when the finished cells that stay current under ``record``
    and the planned ``members`` would put two different configurations in one leaderboard row
    (e.g. a finished cell of a reranker whose defaults changed since), which would fail every
    report of ``key``: found before any cell is computed, not after."""
    rows: dict[str, set[str]] = {}
    finished = store.cells(key, record)
    for cell in finished:
        rows.setdefault(cell.label, set()).add(row_key(cell.config))
    made: dict[str, Reranker] = {}
    done = {cell.run_id for cell in finished}
    for c in (c for c in members if c.run_id not in done):  # labelled as the harness will
        name = canonical_json([c.reranker, c.params])
        if name not in made:
            made[name] = make_reranker(c.reranker, c.params)
        rows.setdefault(row_names(c, made[name])["label"], set()).add(row_key(c.to_dict()))
    shared = [label for label, configs in rows.items() if len(configs) > 1]
    if shared:
        raise StoreError(
            f"{store.pack(key).folder}: this run cannot add its cells: two different "
            f"configurations would share the leaderboard row {shared[0]!r}; nothing was run "
            "(use another --out, or remove the finished cells of that row)"
        )


__all__ = ["DatasetCache", "GridOutcome", "plan", "run"]
