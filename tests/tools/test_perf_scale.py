"""The cost-curve and MSLR-shaped helpers of ``perf`` (their figures are measured by
``python -m benchmark.tools.perf``, never asserted here): the growth figure, the generated LETOR
folder, and one measured child on a tiny version of it."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmark.tools import perf_scale
from datasets.locate import resolve
from datasets.svmlight import read_svmlight


def test_worst_step_is_the_largest_growth_per_tenfold() -> None:
    points = [{"t": 1.0}, {"t": 10.0}, {"t": 200.0}]
    assert perf_scale.worst_step(points, "t", (100, 1_000, 10_000)) == pytest.approx(20.0)
    # a step of 100x data counts as two tenfold steps: 100x time is 10x per tenfold
    assert perf_scale.worst_step([{"t": 1.0}, {"t": 100.0}], "t", (10, 1_000)) == pytest.approx(10)


def test_mslr_folder_is_a_flat_letor_folder_without_shared_query_ids(tmp_path: Path) -> None:
    root = perf_scale.mslr_folder(tmp_path / "m", rows=3_000, features=12)
    facts = resolve(str(root))
    assert [sorted(f.parts()) for f in facts.folds] == [["test", "train", "vali"]]
    qids = {
        part: set(read_svmlight(root / f"{part}.txt").qids) for part in ("train", "vali", "test")
    }
    assert sum(len(q) for q in qids.values()) == len(set().union(*qids.values()))
    assert read_svmlight(root / "train.txt").features.shape == (1_800, 12)


def test_a_measured_child_runs_one_cell_of_the_folder(tmp_path: Path) -> None:
    root = perf_scale.mslr_folder(tmp_path / "m", rows=6_000, features=12)
    job = {"dataset": f"letor-serp:{root}", "params": {}, "reranker": "lambdamart", "budget": 0.1}
    got = perf_scale.measured(job)
    assert got["test_queries"] > 0
    assert 0 < got["cell_s"] < got["wall_s"] and got["prepare_s"] > 0
    assert got["peak_rss_mb"] > 50
