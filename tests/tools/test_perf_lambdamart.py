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
