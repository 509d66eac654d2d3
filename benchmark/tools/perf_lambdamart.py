"""Where a lambdamart@10 % cell's time goes as the data grows (issue 19,
``docs/lambdamart-growth.md``): ``python -m benchmark.tools.perf_lambdamart --sizes 20000,200000``.

Per size, a fresh child process prepares synthetic-serp with that ``n_queries`` (timed apart,
as :func:`benchmark.tools.perf_scale.child` does) and runs the one cell through the harness
with a timer around each part: the harness's (qrels file, annotation, feature matrices, run
lines, file writes, evaluation, manifest summary) and LightGBM's (``Dataset`` construction,
training, its per-round validation, ``predict``), with LightGBM's own counts: rows and pages
trained on, validation rows, boosting rounds run, best iteration, seconds per round, test rows
predicted. ``--fixed-rounds R`` then trains the same arrays for exactly R rounds (no
validation) and predicts with R trees: the per-round and per-tree cost without the learning
curve. The timers wrap the functions and are removed after the cell; nothing is changed.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import importlib
import json
import math
import os
import shlex
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from benchmark.store import write_atomic
from benchmark.tools.perf_scale import run_measured

SIZES = (20_000, 200_000)
COUNTS = (
    "train_rows", "train_pages", "valid_rows", "rounds_run", "best_iteration", "best_ndcg10",
    "test_rows",
)  # fmt: skip
CURVE = (50, 100, 200, 300, 400, 500)  # rounds at which the validation NDCG@10 is shown
LGB_CONSTRUCT = "lgb Dataset construct (binning)"
LGB_TRAIN = "lgb train (construct + rounds)"
LGB_VALID = "lgb   of which validation NDCG@10"
LGB_PREDICT = "lgb predict (test rows)"
#: (module, object in it, attribute, part); parts whose name starts with "lgb" are LightGBM's,
#: "  " marks a part inside the one above it
PARTS = (
    ("benchmark.pipeline.harness", "", "ensure_qrels", "qrels file (test split)"),
    ("benchmark.pipeline.harness", "", "annotated_views", "annotation"),
    ("baselines.lambdamart", "", "learned_features", "feature matrices"),
    ("baselines.lambdamart", "", "revealed_features", "feature matrices"),
    ("lightgbm", "Dataset", "construct", LGB_CONSTRUCT),
    ("lightgbm", "", "train", LGB_TRAIN),
    ("lightgbm", "Booster", "eval_valid", LGB_VALID),
    ("lightgbm", "Booster", "predict", LGB_PREDICT),
    ("benchmark.pipeline.metrics", "", "run_lines", "run lines (TREC text)"),
    ("benchmark.pipeline.harness", "", "write_atomic", "file writes"),
    ("benchmark.pipeline.metrics", "", "per_query_metrics", "evaluation (files + ranx)"),
    ("benchmark.pipeline.harness", "", "evaluation", "manifest summary"),
    ("benchmark.pipeline.harness", "", "provenance", "provenance"),
)


@contextlib.contextmanager
def timers(seconds: dict[str, float], calls: dict[str, int]) -> Iterator[None]:
    """Time every part of :data:`PARTS` into ``seconds``/``calls`` while inside (a function
    this checkout does not have is left out: the tool also measures older commits)."""
    with contextlib.ExitStack() as stack:
        for module, obj, attr, part in PARTS:
            owner = importlib.import_module(module)
            owner = getattr(owner, obj) if obj else owner
            if not hasattr(owner, attr):
                continue
            wrapped = timer(getattr(owner, attr), part, seconds, calls)
            stack.enter_context(_patched(owner, attr, wrapped))
        yield


def timer(
    fn: Callable[..., Any], part: str, seconds: dict[str, float], calls: dict[str, int]
) -> Callable[..., Any]:
    @functools.wraps(fn)
    def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            seconds[part] = seconds.get(part, 0.0) + time.perf_counter() - started
            calls[part] = calls.get(part, 0) + 1

    return timed


@contextlib.contextmanager
def _patched(owner: Any, attr: str, value: Any) -> Iterator[None]:
    old = getattr(owner, attr)
    setattr(owner, attr, value)
    try:
        yield
    finally:
        setattr(owner, attr, old)


@contextlib.contextmanager
def lightgbm_counts(seen: dict[str, Any]) -> Iterator[None]:
    """Record what ``lightgbm.train`` and ``Booster.predict`` are given and do: rows, pages,
    rounds run, best iteration (``seen``; ``seen["arrays"]``: the training arrays, the
    parameters and the test matrix, for :func:`fixed_rounds`)."""
    import lightgbm as lgb

    train, predict = lgb.train, lgb.Booster.predict

    def counted_train(params: dict[str, Any], data: Any, *args: Any, **kwargs: Any) -> Any:
        raw = (data.data, data.label, data.get_group(), params)
        curve: dict[str, Any] = {}  # the validation NDCG@10 per round (read, not used)
        kwargs["callbacks"] = [*(kwargs.get("callbacks") or []), lgb.record_evaluation(curve)]
        booster = train(params, data, *args, **kwargs)
        valid = kwargs.get("valid_sets") or []
        ndcg = curve["valid_0"]["ndcg@10"] if valid else []
        seen["arrays"] = raw
        seen["valid_ndcg10"] = {str(r): ndcg[r - 1] for r in CURVE if r <= len(ndcg)}
        seen["best_ndcg10"] = max(ndcg, default=0.0)
        seen.update(
            {
                "train_rows": data.num_data(),
                "train_pages": len(data.get_group()),
                "valid_rows": valid[0].num_data() if valid else 0,
                "features": data.num_feature(),
                "best_iteration": booster.best_iteration,
            }
        )
        return booster

    def counted_predict(booster: Any, x: Any, *args: Any, **kwargs: Any) -> Any:
        seen["test"] = x
        seen["test_rows"] = len(x)
        return predict(booster, x, *args, **kwargs)

    with _patched(lgb, "train", counted_train), _patched(lgb.Booster, "predict", counted_predict):
        yield


def fixed_rounds(seen: dict[str, Any], rounds: int) -> dict[str, float]:
    """The cell's training arrays trained for exactly ``rounds`` rounds (no validation set),
    then ``predict`` on the test rows with ``rounds`` trees: seconds of each."""
    import lightgbm as lgb

    x, y, group, params = seen["arrays"]
    started = time.perf_counter()
    data = lgb.Dataset(x, y, group=group).construct()
    construct = time.perf_counter() - started
    booster = lgb.train(params | {"metric": "None"}, data, rounds)
    trained = time.perf_counter() - started - construct
    started = time.perf_counter()
    booster.predict(seen["test"], num_iteration=rounds)
    return {
        "fixed_rounds": rounds,
        "fixed_construct_s": construct,
        "fixed_train_s": trained,
        "fixed_predict_s": time.perf_counter() - started,
    }


def child(n_queries: int, rounds: int = 0) -> dict[str, Any]:
    """Prepare synthetic-serp with ``n_queries`` and run lambdamart@10 % in this process with
    the timers on; the figures (see the module docstring)."""
    from benchmark.pipeline import grid
    from benchmark.pipeline.harness import DatasetCache, run_cell
    from benchmark.store import Store

    params = {"n_queries": n_queries}
    cache = DatasetCache()
    started = time.perf_counter()
    cache.get("synthetic-serp", params)
    prepare = time.perf_counter() - started
    config = grid.plan(
        "synthetic-serp", ["lambdamart"], [0.1], 1, dataset_params=params, references=False
    )[0]
    seconds: dict[str, float] = {}
    calls: dict[str, int] = {}
    seen: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as out, lightgbm_counts(seen), timers(seconds, calls):
        started = time.perf_counter()
        run_cell(config, Store(Path(out)), cache, force=True)
        cell = time.perf_counter() - started
    figures = {k: v for k, v in seen.items() if k not in ("arrays", "test")}
    figures |= {"n_queries": n_queries, "prepare_s": prepare, "cell_s": cell}
    figures["rounds_run"] = calls.get(LGB_VALID, 0)
    figures["parts"] = seconds
    return figures | (fixed_rounds(seen, rounds) if rounds else {})


def table(points: list[dict[str, Any]]) -> list[str]:
    """A markdown table: one column per size, one row per part and count, then the ratio."""
    head = [
        "| | " + " | ".join(f"{p['n_queries']:,} queries" for p in points) + " | last / first |"
    ]
    head.append("|---" * (len(points) + 2) + "|")
    names = dict.fromkeys(p for *_, p in PARTS)  # in order, once
    rows = [(f"{p}, s", [q["parts"].get(p, 0.0) for q in points]) for p in names]
    harness, lgb = [harness_s(q) for q in points], [lightgbm_s(q) for q in points]
    cell = [q["cell_s"] for q in points]
    rest = [c - h - g for c, h, g in zip(cell, harness, lgb, strict=True)]
    rows += [("harness parts, s", harness), ("LightGBM (train + predict), s", lgb)]
    rows += [("rest of the cell, s", rest), ("cell, s", cell)]
    rows += count_rows(points)
    return head + [
        f"| {name} | " + " | ".join(f"{v:,}" if isinstance(v, int) else f"{v:.3g}" for v in values)
        + f" | {values[-1] / values[0] if values[0] else float('nan'):.1f}x |"
        for name, values in rows
    ]  # fmt: skip


def count_rows(points: list[dict[str, Any]]) -> list[tuple[str, list[Any]]]:
    """The table's rows of LightGBM's counts, the learning curve and the fixed-rounds run."""
    rows = [(k, [q.get(k, 0) for q in points]) for k in COUNTS]
    rows += [
        ("lgb seconds per round (train - construct - validation)", [per_round(q) for q in points])
    ]
    curve = [r for r in CURVE if all(str(r) in q.get("valid_ndcg10", {}) for q in points)]
    rows += [
        (f"valid NDCG@10 at round {r}", [q["valid_ndcg10"][str(r)] for q in points]) for r in curve
    ]
    fixed = [k for k in ("fixed_train_s", "fixed_predict_s") if k in points[0]]
    return rows + [(k, [q[k] for q in points]) for k in fixed]


def per_round(point: dict[str, Any]) -> float:
    parts = point["parts"]
    rounds = parts[LGB_TRAIN] - parts.get(LGB_CONSTRUCT, 0.0) - parts.get(LGB_VALID, 0.0)
    return rounds / max(1, point.get("rounds_run", 0))


def harness_s(point: dict[str, Any]) -> float:  # every part that is not LightGBM's
    return sum(v for k, v in point["parts"].items() if not k.startswith("lgb"))


def lightgbm_s(point: dict[str, Any]) -> float:  # LightGBM's training and prediction
    return sum(point["parts"].get(p, 0.0) for p in (LGB_TRAIN, LGB_PREDICT))


def growth(points: list[dict[str, Any]]) -> dict[str, float]:
    """Time per 10x data from the first size to the last: the harness's parts, LightGBM's
    (train + predict) and the whole cell."""
    first, last = points[0], points[-1]
    tenfold = math.log10(last["n_queries"] / first["n_queries"])
    parts = {"harness": harness_s, "lightgbm": lightgbm_s, "cell": lambda q: q["cell_s"]}
    return {
        f"lambdamart_{name}_per_10x": (of(last) / of(first)) ** (1 / tenfold)
        for name, of in parts.items()
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmark.tools.perf_lambdamart")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    parser.add_argument("--fixed-rounds", type=int, default=0)
    parser.add_argument("--repeats", type=int, default=1, help="runs of every size, in turn")
    parser.add_argument("--out", type=Path, help="write perf.json and perf.md (medians) here")
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, args.fixed_rounds)))
        return 0
    runs = []
    for _ in range(args.repeats):
        points = []
        for n in (int(s) for s in args.sizes.split(",")):
            cmd = [sys.executable, "-m", "benchmark.tools.perf_lambdamart", "--child", str(n)]
            out, _, _ = run_measured([*cmd, "--fixed-rounds", str(args.fixed_rounds)], f"n={n}")
            points.append(json.loads(out.strip().splitlines()[-1]))
        print("\n".join(table(points)))
        print(json.dumps(points, indent=1))
        runs.append(points)
    if args.out:
        write(args.out, runs, argv if argv is not None else sys.argv[1:])
    return 0


def write(out: Path, runs: list[list[dict[str, Any]]], argv: list[str]) -> None:
    """perf.json (the growth figures, medians over the runs, and each run's) and perf.md (the
    command, the medians, each run's table)."""
    each = [growth(points) for points in runs]
    medians = {k: statistics.median(g[k] for g in each) for k in each[0]}
    command = shlex.join(["python", "-m", "benchmark.tools.perf_lambdamart", *argv])
    out.mkdir(parents=True, exist_ok=True)
    figures = {"repeats": len(runs), "cores": os.cpu_count(), **medians, "runs": each}
    write_atomic(out / "perf.json", json.dumps(figures, indent=2))
    lines = [f"Measured by `{command}`; medians over {len(runs)} runs:", ""]
    lines += [
        f"- {k}: {v:.2f}x (runs: {', '.join(f'{g[k]:.2f}' for g in each)})"
        for k, v in medians.items()
    ]
    lines += [line for points in runs for line in ["", *table(points)]]
    write_atomic(out / "perf.md", "\n".join(lines) + "\n")


if __name__ == "__main__":
    sys.exit(main())
