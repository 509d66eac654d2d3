"""README's table of the speed and memory targets (issue 19), generated from a perf run.

``python -m benchmark.tools.perf_summary [--perf PERF.json ...]`` prints the block README.md
holds between ``<!-- perf:start -->`` and ``<!-- perf:end -->``: each target with the figure
``python -m benchmark.tools.perf`` measured, its goal and whether it is met. Several perf runs
may be given (e.g. the long scale parts from one run and the timing-sensitive small runs from
another on an idle machine): a later run's figures replace an earlier's.
tests/tools/test_perf_summary.py fails when the README's block differs from this output, so
no figure in it is copied by hand. Why a goal is missed is said below the block, in words.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
START, END = "<!-- perf:start -->", "<!-- perf:end -->"
PERF = (
    Path("results/perf-issue19-final/perf.json"),
    Path("results/perf-lambdamart-growth/perf.json"),
    Path("results/perf-issue19-pass5/perf.json"),
)

#: (figure key, what it measures, goal or None (a figure shown with no goal), unit)
TARGETS: tuple[tuple[str, str, float | None, str], ...] = (
    ("fixed_cost_s", "fixed cost of a process before its first cell", 3, "s"),
    ("fixed_cost_torch_s", "the same, with torch (network rerankers)", 3, "s"),
    ("small_jobs1_s", "12-cell run, empty folder, `--jobs 1`", 10, "s"),
    ("small_jobs2_ratio", "the same, `--jobs 2` / `--jobs 1`", 0.75, ""),
    ("cached_run_s", "the same again, all cells cached", 4, "s"),
    ("default_run_s", "default run, empty folder, default settings", 45, "s"),
    ("lambdamart_cell_per_10x", "LambdaMART cell time per 10x data (20k → 200k)", None, "x"),
    ("lambdamart_harness_per_10x", "the same, the harness's part (LightGBM's apart)", 12, "x"),
    ("mslr_smar_peak_rss_mb", "MSLR-WEB30K-sized smar@10 %, peak RSS", 10240, "MB"),
)


def shown(value: float, unit: str, goal: bool = False) -> str:
    """A figure (two decimals) or a goal (as written) in its unit; memory in GB."""
    if unit == "MB":
        value, unit = value / 1024, "GB"
    digits = {"GB": 1, "x": 1, "s": 2}.get(unit, 4)  # a ratio: enough to see it against 0.75
    text = format(value, "g") if goal else f"{value:.{digits}f}"
    return text + {"s": " s", "GB": " GB", "x": "x"}.get(unit, "")


def table(figures: dict[str, Any]) -> str:
    """The targets measured in ``figures`` (a perf.json), one row each; a target the run did
    not measure (a skipped part) says so."""
    rows = ["| target | measured | goal | met? |", "|---|---|---|---|"]
    for key, what, goal, unit in TARGETS:
        value = figures.get(key)
        if goal is None:
            shown_value = shown(value, unit) if isinstance(value, int | float) else "not measured"
            rows.append(f"| {what} | {shown_value} | — | — |")
            continue
        if not isinstance(value, int | float):
            rows.append(f"| {what} | not measured | ≤ {shown(goal, unit, goal=True)} | — |")
            continue
        met = "yes" if value <= goal else "**no**"
        rows.append(f"| {what} | {shown(value, unit)} | ≤ {shown(goal, unit, goal=True)} | {met} |")
    if figures.get("small_identical") is not None:
        same = "identical" if figures["small_identical"] == 1 else "**not identical**"
        met = "yes" if same == "identical" else "**no**"
        what = "12-cell leaderboards, `--jobs 1` = `--jobs 2`"
        rows.append(f"| {what} | {same} | identical | {met} |")
    return "\n".join(rows)


def block(perfs: tuple[Path, ...] = PERF) -> str:
    """The README block for the perf runs whose ``perf.json`` files are ``perfs`` (relative
    to the project's root; each folder's ``perf.md`` names its command)."""
    figures: dict[str, Any] = {}
    for perf in perfs:
        figures |= json.loads((ROOT / perf).read_text())
    runs = ", ".join(f"[{p.parent.name}]({p.parent.as_posix()}/perf.md)" for p in perfs)
    source = f"Runs (each names its command): {runs}, {figures.get('cores', '?')} cores."
    return f"{START}\n{table(figures)}\n\n{source}\n{END}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmark.tools.perf_summary")
    parser.add_argument("--perf", type=Path, nargs="+", help="perf.json files, from the root")
    args = parser.parse_args(argv)
    print(block(tuple(args.perf) if args.perf else PERF))
    return 0


if __name__ == "__main__":
    sys.exit(main())
