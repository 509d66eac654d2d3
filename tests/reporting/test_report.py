"""Reports are pure functions of the result files: budget table, saving, plots, HTML."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from benchmark.pipeline import grid
from benchmark.reporting import leaderboard, report
from tests.conftest import TINY


def test_report_views(tmp_path: Path, cache) -> None:
    cells = grid.plan(
        "synthetic-serp", ["lambdamart", "fusion-zscore"], [0.1, 0.3], 2, dataset_params=TINY
    )
    outcome = grid.run(cells, tmp_path, progress=False, cache=cache)
    assert not outcome.failures
    key = outcome.results[0].manifest["dataset_key"]
    board, caption, paths = report.write(tmp_path, key)
    assert all(p.exists() and p.stat().st_size > 0 for p in paths)
    assert paths[-1].name == "index.html" and "budget_curve.png" in paths[-1].read_text()
    assert "Holm" in caption
    # the reference row is marked, and the leaderboard's numbers are the seeds' means
    ref = board[board.reference].iloc[0]
    assert ref["row"] == "lambdamart@100%" and ref["seeds"] == 2
    data = report.per_query(leaderboard.collect(tmp_path, key))
    curve = report.budget_curve(data)
    lm = curve[(curve.method == "lambdamart [pages]") & (curve.budget == 1.0)].iloc[0]
    per_seed = data[(data.row == "lambdamart@100%") & (data.metric == "ndcg_burges@10")]
    assert abs(lm["mean"] - per_seed.groupby("qid").value.mean().mean()) < 1e-12
    assert abs(ref["ndcg_burges@10_mean"] - per_seed.groupby("seed").value.mean().mean()) < 1e-12
    saving = report.annotation_saving(data)
    row = saving[saving.method == "lambdamart [pages]"].iloc[0]
    assert row["smallest_budget"] in (0.1, 0.3, 1.0)
    mix = report.modality_mix(leaderboard.collect(tmp_path, key))
    assert "ideal page" in mix.index
    # asking for a dataset the folder does not hold names the ones it does, as CLI arguments
    with pytest.raises(ValueError, match="results exist for: --dataset synthetic-serp --dataset-p"):
        report.write(tmp_path, "letor_mq2008")
    assert pd.Series(mix.sum(axis=1)).between(0.99, 1.01).all()


def _cell(reranker: str, params: dict, **extra) -> leaderboard.Cell:
    config = {"dataset": "synthetic-serp", "reranker": reranker, "budget": 0.1}
    config |= {"strategy": "middle", "seed": 0, "params": params, **extra}
    return leaderboard.Cell(Path("."), {"config": config, "label": f"{reranker}@10%"})


def test_rows_keep_configs_apart() -> None:
    default = leaderboard.make_reranker("smar").params()
    cells = [_cell("smar", default), _cell("smar", default | {"betas": [1.0]})]
    assert sorted(leaderboard.rows_of(cells)) == ["smar@10%", "smar@10%{betas=[1.0]}"]
    # a reranker the registry does not know shows every parameter rather than merging rows
    unknown = [_cell("mine", {"k": 1}), _cell("mine", {"k": 2})]
    assert len(leaderboard.rows_of(unknown)) == 2
    # configurations that differ outside the parameters would share a label: an error, not a
    # silently dropped row
    clash = [_cell("smar", default), _cell("smar", default, dataset_version="0")]
    with pytest.raises(ValueError, match="share the leaderboard row 'smar@10%'"):
        leaderboard.rows_of(clash)
