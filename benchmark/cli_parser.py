"""The argument parser of ``python -m benchmark`` (its ``--help`` texts are the manual)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

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


def add_data_dir(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--data-dir",
        type=Path,
        help="folder holding the named real datasets (default: $BENCHMARK_DATA_DIR, then "
        "../shared/data)",
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
        "cells are reused; budgeted rerankers also get their 100% reference.",
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
    run.add_argument(
        "--jobs",
        type=int,
        default=1,
        help="cells computed at once in local worker processes, one thread each "
        "(default 1: in this process; 2 uses both cores of a 2-core machine)",
    )
    run.add_argument(
        "--executor",
        choices=("local", "dask"),
        default="local",
        help="where cells are computed: local (this machine, --jobs) or dask (a Dask "
        "cluster, --scheduler)",
    )
    run.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="the Dask scheduler, e.g. tcp://10.0.0.5:8786 (with --executor dask)",
    )
    run.add_argument(
        "--metrics",
        type=names_arg,
        action="append",
        metavar="M,N",
        help="extra measures to compute from each saved run and store per query: ranx names "
        "(ndcg@10 = linear gain, as trec_eval's ndcg_cut_10; map@100, mrr, precision@5, "
        "recall@100...) or ir_measures/trec_eval names (nDCG@10, P@5, RR, AP, ndcg_cut_10, "
        "P_5, map); a finished cell gets them from its run file, without retraining",
    )
    run.add_argument("--force", action="store_true", help="re-run cells that are cached")
    run.add_argument("--quiet", action="store_true", help="no progress bar")

    sub.add_parser("list", help="list rerankers, datasets and strategies")

    dsets = sub.add_parser(
        "datasets", help="list every dataset with its counts and whether its files are present"
    )
    add_data_dir(dsets)

    rep = sub.add_parser(
        "report",
        help="rebuild the leaderboard, budget table, annotation saving, plots and HTML report "
        "of a dataset from its result files",
    )
    add_dataset_args(rep)
    rep.add_argument(
        "--grid",
        metavar="NAME",
        help="rebuild the reports of every dataset of a grid file and the grid's own view "
        "(its [report] table), instead of one --dataset",
    )

    perf = sub.add_parser("perf", help="measure wall time, LambdaMART overhead and peak memory")
    perf.add_argument("--repeats", type=int, default=5, help="repeats for timing ratios")
    perf.add_argument(
        "--skip-default-run", action="store_true", help="skip timing the full default run"
    )
    perf.add_argument(
        "--out", type=Path, default=Path("results"), help="where perf.json and perf.md go"
    )
    return top
