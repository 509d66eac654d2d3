"""What ``run``'s arguments ask for: the planned cells (validated before anything runs), the
data folder and the executor."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def reranker_params(pairs: list[tuple[str, Any]]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for key, value in pairs:
        name, dot, field = key.partition(".")
        if not dot:
            raise ValueError(f"--param {key}=...: write it as <reranker>.<parameter>=<value>")
        out.setdefault(name, {})[field] = value
    return out


def data_dir(args: argparse.Namespace) -> Path:
    from benchmark.pipeline.prepare import default_data_dir

    return args.data_dir if getattr(args, "data_dir", None) else default_data_dir()


def planned_cells(args: argparse.Namespace) -> list[Any]:
    """The cells the run's arguments (or grid file) ask for, validated."""
    from benchmark.core.catalog import parse_spec
    from benchmark.core.reranker import RERANKERS
    from benchmark.pipeline import grid, gridfile

    if args.grid:
        return gridfile.load_grid(args.grid, data_dir(args))
    parse_spec(args.dataset)
    names = (
        [n for g in args.rerankers for n in g]
        if args.rerankers
        else [n for n, cls in RERANKERS.items() if cls.in_default_run]
    )
    for name in names:
        RERANKERS.get(name)
    params = reranker_params(args.param)
    for name in params:
        if name not in names:
            raise ValueError(f"--param names reranker {name!r}, which is not being run")
    return grid.plan(
        args.dataset,
        names,
        args.budget,
        args.seeds,
        strategy=args.strategy,
        params=params,
        dataset_params=dict(args.dataset_param),
        data_dir=data_dir(args),
    )


def executor(args: argparse.Namespace) -> Any:
    """The executor the arguments ask for (None: cells run in this process)."""
    from benchmark.pipeline import executors

    if args.executor == "dask":
        if not args.scheduler:
            raise ValueError("--executor dask needs --scheduler ADDRESS (e.g. tcp://host:8786)")
        return executors.DaskCluster(args.scheduler)
    if args.scheduler:
        raise ValueError("--scheduler is for --executor dask")
    if args.jobs < 1:
        raise ValueError(f"--jobs must be at least 1, not {args.jobs}")
    return executors.LocalProcesses(args.jobs) if args.jobs > 1 else None
