"""Cross-validated runs (``fold=all``): one set of cells per fold under one dataset key, a
dataset record with every fold's fingerprint, and a leaderboard whose per-query numbers are
those of each query's own fold, pooled over the test queries of all folds."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from benchmark.cli import main
from benchmark.core.catalog import dataset_key, expand_folds, load_dataset
from benchmark.pipeline.prepare import default_data_dir
from benchmark.reporting.rows import against_best, group_rows
from benchmark.store import Store

DATA = default_data_dir()
pytestmark = pytest.mark.skipif(not DATA.is_dir(), reason=f"no shared data folder at {DATA}")
METRIC = "ndcg_burges@10"


def cv_run(
    out: Path, name: str, rerankers: str, capsys: pytest.CaptureFixture[str], jobs: str = "1"
) -> str:
    argv = ["run", "--dataset", f"letor:{name}", "--dataset-param", "fold=all", "--quiet"]
    argv += ["--jobs", jobs]
    argv += ["--rerankers", rerankers, "--budget", "100%", "--seeds", "1", "--out", str(out)]
    if "lambdamart" in rerankers:
        argv += ["--param", "lambdamart.num_boost_round=20"]
    assert main(argv) == 0
    return capsys.readouterr().out


def test_keys_and_folds() -> None:
    assert dataset_key("letor-serp:ohsumed", {"fold": "all"}) == "letor-serp_ohsumed-cv5"
    assert dataset_key("letor-serp:ohsumed", {"fold": 3, "cv": 5}) == "letor-serp_ohsumed-cv5"
    single = dataset_key("letor-serp:ohsumed", {"fold": 3})
    assert single.startswith("letor-serp_ohsumed-") and "cv" not in single
    # other parameters keep their hash, shared by every fold
    lam = dataset_key("letor-serp:ohsumed", {"fold": "all", "lambda": 0})
    assert lam.startswith("letor-serp_ohsumed-cv5-") and lam == dataset_key(
        "letor-serp:ohsumed", {"fold": 2, "cv": 5, "lambda": 0}
    )
    folds = expand_folds("letor:mq2008", {"fold": "all", "valid_fraction": 0.3})
    assert folds == [{"fold": k, "cv": 5, "valid_fraction": 0.3} for k in range(1, 6)]


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_ohsumed_leaderboard_pools_the_106_queries_of_five_folds(
    jobs: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Serially and in worker processes (which once scored every fold on the first fold's
    data: the workers' data was keyed by the results key, shared by the folds)."""
    printed = cv_run(tmp_path, "ohsumed", "lambdamart,interleave", capsys, jobs)
    assert (
        "test queries evaluated over 5 folds: 105 (1 without a positive label excluded)" in printed
    )
    key = "letor_ohsumed-cv5"
    assert f"Leaderboard: {key}" in printed and (tmp_path / "leaderboards" / f"{key}.md").is_file()
    cells = Store(tmp_path).cells(key)
    assert sorted(c.config["dataset_params"]["fold"] for c in cells) == [
        1,
        1,
        2,
        2,
        3,
        3,
        4,
        4,
        5,
        5,
    ]
    record = json.loads((tmp_path / "cells" / key / "dataset.json").read_text())
    assert record["params"] == {"fold": "all"} and "fingerprint" not in record
    assert set(record["fingerprints"]) == {c.config["data_fingerprint"] for c in cells}
    assert len(record["fingerprints"]) == 5

    rows = {r.label: r for r in group_rows(cells)}
    assert set(rows) == {"lambdamart@100%{num_boost_round=20}", "interleave"}
    lambdamart = rows["lambdamart@100%{num_boost_round=20}"]
    pooled = lambdamart.per_query()
    excluded = {q for c in lambdamart.cells for q in c.manifest["excluded_queries"]["qids"]}
    assert len(pooled) == 105 and len(excluded) == 1 and len(pooled) + len(excluded) == 106
    seen: set[str] = set()
    for cell in lambdamart.cells:
        fold = cell.config["dataset_params"]["fold"]
        test = load_dataset("letor:ohsumed", {"fold": fold}, DATA)["test"]
        own = cell.metrics()
        own = own[own.metric == METRIC].set_index("qid").value
        # the cell's queries are its fold's test queries, and the pooled number is the cell's
        assert set(own.index) | set(cell.manifest["excluded_queries"]["qids"]) == set(test.qids)
        pd.testing.assert_series_equal(pooled.loc[own.index], own, check_names=False)
        assert not seen & set(own.index)
        seen |= set(own.index)
    assert seen == set(pooled.index)
    # the per-seed mean and the paired test both pool the 105 queries of all folds
    assert lambdamart.mean(METRIC) == pytest.approx(pooled.mean())
    tests, best = against_best(list(rows.values()))
    assert best is lambdamart and tests.loc["interleave", "queries"] == 105


def test_mq2008_cross_validation_covers_its_784_queries(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cv_run(tmp_path, "mq2008", "interleave", capsys)
    cells = Store(tmp_path).cells("letor_mq2008-cv5")
    evaluated = sum(c.manifest["queries_evaluated"] for c in cells)
    excluded = sum(c.manifest["excluded_queries"]["count"] for c in cells)
    assert len(cells) == 5 and evaluated + excluded == 784
    (row,) = group_rows(cells)
    assert len(row.per_query()) == evaluated
