"""The small-run figures of ``python -m benchmark.tools.perf`` (issue 19), each in fresh child
processes from an empty folder:

* ``small_jobs1_s`` / ``small_jobs2_s``: ``run --rerankers lambdamart,sft,calibrated-fusion
  --budget 10% --seeds 2 --dataset-param n_queries=2000`` (12 cells) with ``--jobs 1`` and
  ``--jobs 2``, in turn, ``--repeats`` pairs (medians: one run of each varies by up to 15 % on
  a shared virtual machine), their ratio ``small_jobs2_ratio`` and ``small_identical`` (1 when
  every pair's leaderboard CSVs are byte-identical);
* ``cached_run_s``: the same command again into the ``--jobs 1`` folder (every cell cached,
  every figure unchanged);
* ``fixed_cost_s``: what a process pays before its first cell: the imports and numba's cached
  kernels (``import benchmark.pipeline.preload``, which a worker's fork server does once);
  ``fixed_cost_torch_s`` the same with what the network rerankers import when they first fit
  (torch and the network module: paid only by a run that has one of them).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
from pathlib import Path

from benchmark.tools.perf_scale import run_measured

SMALL = ["--rerankers", "lambdamart,sft,calibrated-fusion", "--budget", "10%", "--seeds", "2"]
SMALL += ["--dataset-param", "n_queries=2000", "--quiet"]
GOALS = {"small_jobs1_s": 10.0, "small_jobs2_ratio": 0.75, "cached_run_s": 4.0}
GOALS |= {"fixed_cost_s": 3.0}
FIXED = (
    "import time; t = time.perf_counter(); from benchmark import configure_environment; "
    "configure_environment(); import benchmark.pipeline.preload; {more}"
    "print(time.perf_counter() - t)"
)
TORCH = "import torch, baselines.smar_model; "


def run(out: Path, jobs: int) -> float:
    cmd = [sys.executable, "-m", "benchmark", "run", *SMALL, "--out", str(out), "--jobs", str(jobs)]
    return run_measured(cmd, f"the small run with --jobs {jobs}")[1]


def small_runs(repeats: int = 3) -> dict[str, float]:
    """The 12-cell run with one and two jobs, ``repeats`` pairs in turn (medians; the ratio is
    the median of the pairs' ratios), then again with every cell cached."""
    ones, twos = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(repeats):
            one, two = Path(tmp) / f"one{i}", Path(tmp) / f"two{i}"
            ones.append(run(one, 1))
            twos.append(run(two, 2))
            same = [
                (one / "leaderboards" / p.name).read_bytes() == p.read_bytes()
                for p in (two / "leaderboards").glob("*.csv")
            ]
            if not same or not all(same):
                return {"small_identical": 0.0}
        cached = run(Path(tmp) / "one0", 1)
    ratios = [b / a for a, b in zip(ones, twos, strict=True)]
    return {
        "small_jobs1_s": statistics.median(ones),
        "small_jobs2_s": statistics.median(twos),
        "small_jobs2_ratio": statistics.median(ratios),
        "small_identical": 1.0,
        "cached_run_s": cached,
    }


def fixed_cost() -> dict[str, float]:
    """Seconds of imports and kernel loading in a fresh process (median of three), without
    and with the network rerankers' imports."""
    out = {}
    for name, more in (("fixed_cost_s", ""), ("fixed_cost_torch_s", TORCH)):
        code = [sys.executable, "-c", FIXED.format(more=more)]
        times = sorted(float(run_measured(code, name)[0].strip()) for _ in range(3))
        out[name] = times[1]
    return out
