"""``python -m benchmark``: run grids, list what is registered, rebuild leaderboards, measure."""

from __future__ import annotations

import argparse
import json
import os
import sys
import warnings
from pathlib import Path
from typing import Any

from benchmark.core.data import DataError
from benchmark.core.registry import UnknownNameError

DEFAULT_DATASET = "synthetic-serp"


def budget_arg(text: str) -> float:
    from benchmark.core.annotation import parse_budget

    try:
        return parse_budget(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def key_value(text: str) -> tuple[str, Any]:
    key, sep, raw = text.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"expected key=value, got {text!r}")
    try:
        value = json.loads(raw)
    except json.JSONDecodeError:
        value = raw
    return key, value


def names_arg(text: str) -> list[str]:
    return [n.strip() for n in text.split(",") if n.strip()]


def reranker_params(pairs: list[tuple[str, Any]]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for key, value in pairs:
        name, dot, field = key.partition(".")
        if not dot:
            raise ValueError(f"--param {key}=...: write it as <reranker>.<parameter>=<value>")
        out.setdefault(name, {})[field] = value
    return out


def cmd_run(args: argparse.Namespace) -> int:
    from benchmark.core.catalog import dataset_key, parse_spec
    from benchmark.core.reranker import RERANKERS
    from benchmark.pipeline import grid
    from benchmark.reporting import report

    if args.grid:
        from benchmark.core.annotation import parse_budget

        cells = grid.load_grid(args.grid, parse_budget)
    else:
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
        cells = grid.plan(
            args.dataset,
            names,
            args.budget,
            args.seeds,
            strategy=args.strategy,
            params=params,
            dataset_params=dict(args.dataset_param),
        )
    cache = grid.DatasetCache()
    for spec, params in grid.datasets_to_load(cells, args.out, force=args.force):
        cache.get(spec, params)  # a bad dataset is one error before any cell, not one per cell
    outcome = grid.run(cells, args.out, force=args.force, progress=not args.quiet, cache=cache)
    reused = sum(r.cached for r in outcome.results)
    print(
        f"{len(outcome.results)} cells done ({reused} reused from {args.out / 'runs'}), "
        f"{len(outcome.failures)} failed"
    )
    if outcome.results:
        show_stage1(outcome.results[0].manifest)
    from benchmark.reporting.leaderboard import row_label

    done = {r.manifest["dataset_key"] for r in outcome.results}
    ran = {row_label(r.manifest["config"], r.manifest["label"]) for r in outcome.results}
    for key in dict.fromkeys(dataset_key(c.dataset, c.dataset_params) for c in cells):
        if key in done:
            board, caption, paths = report.write(args.out, key)
            print_board(board, caption, key, only=ran)
            print(f"written: {paths[0].parent}/{key}.{{md,csv,tex}}, report {paths[-1]}")
    for cell, message in outcome.failures:
        print(f"error: cell {cell.label(None)} seed {cell.seed} failed: {message}", file=sys.stderr)
    return 1 if outcome.failures else 0


def show_stage1(manifest: dict[str, Any]) -> None:
    parts = [f"{m} {v['ndcg@10_modal_label']:.3f}" for m, v in manifest["stage1"].items()]
    print("single-modal rankers, within-modality NDCG@10 on test: " + ", ".join(parts))
    excluded = manifest["excluded_queries"]["count"]
    print(
        f"test queries evaluated: {manifest['queries_evaluated']} "
        f"({excluded} without a positive label excluded)"
    )


def print_board(board: Any, caption: str, key: str, only: set[str] | None = None) -> None:
    """Print the leaderboard; with ``only``, just those rows and the best reference (the
    p-values still come from the whole leaderboard, as in the written files)."""
    from benchmark.reporting.leaderboard import best_reference, formatted

    hidden = 0
    if only is not None and not board.empty:
        keep = board.row.isin(only) | (board.row == best_reference(board))
        hidden = int((~keep).sum())
        board = board[keep]
    table = formatted(board)
    widths = [max(len(str(c)), *(len(str(v)) for v in table[c])) for c in table.columns]
    print(f"\nLeaderboard: {key}")
    print("  ".join(str(c).ljust(w) for c, w in zip(table.columns, widths, strict=True)))
    for row in table.itertuples(index=False):
        print("  ".join(str(v).ljust(w) for v, w in zip(row, widths, strict=True)))
    print(caption)
    if hidden:
        print(f"({hidden} more rows, from earlier runs, are in the written leaderboard)")
    print()


def cmd_list(args: argparse.Namespace) -> int:
    from benchmark.core.annotation import STRATEGIES
    from benchmark.core.catalog import DATASETS
    from benchmark.core.reranker import RERANKERS

    print("rerankers:")
    for name, cls in RERANKERS.items():
        strat = cls.default_strategy or "label-free"
        extra = "" if cls.in_default_run else ", not in the default run"
        print(f"  {name:<20} {cls.description} [default strategy: {strat}{extra}]")
    print("datasets:")
    for name, fam in DATASETS.items():
        spec = name + (":<arg>" if fam.argument == "required" else "")
        print(f"  {spec:<20} {fam.description}")
    print("strategies:")
    for name, strategy in STRATEGIES.items():
        print(f"  {name:<20} {strategy.description}")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from benchmark.core.catalog import dataset_key
    from benchmark.reporting import report

    key = dataset_key(args.dataset, dict(args.dataset_param))
    board, caption, paths = report.write(args.out, key)
    print_board(board, caption, key)
    print("written:\n  " + "\n  ".join(str(p) for p in paths))
    return 0


def cmd_datasets(args: argparse.Namespace) -> int:
    from benchmark.core.catalog import DATASETS

    rows = []
    for name, family in DATASETS.items():
        described = family.describe() if family.describe else [{"name": name}]
        rows += [{"family": name, **row} for row in described]
    cols = ["name", "queries", "items", "features", "labels", "present"]
    print("  ".join(f"{c:<12}" if c != "name" else f"{c:<28}" for c in cols))
    for row in rows:
        cells = [str(row.get(c, "-")) for c in cols]
        print("  ".join(f"{v:<28}" if i == 0 else f"{v:<12}" for i, v in enumerate(cells)))
        if row.get("where"):
            print(f"{'':<30}{row['where']}")
    return 0


def cmd_perf(args: argparse.Namespace) -> int:
    from benchmark.tools import perf

    return perf.main(args)


def add_data_dir(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--data-dir",
        type=Path,
        help="folder holding the real datasets (default: $BENCHMARK_DATA_DIR, then ../shared/data)",
    )


def add_dataset_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--dataset",
        default=DEFAULT_DATASET,
        help="dataset spec, e.g. synthetic-serp (default) or letor-serp:mq2008",
    )
    p.add_argument(
        "--dataset-param",
        type=key_value,
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="dataset parameter, e.g. modal_train_keep=0.25",
    )
    add_data_dir(p)
    p.add_argument(
        "--out", type=Path, default=Path("results"), help="results folder (default: results)"
    )


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="python -m benchmark",
        description="Whole-page reranking under annotation budgets: run rerankers on datasets "
        "under budgets, evaluate with ranx, write leaderboards.",
    )
    sub = top.add_subparsers(dest="command", required=True)

    run = sub.add_parser(
        "run",
        help="run rerankers under budgets and print the leaderboard",
        description="Run a grid of cells (reranker x budget x seed); finished "
        "cells are reused; budgeted rerankers also get their 100%% reference.",
    )
    add_dataset_args(run)
    run.add_argument(
        "--rerankers",
        type=names_arg,
        action="append",
        metavar="A,B",
        help="comma-separated reranker names (default: the main ones; see `list`)",
    )
    run.add_argument(
        "--budget",
        type=budget_arg,
        nargs="+",
        default=[0.1],
        metavar="B",
        help="annotation budget(s): '10%%' or a fraction such as 0.1 (default 10%%)",
    )
    run.add_argument(
        "--strategy",
        help="annotation strategy for budgeted rerankers "
        "(default: each reranker's own; see `list`)",
    )
    run.add_argument("--seeds", type=int, default=3, help="seeds per cell (default 3)")
    run.add_argument(
        "--param",
        type=key_value,
        action="append",
        default=[],
        metavar="RERANKER.KEY=VALUE",
        help="reranker hyper-parameter override",
    )
    run.add_argument(
        "--grid",
        metavar="NAME",
        help="run a grid file instead: grids/NAME.toml "
        "(or a path to a .toml); ignores --dataset/--rerankers/--budget/--seeds",
    )
    run.add_argument("--force", action="store_true", help="re-run cells that are cached")
    run.add_argument("--quiet", action="store_true", help="no progress bar")
    run.set_defaults(func=cmd_run)

    lst = sub.add_parser("list", help="list rerankers, datasets and strategies")
    lst.set_defaults(func=cmd_list)

    dsets = sub.add_parser(
        "datasets", help="list every dataset with its counts and whether its files are present"
    )
    add_data_dir(dsets)
    dsets.set_defaults(func=cmd_datasets)

    rep = sub.add_parser(
        "report",
        help="rebuild the leaderboard, budget table, annotation saving, plots and HTML report "
        "of a dataset from its result files",
    )
    add_dataset_args(rep)
    rep.set_defaults(func=cmd_report)

    perf = sub.add_parser("perf", help="measure wall time, LambdaMART overhead and peak memory")
    perf.add_argument("--repeats", type=int, default=5, help="repeats for timing ratios")
    perf.add_argument(
        "--skip-default-run", action="store_true", help="skip timing the full default run"
    )
    perf.add_argument(
        "--out", type=Path, default=Path("results"), help="where perf.json and perf.md go"
    )
    perf.set_defaults(func=cmd_perf)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if getattr(args, "seeds", 1) < 1:
        parser().error("--seeds must be at least 1")
    warnings.filterwarnings("ignore", module="ranx")
    warnings.filterwarnings("ignore", message=".*unsafe cast.*")
    if getattr(args, "data_dir", None) is not None:
        os.environ["BENCHMARK_DATA_DIR"] = str(args.data_dir)
    try:
        code: int = args.func(args)
    except (ValueError, UnknownNameError, DataError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return code
