"""The LambdaMART growth tool (its figures are measured by ``python -m
benchmark.tools.perf_lambdamart``, never asserted here): one timed cell on a tiny
synthetic-serp, its LightGBM counts and learning curve, the fixed-rounds run, and the timers
removed after."""

from __future__ import annotations

import lightgbm as lgb

from baselines import lambdamart
from benchmark.pipeline import harness, metrics
from benchmark.tools import perf_lambdamart


def test_a_timed_cell_splits_into_parts_and_counts() -> None:
    before = (lgb.train, lgb.Booster.predict, harness.annotated_views, metrics.run_lines)
    features = lambdamart.learned_features
    got = perf_lambdamart.child(300, rounds=5)
    assert (lgb.train, lgb.Booster.predict, harness.annotated_views, metrics.run_lines) == before
    assert lambdamart.learned_features is features
    assert {p for *_, p in perf_lambdamart.PARTS} - {"provenance"} <= set(got["parts"])
    assert 0 < got["train_rows"] < got["test_rows"] and got["train_pages"] > 0
    assert got["rounds_run"] >= got["best_iteration"] > 0
    assert sum(got["parts"].values()) < 2 * got["cell_s"]
    assert got["fixed_rounds"] == 5 and got["fixed_train_s"] > 0
    assert 0 < got["valid_ndcg10"]["50"] <= got["best_ndcg10"] <= 1  # 60 rounds or more run
    lines = perf_lambdamart.table([got, got])
    assert lines[0].startswith("| | 300 queries | 300 queries |")
    assert any(line.startswith("| rounds_run |") and line.endswith("| 1.0x |") for line in lines)
    assert any(line.startswith("| valid NDCG@10 at round 50 |") for line in lines)


def test_growth_per_tenfold_and_the_written_medians(tmp_path) -> None:
    import json

    def point(n: int, harness: float, train: float, cell: float) -> dict:
        parts = {"annotation": harness, perf_lambdamart.LGB_TRAIN: train}
        return {"n_queries": n, "parts": parts, "cell_s": cell}

    runs = [
        [point(100, 1.0, 2.0, 4.0), point(10_000, 100.0, 200.0, 400.0)],  # 100x: 10x per 10x
        [point(100, 1.0, 2.0, 4.0), point(10_000, 144.0, 400.0, 600.0)],
        [point(100, 1.0, 2.0, 4.0), point(10_000, 121.0, 100.0, 300.0)],
    ]
    got = perf_lambdamart.growth(runs[0])
    assert got == {
        "lambdamart_harness_per_10x": 10.0,
        "lambdamart_lightgbm_per_10x": 10.0,
        "lambdamart_cell_per_10x": 10.0,
    }
    perf_lambdamart.write(tmp_path, runs, ["--repeats", "3"])
    figures = json.loads((tmp_path / "perf.json").read_text())
    assert figures["lambdamart_harness_per_10x"] == 11.0  # median of 10, 12, 11
    assert len(figures["runs"]) == figures["repeats"] == 3
    md = (tmp_path / "perf.md").read_text()
    assert md.startswith("Measured by `python -m benchmark.tools.perf_lambdamart --repeats 3`")
