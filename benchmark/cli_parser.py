"""The argument parser of ``python -m benchmark`` (its ``--help`` texts are the manual).

Every parse error is one line, ``error: <what> (see <command> --help)``, and exit status 2.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path
from typing import Any, NoReturn

from benchmark.cli_plan import Once, path_problem, repeated_key
from benchmark.core.arguments import budget_arg, key_value, names_arg

DEFAULT_DATASET = "synthetic-serp"
DEFAULT_BUDGETS = [0.1]
DEFAULT_SEEDS = 3
#: ``run`` options a grid file replaces (giving one with ``--grid`` is an error).
GRID_REPLACES = ("dataset", "dataset_param", "rerankers", "budget", "seeds", "strategy", "param")


class Parser(argparse.ArgumentParser):
    """argparse with one-line errors; ``-5%`` is read as a (negative, so invalid) budget, not as
    an unknown option."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # argparse reads "-5" and "-0.5" as values, but "-5%" as an option: widen its pattern
        self._negative_number_matcher = re.compile(r"^-\d+%?$|^-\d*\.\d+%?$")

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"error: {message} (see {self.prog} --help)\n")


def measures_arg(text: str) -> list[str]:
    return names_arg(text, "measure", "ndcg@10,map@100")


def add_data_dir(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--data-dir",
        type=Path,
        action=Once,
        help="folder holding the named real datasets (default: $BENCHMARK_DATA_DIR, then "
        "../shared/data)",
    )


def add_dataset_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--dataset",
        action=Once,
        help=f"dataset spec, e.g. {DEFAULT_DATASET} (default) or letor-serp:mq2008",
    )
    p.add_argument(
        "--dataset-param",
        type=key_value,
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="dataset parameter, e.g. modal_train_keep=0.25, labelled_pages=50 or "
        "unlabelled_ratio=16 (pages only SMAR's distillation sees; docs/protocol.md 4.1) for "
        "synthetic-serp ('datasets' lists every parameter); fold=all runs every fold of a "
        "LETOR dataset (5-fold cross-validation: one leaderboard over all test queries)",
    )
    add_data_dir(p)
    p.add_argument(
        "--out",
        type=Path,
        action=Once,
        default=Path("results"),
        help="results folder (default: results)",
    )


def label_arg(text: str) -> tuple[str, str]:
    """``name=Display text``: a display name for a row, method or dataset key in LaTeX."""
    name, sep, shown = text.partition("=")
    if not sep or not name.strip() or not shown.strip():
        raise argparse.ArgumentTypeError(f"expected name=Display text, got {text!r}")
    return name.strip(), shown.strip()


def formats_arg(text: str) -> tuple[str, ...]:
    from benchmark.reporting.figures import parse_formats

    try:
        return parse_formats(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_latex_args(p: argparse.ArgumentParser, formats: tuple[str, ...]) -> None:
    p.add_argument(
        "--formats",
        type=formats_arg,
        action=Once,
        default=formats,
        metavar="A,B",
        help=f"figure formats drawn, of png, pdf, svg (default: {','.join(formats)}); png "
        "always (the HTML report shows it); a figure's files in other formats are kept while "
        "current, removed once it changes",
    )
    p.add_argument(
        "--latex-width",
        choices=("column", "text"),
        action=Once,
        help="width the LaTeX tables fit: column (default) = one column of a two-column page "
        "(241 pt, acmart sigconf; wider tables become table*), text = a one-column article",
    )
    p.add_argument(
        "--label",
        type=label_arg,
        action="append",
        default=[],
        metavar="NAME=TEXT",
        help="display name in the LaTeX tables for a row (smar@10%%), a method or a dataset key; "
        "repeatable; overrides the grid file's [labels]",
    )


def parser() -> argparse.ArgumentParser:
    top = Parser(
        prog="python -m benchmark",
        description="Whole-page reranking under annotation budgets: run rerankers on datasets "
        "under budgets, evaluate with ranx, write leaderboards.",
    )
    sub = top.add_subparsers(dest="command", required=True)

    run = sub.add_parser(
        "run",
        help="run rerankers under budgets and print the leaderboard",
        description="Run a grid of cells (reranker x budget x seed); finished cells are reused; "
        "budgeted rerankers also get their 100% reference. An option that takes one value may "
        "be given once; --budget, --rerankers, --metrics, --param, --dataset-param add up.",
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
        action="extend",
        metavar="B",
        help="annotation budget(s): '10%%' or a fraction such as 0.1 (default 10%%); a budget "
        "must buy at least one label of page_train; given twice, the budgets add up",
    )
    run.add_argument(
        "--strategy",
        action=Once,
        help="annotation strategy for budgeted rerankers "
        "(default: each reranker's own; see `list`)",
    )
    run.add_argument(
        "--seeds", type=int, action=Once, help=f"seeds per cell (default {DEFAULT_SEEDS})"
    )
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
        action=Once,
        help="run a grid file instead: grids/NAME.toml (or a path to a .toml); it names the "
        "datasets, rerankers, budgets and seeds, so those options cannot be given with it",
    )
    run.add_argument(
        "--jobs",
        type=int,
        action=Once,
        default=None,
        help="cells computed at once in local worker processes (default: $BENCHMARK_JOBS if "
        "set, else a worker per core, memory allowing, at most one per cell to compute; 1: this "
        "process)",
    )
    run.add_argument(
        "--executor",
        action=Once,
        choices=("local", "dask"),
        default="local",
        help="where cells are computed: local (this machine, --jobs) or dask (a Dask "
        "cluster, --scheduler)",
    )
    run.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        action=Once,
        help="the Dask scheduler, e.g. tcp://10.0.0.5:8786 (with --executor dask)",
    )
    run.add_argument(
        "--metrics",
        type=measures_arg,
        action="append",
        metavar="M,N",
        help="extra measures to compute from each saved run and store per query: ranx names "
        "(ndcg@10 = linear gain, as trec_eval's ndcg_cut_10; map@100, mrr, precision@5, "
        "recall@100...) or ir_measures/trec_eval names (nDCG@10, P@5, RR, AP, ndcg_cut_10, "
        "P_5, map); a finished cell gets them from its run file, without retraining",
    )
    add_latex_args(run, ("png",))  # PDF and SVG: 1.5 s of a 12 s run (docs/performance.md)
    run.add_argument("--force", action="store_true", help="re-run cells that are cached")
    run.add_argument("--quiet", action="store_true", help="no progress bar")

    from benchmark.cli_calibrate import add_parser as add_calibrate

    helpers = {"names": names_arg, "budget": budget_arg, "default_seeds": DEFAULT_SEEDS}
    add_calibrate(sub, add_dataset_args, helpers)

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
    add_latex_args(rep, ("png", "pdf", "svg"))

    prune = sub.add_parser(
        "prune",
        help="remove the cells no view shows any more (an older suite or strategy version, "
        "data that changed) from the packs and cell folders of the results folder",
    )
    prune.add_argument(
        "--out", type=Path, default=Path("results"), help="results folder (default: results)"
    )
    return top


def settle(p: argparse.ArgumentParser, args: argparse.Namespace) -> argparse.Namespace:
    """Check what argparse cannot (option combinations, counts) and fill the defaults."""

    def error(message: str) -> NoReturn:
        p.exit(2, f"error: {message} (see {p.prog} {args.command} --help)\n")

    if getattr(args, "grid", None):
        given = [o for o in GRID_REPLACES if getattr(args, o, None)]
        if given:
            flag = "--" + given[0].replace("_", "-")
            error(f"{flag} cannot be combined with --grid (the grid file sets it)")
    if getattr(args, "seeds", None) is not None and args.seeds < 1:
        error(f"--seeds must be at least 1, got {args.seeds}")
    if getattr(args, "repeats", 1) < 1:
        error(f"--repeats must be at least 1, got {args.repeats}")
    problem = path_problem(args) or repeated_key(args)
    if problem:
        error(problem)
    if hasattr(args, "dataset") and args.dataset is None:
        args.dataset = DEFAULT_DATASET
    if args.command == "run":
        args.budget = args.budget or list(DEFAULT_BUDGETS)
        args.seeds = args.seeds or DEFAULT_SEEDS
    if args.command == "calibrate":
        if args.per_side < 2:
            error(f"--per-side must be at least 2 (a seed variance needs two), got {args.per_side}")
        args.budget = args.budget or list(DEFAULT_BUDGETS)
        args.rerankers = args.rerankers or [["sft"]]
        defaults: dict[str, Any] = {"grid": None, "strategy": None, "param": [], "metrics": None}
        for name, value in (
            defaults | {"force": False, "executor": "local", "scheduler": None}
        ).items():
            setattr(args, name, value)
    return args
