"""benchmark.tools.valid_choice: parses configurations, reads page_valid figures from fit_info."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from benchmark.pipeline.harness import DatasetCache
from benchmark.tools.valid_choice import config_arg, evaluate, parser, table, valid_ndcg
from tests.conftest import TINY_ARGS


def test_config_arg() -> None:
    assert config_arg("smar") == ("smar", {})
    assert config_arg('smar:{"betas": [0.3]}') == ("smar", {"betas": [0.3]})
    with pytest.raises(argparse.ArgumentTypeError, match="JSON object"):
        config_arg("smar:[1]")


def test_valid_ndcg_reads_the_chosen_candidate() -> None:
    grid = [{"beta": 0.3, "valid_ndcg@10": 0.5, "rounds": 4}, {"beta": 1.0, "valid_ndcg@10": 0.7}]
    assert valid_ndcg({"grid": grid, "chosen": {"beta": 1.0}}) == 0.7
    assert valid_ndcg({"best_valid_ndcg@10": 0.6}) == 0.6
    assert valid_ndcg({"best_iteration": 3}) is None


def test_rows_through_the_harness(cache: DatasetCache, tmp_path: Path) -> None:
    args = parser().parse_args(
        [
            *['sft:{"max_rounds": 1}', "interleave", "--budgets", "30%", "--seeds", "2"],
            *["--out", str(tmp_path), "--quiet", *TINY_ARGS],
        ]
    )
    rows = evaluate(args, cache)
    assert [r["seeds"] for r in rows] == ["2/2", "0/1"]
    assert rows[0]["config"].startswith("sft@30%") and rows[1]["valid"] == "—"
    assert table(rows).count("\n") == 3
