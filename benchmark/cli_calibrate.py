"""``python -m benchmark calibrate``: run rows with many seeds (as ``run`` does), then the A/A
calibration of the significance tests (:mod:`benchmark.reporting.calibration`)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from benchmark.cli_plan import planned_cells

INTERRUPTED = 130


def main(
    args: argparse.Namespace,
    compute: Callable[..., tuple[Any, Any]],
    summarise: Callable[..., bool],
    report_failures: Callable[[Any], None],
) -> int:
    """Run the rerankers at the budgets with ``--seeds`` seeds (``compute``: the cells are
    reused like ``run``'s), then write ``<out>/calibration*.csv`` and print them."""
    from benchmark.core.catalog import dataset_key
    from benchmark.reporting import calibration
    from benchmark.reporting.rows import group_rows
    from benchmark.store import files

    if args.seeds < 2 * args.per_side:
        raise ValueError(
            f"--seeds {args.seeds} cannot be split into two sets of --per-side {args.per_side}"
        )
    cells = [c for c in planned_cells(args) if c.budget in args.budget]
    store, outcome = compute(args, cells)
    report_failures(outcome)
    if not summarise(outcome, cells, args.out):
        return INTERRUPTED
    if outcome.failures:
        return 1
    wanted = {r.manifest["label"] for r in outcome.results}
    keys = dict.fromkeys(dataset_key(c.dataset, c.dataset_params) for c in cells)
    rows = [r for k in keys for r in group_rows(store.cells(k)) if r.label in wanted]
    frames = calibration.calibrate(rows, args.per_side, (2, 3, 5))
    for name, frame in frames.items():
        stem = "calibration" if name == "calibration" else f"calibration-{name}"
        files.write_atomic(args.out / f"{stem}.csv", frame.to_csv(index=False))
    show(frames, args)
    return 0


def show(frames: dict[str, Any], args: argparse.Namespace) -> None:
    print(
        f"\nA/A calibration: {args.per_side} vs {args.per_side} disjoint seeds of "
        f"{args.seeds}, every split; false-positive rate at alpha 0.05 (a 5 % test: about 0.05)"
    )
    print(frames["calibration"].to_string(index=False))
    print("\nper row:")
    print(frames["detail"].to_string(index=False))
    if len(frames["power"]):
        print("\nheadline test: smallest uniform difference detected in 80 % of splits")
        print(frames["power"].to_string(index=False))
    print(f"\nwritten: {args.out}/calibration.csv, calibration-detail.csv, calibration-power.csv")


def add_parser(sub: Any, add_dataset_args: Callable[[Any], None], helpers: dict[str, Any]) -> None:
    """The ``calibrate`` subcommand's options."""
    cal = sub.add_parser(
        "calibrate",
        help="A/A calibration of the significance tests: false-positive rates and power",
        description="Run the rerankers at the budget with many seeds (cells are reused like "
        "run's), split each row's seeds into two disjoint sets of --per-side seeds every way "
        "(the same method on both sides), and print each test's false-positive rate at alpha "
        "0.05 (headline: the two-way query x seed test; queries: ranx's query-only paired "
        "t-test; seed_means: Welch over per-seed means) and the smallest uniform difference "
        "the headline test detects with 2, 3 and 5 seeds per side; written to "
        "<out>/calibration.csv (one row per test), calibration-detail.csv (per row) and "
        "calibration-power.csv.",
    )
    add_dataset_args(cal)
    cal.add_argument(
        "--rerankers",
        type=helpers["names"],
        action="append",
        metavar="A,B",
        help="comma-separated reranker names (default: sft)",
    )
    cal.add_argument(
        "--budget", type=helpers["budget"], nargs="+", metavar="B", help="budget(s) (default 10%%)"
    )
    cal.add_argument("--seeds", type=int, default=10, help="seeds per row (default 10)")
    seeds = helpers["default_seeds"]
    cal.add_argument(
        "--per-side",
        type=int,
        default=seeds,
        help=f"seeds on each side of an A/A split (default {seeds}, as a run's seeds)",
    )
    cal.add_argument("--jobs", type=int, default=1, help="cells computed at once (as run's)")
    cal.add_argument("--quiet", action="store_true", help="no progress bar")
