"""``python -m benchmark``: run grids, list what is registered, rebuild reports, measure.

Every command validates its input before any cell runs; a usage error is one ``error:`` line
and exit 2, a failure exit 1, Ctrl-C exit 130 with what finished listed, never a traceback.
"""

from __future__ import annotations

import argparse
import shlex
import sys
import warnings
from pathlib import Path
from typing import Any

from benchmark import cli_faults as faults
from benchmark.cli_parser import parser, settle
from benchmark.cli_plan import data_dir, executor, planned_cells, report_key, style_of
from benchmark.cli_show import print_board, show_stage1
from benchmark.core.data import DataError
from benchmark.core.registry import UnknownNameError
from benchmark.store import DiskFull, StoreError

USAGE_ERRORS = (ValueError, UnknownNameError, DataError, FileNotFoundError)


def cmd_run(args: argparse.Namespace) -> int:
    cells = planned_cells(args)
    store, outcome = compute(args, cells)
    try:
        if not summarise(outcome, cells, args.out):
            return faults.INTERRUPTED
        report_run(store, outcome, cells, args)
    finally:
        report_failures(outcome)
    return 1 if outcome.failures else 0


def compute(args: argparse.Namespace, cells: list[Any]) -> tuple[Any, Any]:
    """Load the cells' data (one error before any cell), check budgets and the results folder,
    then run the cells: the store and the run's outcome."""
    from benchmark.cli_plan import load_data
    from benchmark.core import progress
    from benchmark.pipeline import grid
    from benchmark.pipeline.metrics import check_measures
    from benchmark.store import Store

    measures = tuple(check_measures([n for g in args.metrics or [] for n in g]))
    store = Store(args.out)
    store.sweep()
    keys = faults.repair_packs(store, cells)
    cache = grid.DatasetCache(data_dir(args))
    todo = grid.pending(cells, store, force=args.force)
    runner = executor(args, len(todo))
    args.processes = getattr(runner, "jobs", 1)  # the report's figures use them too
    with progress.shown(not args.quiet):
        load_data(runner, todo, cache)
    grid.check_budgets(cells, cache)
    store.check_writable(keys)
    grid.mark_datasets(cells, store)
    command = "python -m benchmark " + shlex.join(sys.argv[1:] if args.argv is None else args.argv)
    options: dict[str, Any] = {"force": args.force, "progress": not args.quiet, "cache": cache}
    options |= {"command": command, "executor": runner, "measures": measures}
    return store, grid.run(cells, store, **options)


def report_failures(outcome: Any) -> None:
    if outcome.failures:
        ids = ", ".join(cell.run_id for cell, _ in outcome.failures)
        print(f"error: {len(outcome.failures)} cells failed (see above): {ids}", file=sys.stderr)


def cmd_calibrate(args: argparse.Namespace) -> int:
    from benchmark import cli_calibrate

    return cli_calibrate.main(args, compute, summarise, report_failures)


def report_run(store: Any, outcome: Any, cells: list[Any], args: argparse.Namespace) -> None:
    """The reports of every dataset the run touched (printing this run's rows), and the grid's
    own view."""
    from benchmark.core.catalog import dataset_key

    ran = {r.manifest["label"] for r in outcome.results}
    done = {r.manifest["dataset_key"] for r in outcome.results}
    keys = list(dict.fromkeys(dataset_key(c.dataset, c.dataset_params) for c in cells))
    for key in keys:
        if key in done:
            write_report(store, key, args, only=ran, processes=args.processes)
    if args.grid:
        write_grid_report(store, args.grid, keys, args)


def summarise(outcome: Any, cells: list[Any], out: Path) -> bool:
    """Print what the run did; False when it was interrupted."""
    reused = sum(r.cached for r in outcome.results)
    print(
        f"{len(outcome.results)} cells done ({reused} reused from {out}), "
        f"{len(outcome.failures)} failed"
    )
    if outcome.interrupted:
        faults.ignore_interrupts()
        left = len(cells) - len(outcome.results) - len(outcome.failures)
        print(
            f"error: interrupted (Ctrl-C): {left} cells not run; the finished ones are kept "
            "(run the same command again to finish)",
            file=sys.stderr,
        )
        return False
    if outcome.results:
        show_stage1([r.manifest for r in outcome.results])
    return True


def write_report(
    store: Any, key: str, args: Any, only: set[str] | None = None, processes: int = 1
) -> None:
    """Every view of dataset ``key``, its LaTeX and figures as ``args`` ask (the figures drawn
    in up to ``processes`` processes)."""
    from benchmark.reporting import report

    board, caption, paths = report.write(
        store, key, style_of(args), args.formats, processes=processes
    )
    print_board(board, caption, key, only=only)
    tex = sorted(p.name for p in paths if p.suffix == ".tex")
    kinds = [f for f in ("png", "pdf", "svg") if any(p.suffix == f".{f}" for p in paths)]
    print(
        f"written: {len(paths)} files, leaderboard {store.out / 'leaderboards'}/{key}.{{md,csv}}, "
        f"LaTeX tables {', '.join(tex)}, figures ({', '.join(kinds).upper()}), "
        f"report {paths[-1]}"
    )


def write_grid_report(store: Any, name: str, keys: list[str], args: argparse.Namespace) -> None:
    """The grid file's own view across its datasets (its ``[report]`` table), if it has one;
    its figures in the formats asked only."""
    from benchmark.pipeline.gridfile import report_spec
    from benchmark.reporting import settings, strategies
    from benchmark.store import publish

    spec = report_spec(name)
    if spec is None:
        return
    view = {"settings": settings.files, "strategies": strategies.files}[spec["kind"]]
    files = view(store, spec, keys, style_of(args))
    unasked = {".png", ".pdf", ".svg"} - {f".{f}" for f in args.formats}
    files = {p: v for p, v in files.items() if p.suffix not in unasked}
    publish(files)
    print(f"written: {', '.join(str(p) for p in files)}")


def cmd_list(args: argparse.Namespace) -> int:
    from benchmark.core.annotation import STRATEGIES
    from benchmark.core.catalog import DATASETS
    from benchmark.core.reranker import RERANKERS

    print("rerankers:")
    for name, cls in RERANKERS.items():
        strat = cls.default_strategy or "label-free"
        extra = "" if cls.in_default_run else ", not in the default run"
        print(f"  {name:<20} {cls.description} [default strategy: {strat}{extra}]")
        for what in ("inputs", "objective"):
            if getattr(cls, what, ""):
                print(f"  {'':<20}   {what}: {getattr(cls, what)}")
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
    from benchmark.store import Store

    store = Store(args.out)
    store.sweep()
    if args.grid:
        cells = planned_cells(args)
        keys = list(dict.fromkeys(dataset_key(c.dataset, c.dataset_params) for c in cells))
        for key in keys:
            if store.cells(key):
                write_report(store, key, args)
        write_grid_report(store, args.grid, keys, args)
        return 0
    write_report(store, report_key(args, store), args)
    return 0


def cmd_datasets(args: argparse.Namespace) -> int:
    from benchmark.core.catalog import DATASETS

    rows = []
    for name, family in DATASETS.items():
        described = family.describe(data_dir(args)) if family.describe else [{"name": name}]
        rows += [{"family": name, **row} for row in described]
    cols = ["name", "queries", "items", "features", "labels", "present"]
    print("  ".join(f"{c:<12}" if c != "name" else f"{c:<28}" for c in cols))
    for row in rows:
        cells = [str(row.get(c, "-")) for c in cols]
        print("  ".join(f"{v:<28}" if i == 0 else f"{v:<12}" for i, v in enumerate(cells)))
        if row.get("where"):
            print(f"{'':<30}{row['where']}")
    return 0


def cmd_prune(args: argparse.Namespace) -> int:
    from benchmark.store import Store

    if not args.out.is_dir():
        raise ValueError(f"no results folder at {args.out}")
    store = Store(args.out)
    store.sweep()
    total = 0
    keys = store.keys()
    for key in keys:
        removed = store.prune(key)
        total += removed
        if removed:
            print(f"{key}: {removed} stale cells removed")
    print(f"{total} stale cells removed from {args.out}")
    return 0


COMMANDS = {
    "run": cmd_run,
    "list": cmd_list,
    "report": cmd_report,
    "datasets": cmd_datasets,
    "prune": cmd_prune,
    "calibrate": cmd_calibrate,
}


def main(argv: list[str] | None = None) -> int:
    """Run one command; returns the exit status (0 done, 1 failed, 2 usage error, 130
    interrupted), after one ``error: ...`` line on stderr when not 0."""
    top = parser()
    try:
        args = settle(top, top.parse_args(argv))
    except SystemExit as exc:  # argparse: --help (0) or a usage error, already printed
        return int(exc.code or 0)
    args.argv = argv
    warnings.filterwarnings("ignore", module="ranx")
    warnings.filterwarnings("ignore", message=".*unsafe cast.*")
    restore = faults.interrupts_kept(argv)
    try:
        return COMMANDS[args.command](args)
    except USAGE_ERRORS as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (StoreError, OSError, MemoryError, DiskFull) as exc:
        print(f"error: {faults.one_line(exc)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        faults.ignore_interrupts()
        print("error: interrupted (Ctrl-C); nothing half-written was left behind", file=sys.stderr)
        return faults.INTERRUPTED
    finally:
        restore()
