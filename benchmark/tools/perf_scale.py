"""How a cell's cost grows with the data (``python -m benchmark.tools.perf``, issue 13).

* The cost curve: one cell each of ``lambdamart``, ``sft`` and ``smar`` at 10 % on
  synthetic-serp with ``n_queries`` = 2k, 20k and 200k. Each (reranker, size) runs in a fresh
  child process, which prepares the data (generation + stage 1, timed apart) and runs the one
  cell through the harness (annotate, fit, score, write, evaluate). Figures: the cell's wall
  time, the child's peak RSS, and per reranker the ratio per 10x data (the larger of the two
  steps). Goal: at most 12x in time per 10x data (near-linear).
* The MSLR-WEB30K-sized run: a flat LETOR folder (``train.txt`` 60 %, ``vali.txt`` 20 %,
  ``test.txt`` 20 % of 3.7 M rows x 136 features, about 31k queries of about 120 documents)
  written by the memory check's generator, run as ``letor-serp:<folder>`` for lambdamart@10 %
  and smar@10 %, each in a fresh child: load + stage 1, the cell, peak RSS. Goal: 10 GB.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

SIZES = (2_000, 20_000, 200_000)
RERANKERS = ("lambdamart", "sft", "smar")
BUDGET = 0.1
STEP_GOAL = 12.0  # time per 10x data
MSLR_ROWS, MSLR_FEATURES = 3_700_000, 136
MSLR_GOAL_MB = 10 * 1024.0  # issue 19 (12 GB before it)
PROJECT = Path(__file__).resolve().parents[2]


def child(job: dict[str, Any]) -> dict[str, Any]:
    """Prepare the dataset and run one cell in this (fresh) process; its figures."""
    from benchmark.pipeline import grid
    from benchmark.pipeline.harness import DatasetCache, run_cell
    from benchmark.store import Store

    cache = DatasetCache()
    started = time.perf_counter()
    prepared = cache.get(job["dataset"], job["params"])
    prepare = time.perf_counter() - started
    config = grid.plan(
        job["dataset"], [job["reranker"]], [job["budget"]], 1,
        dataset_params=job["params"], references=False,
    )[0]  # fmt: skip
    with tempfile.TemporaryDirectory() as out:
        started = time.perf_counter()
        run_cell(config, Store(Path(out)), cache, force=True)
        cell = time.perf_counter() - started
    test = prepared.dataset["test"]
    return {"prepare_s": prepare, "cell_s": cell, "test_queries": test.n_queries}


def run_measured(cmd: list[str], what: str) -> tuple[str, float, float]:
    """Run ``cmd`` from the project's root; its stdout, wall seconds and peak RSS in MB
    (``wait4``: the child's own, so each measurement stands alone). A failure raises
    ``RuntimeError`` naming ``what`` with the end of the child's stderr."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, cwd=PROJECT)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        if os.waitstatus_to_exitcode(status) != 0:
            raise RuntimeError(f"{what} failed: {err.read().decode().strip()[-500:]}")
        return out.read().decode(), wall, usage.ru_maxrss / 1024


def measured(job: dict[str, Any]) -> dict[str, Any]:
    """Run :func:`child` in a fresh process; its figures, wall time and peak RSS."""
    cmd = [sys.executable, "-m", "benchmark.tools.perf_scale", "--child", json.dumps(job)]
    stdout, wall, rss = run_measured(cmd, f"{job['reranker']} on {job['dataset']}")
    figures: dict[str, Any] = json.loads(stdout.strip().splitlines()[-1])
    return figures | {"wall_s": wall, "peak_rss_mb": rss}


def cost_curve(sizes: tuple[int, ...] = SIZES) -> dict[str, Any]:
    """Per reranker and size: cell seconds, prepare seconds, peak RSS; per reranker the worst
    time and memory ratio per 10x data."""
    figures: dict[str, Any] = {}
    for name in RERANKERS:
        points = []
        for n in sizes:
            job = {"dataset": "synthetic-serp", "params": {"n_queries": n}, "reranker": name}
            got = measured(job | {"budget": BUDGET})
            print(f"  {name} n_queries={n:,}: cell {got['cell_s']:.1f} s, prepare "
                  f"{got['prepare_s']:.1f} s, peak RSS {got['peak_rss_mb']:.0f} MB")  # fmt: skip
            points.append(got)
            figures[f"scale_{name}_{n}_cell_s"] = got["cell_s"]
            figures[f"scale_{name}_{n}_rss_mb"] = got["peak_rss_mb"]
        figures[f"scale_{name}_time_per_10x"] = worst_step(points, "cell_s", sizes)
        figures[f"scale_{name}_rss_per_10x"] = worst_step(points, "peak_rss_mb", sizes)
    return figures


def worst_step(points: list[dict[str, Any]], key: str, sizes: tuple[int, ...]) -> float:
    """The largest growth of ``key`` per 10x data between consecutive sizes."""
    steps = [
        (b[key] / a[key]) ** (1 / max(1e-9, math.log10(m / n)))
        for a, b, n, m in zip(points, points[1:], sizes, sizes[1:], strict=False)
    ]
    return max(steps)


def mslr_folder(root: Path, rows: int = MSLR_ROWS, features: int = MSLR_FEATURES) -> Path:
    """A flat LETOR folder of MSLR-WEB30K's shape (train/vali/test = 60/20/20 % of ``rows``)."""
    from benchmark.tools.memcheck_svmlight import generate

    root.mkdir(parents=True, exist_ok=True)
    first = 0
    for i, (part, share) in enumerate((("train", 0.6), ("vali", 0.2), ("test", 0.2))):
        n = int(rows * share)
        generate(root / f"{part}.txt", n, features, seed=i, first_qid=first)
        first += n  # more than the queries of the file: ids never repeat across files
    return root


def mslr_run(rows: int = MSLR_ROWS, where: Path | None = None) -> dict[str, Any]:
    """lambdamart@10 % and smar@10 % on the MSLR-shaped folder, each in a fresh child."""
    figures: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(dir=where) as tmp:
        started = time.perf_counter()
        folder = mslr_folder(Path(tmp) / "mslr-shaped", rows)
        figures["mslr_generate_s"] = time.perf_counter() - started
        for name in ("lambdamart", "smar"):
            job = {"dataset": f"letor-serp:{folder}", "params": {}, "reranker": name}
            got = measured(job | {"budget": BUDGET})
            print(f"  MSLR-sized {name}@10%: wall {got['wall_s']:.0f} s (load + stage 1 "
                  f"{got['prepare_s']:.0f} s, cell {got['cell_s']:.0f} s), "
                  f"peak RSS {got['peak_rss_mb']:.0f} MB")  # fmt: skip
            for key in ("wall_s", "prepare_s", "cell_s", "peak_rss_mb"):
                figures[f"mslr_{name}_{key}"] = got[key]
    figures["mslr_rows"] = rows
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmark.tools.perf_scale")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    parser.add_argument("--mslr-rows", type=int, default=0, help="also the MSLR-shaped run")
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(json.loads(args.child))))
        return 0
    figures = cost_curve(tuple(int(s) for s in args.sizes.split(",")))
    if args.mslr_rows:
        figures |= mslr_run(args.mslr_rows)
    print(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
