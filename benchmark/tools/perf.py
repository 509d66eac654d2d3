"""``python -m benchmark.tools.perf``: the suite's speed and memory figures, measured in one run.

(a) wall time of the default run (``run --budget 10%`` into an empty folder, in a child
    process, so nothing is reused; the numba cache is warm after the first ever run) with the
    default settings, and with ``--jobs 1``, ``--repeats`` pairs in turn (medians);
(b) the harness's LambdaMART cell (annotate, build features, fit, score, write, evaluate) against
    a bare ``lightgbm.train`` + ``predict`` on the same arrays with the same parameters, in this
    process, median of ``--repeats``; the ratio is the harness overhead;
(c) peak RSS of the default run's process;
(d) when the allRank reranker is installed, its per-epoch training time against allRank's own
    training loop on the same slates (``benchmark.tools.perf_allrank``);
(e) a multi-round annotation cell against a one-round cell of the same reranker
    (``benchmark.tools.perf_rounds``);
(f) the default run with the default settings (two workers on a 2-core machine) against
    ``--jobs 1`` (both from an empty folder, in child processes), and ``--jobs 2`` against
    ``--jobs 1`` for a grid (``--grid-speedup``, default the headline grid
    ``smar-main``);
(g) the cost curve (lambdamart, sft, smar at 2k/20k/200k queries) and the MSLR-WEB30K-sized
    ``letor-serp`` run (``benchmark.tools.perf_scale``).

(h) the small-run figures (``benchmark.tools.perf_small``): a 12-cell run with one and two
    jobs, the same run cached, and a process's fixed cost before its first cell.

``--skip`` leaves parts out (``small,default-run,grid,scale,mslr,allrank,rounds``).

Results are printed and written to ``<out>/perf.json`` and ``<out>/perf.md``. (Until issue 23 this
was ``python -m benchmark perf``, with the same options; the figures measured then name that
command.)
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmark import configure_environment

if __name__ == "__main__":  # as a program: numba's cache folder, before the imports load numba
    configure_environment()

import lightgbm as lgb

from benchmark.core.reranker import make_reranker
from benchmark.pipeline import grid
from benchmark.pipeline.annotation import annotate
from benchmark.pipeline.harness import DatasetCache, run_cell
from benchmark.store import Store, write_atomic
from benchmark.tools import perf_rounds, perf_scale, perf_small

GOALS = {
    "default_run_s": 45.0,
    "lambdamart_ratio": 1.15,
    "peak_rss_mb": 1536.0,
    "allrank_epoch_ratio": 1.1,
    "rounds_ratio": perf_rounds.GOAL,
    "jobs2_ratio": 0.6,
    "grid_jobs2_ratio": 0.6,
    **{f"scale_{name}_time_per_10x": perf_scale.STEP_GOAL for name in perf_scale.RERANKERS},
    "mslr_lambdamart_peak_rss_mb": perf_scale.MSLR_GOAL_MB,
    "mslr_smar_peak_rss_mb": perf_scale.MSLR_GOAL_MB,
    **perf_small.GOALS,
}


def timed_run(*options: str) -> dict[str, float]:
    """Wall time and peak RSS (of the main process) of ``python -m benchmark run <options>``
    into an empty folder, in a child process."""
    with tempfile.TemporaryDirectory() as out:
        cmd = [sys.executable, "-m", "benchmark", "run", *options, "--quiet", "--out", out]
        _, wall, rss = perf_scale.run_measured(cmd, shlex.join(options))
    return {"s": wall, "rss_mb": rss}


def default_run(repeats: int = 1) -> dict[str, float]:
    """The default run (``run --budget 10%``) with the default settings (``--jobs`` unset:
    :func:`benchmark.cli_plan.auto_jobs` workers, ``default_jobs``), which the 45 s goal is
    for, and with ``--jobs 1``, ``repeats`` pairs in turn (medians: one run varies by about
    5 % on a shared virtual machine); their ratio when the default is two workers."""
    from benchmark.cli_plan import auto_jobs

    ones, defaults = [], []
    for _ in range(repeats):
        ones.append(timed_run("--budget", "10%", "--jobs", "1"))
        defaults.append(timed_run("--budget", "10%"))
    one = statistics.median(r["s"] for r in ones)
    default = statistics.median(r["s"] for r in defaults)
    jobs = auto_jobs(45)
    figures = {"default_run_s": default, "default_jobs": float(jobs)}
    figures |= {"default_run_jobs1_s": one, "peak_rss_mb": max(r["rss_mb"] for r in ones)}
    if jobs == 2:
        figures |= {"default_run_jobs2_s": default, "jobs2_ratio": default / one}
    return figures


def grid_speedup(name: str) -> dict[str, float]:
    """A grid from an empty folder with ``--jobs 1`` and ``--jobs 2``."""
    one = timed_run("--grid", name, "--jobs", "1")["s"]
    two = timed_run("--grid", name, "--jobs", "2")["s"]
    return {"grid_jobs1_s": one, "grid_jobs2_s": two, "grid_jobs2_ratio": two / one}


def lambdamart_overhead(repeats: int, cache: DatasetCache) -> dict[str, float]:
    """Median harness cell time and bare LightGBM time for lambdamart@100 %, and their ratio."""
    prepared = cache.get("synthetic-serp", {})
    reranker = make_reranker("lambdamart")
    config = grid.plan("synthetic-serp", ["lambdamart"], [], 1)[0]
    labelled = {s: prepared.dataset[s] for s in ("page_train", "page_valid")}
    views, _, _ = annotate(labelled, "pages", 1.0, config.annotation_seed)
    from baselines.common import learned_features, revealed_rows

    layout = prepared.layout
    rows, sizes = revealed_rows(views["page_train"])
    vrows, vsizes = revealed_rows(views["page_valid"])
    x = learned_features(views["page_train"], layout)[rows]
    xv = learned_features(views["page_valid"], layout)[vrows]
    xt = learned_features(prepared.dataset["test"].hide_labels(), layout)
    y, yv = views["page_train"].page_label[rows], views["page_valid"].page_label[vrows]
    params = reranker.lgb_params(config.model_seed)  # type: ignore[attr-defined]

    def bare() -> None:
        data = lgb.Dataset(x, y, group=sizes)
        valid = lgb.Dataset(xv, yv, group=vsizes, reference=data)
        booster = lgb.train(
            params,
            data,
            reranker.num_boost_round,  # type: ignore[attr-defined]
            valid_sets=[valid],
            callbacks=[
                lgb.early_stopping(
                    reranker.early_stopping_rounds,  # type: ignore[attr-defined]
                    verbose=False,
                )
            ],
        )
        booster.predict(xt, num_iteration=booster.best_iteration)

    h, b = alternate(lambda store: run_cell(config, store, cache, force=True), bare, repeats)
    return {"lambdamart_cell_s": h, "lambdamart_bare_s": b, "lambdamart_ratio": h / b}


def alternate(cell: Any, bare: Any, repeats: int) -> tuple[float, float]:
    """Median seconds of ``cell(store)`` and ``bare()``, run alternately after one warm-up cell
    (qrels, JIT, page cache)."""
    with tempfile.TemporaryDirectory() as out:
        store = Store(Path(out))
        cell(store)
        harness_times, bare_times = [], []
        for _ in range(repeats):
            t0 = time.perf_counter()
            cell(store)
            t1 = time.perf_counter()
            bare()
            t2 = time.perf_counter()
            harness_times.append(t1 - t0)
            bare_times.append(t2 - t1)
    return statistics.median(harness_times), statistics.median(bare_times)


def allrank_ratio(repeats: int, cache: DatasetCache) -> dict[str, float]:
    try:
        from benchmark.tools.perf_allrank import epoch_ratio
    except ImportError:
        return {}
    result: dict[str, float] = epoch_ratio(repeats, cache)
    return result


def report(figures: dict[str, Any]) -> str:
    lines = ["| figure | measured | goal |", "|---|---|---|"]
    for key, value in figures.items():
        if isinstance(value, float):
            goal = GOALS.get(key)
            lines.append(f"| {key} | {value:.3f} | {'≤ ' + format(goal, 'g') if goal else ''} |")
    return "\n".join(lines)


PARTS = ("small", "default-run", "grid", "scale", "mslr", "allrank", "rounds")


def parts_arg(text: str) -> list[str]:
    """``--skip default-run,mslr``: parts to leave out."""
    parts = [p.strip() for p in text.split(",") if p.strip()]
    unknown = [p for p in parts if p not in PARTS]
    if unknown or not parts:
        raise argparse.ArgumentTypeError(
            f"unknown part {unknown[0] if unknown else text!r}; choose from {', '.join(PARTS)}"
        )
    return parts


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m benchmark.tools.perf",
        description="Measure wall time, LambdaMART overhead and peak memory.",
    )
    p.add_argument("--repeats", type=int, default=5, help="repeats for timing ratios")
    p.add_argument(
        "--skip-default-run", action="store_true", help="skip timing the full default run"
    )
    p.add_argument(
        "--skip",
        metavar="A,B",
        type=parts_arg,
        default=[],
        help=f"parts left out: {', '.join(PARTS)}",
    )
    p.add_argument(
        "--grid-speedup",
        metavar="NAME",
        default="smar-main",
        help="grid timed with --jobs 1 and --jobs 2 (default: smar-main)",
    )
    p.add_argument(
        "--out", type=Path, default=Path("results"), help="where perf.json and perf.md go"
    )
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    skip = set(args.skip) | ({"default-run"} if args.skip_default_run else set())
    figures: dict[str, Any] = {"repeats": args.repeats, "cores": os.cpu_count()}
    if "small" not in skip:
        figures |= perf_small.fixed_cost() | perf_small.small_runs(args.repeats)
    if "default-run" not in skip:
        figures |= default_run(args.repeats)
    if "grid" not in skip:
        figures |= {"grid": args.grid_speedup} | grid_speedup(args.grid_speedup)
    cache = DatasetCache()
    figures |= lambdamart_overhead(args.repeats, cache)
    if "allrank" not in skip:
        figures |= allrank_ratio(args.repeats, cache)
    if "rounds" not in skip:
        figures |= perf_rounds.rounds_ratio(args.repeats, cache)
    if "scale" not in skip:
        figures |= perf_scale.cost_curve()
    if "mslr" not in skip:
        figures |= perf_scale.mslr_run()
    table = report(figures)
    print(table)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    write_atomic(out / "perf.json", json.dumps(figures, indent=2))
    options = ["--repeats", str(args.repeats), "--grid-speedup", args.grid_speedup]
    options += ["--skip", ",".join(sorted(skip))] if skip else []
    command = shlex.join(["python", "-m", "benchmark.tools.perf", *options])
    write_atomic(out / "perf.md", f"Measured by `{command}`.\n\n{table}\n")
    missed = [k for k, goal in GOALS.items() if k in figures and figures[k] > goal]
    if missed:
        print("goals missed: " + ", ".join(missed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
