"""A strategy whose version is raised (it now buys other labels) has its earlier cells neither
reused nor reported: the next run recomputes them, and each seed is counted once."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd
import pytest

from benchmark.cli import main
from benchmark.core.annotation import STRATEGIES
from benchmark.core.config import CellConfig
from benchmark.store import Store
from tests.conftest import TINY

SMALL = [f"--dataset-param={k}={v}" for k, v in TINY.items()]


def strategy_cells(out: Path, name: str) -> list[dict]:
    store = Store(out)
    keys = store.keys()
    return [c.config for k in keys for c in store.cells(k) if c.config["strategy"] == name]


def test_a_new_strategy_version_is_recomputed_not_counted_twice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    run = ["run", "--out", str(out), "--quiet", *SMALL, "--rerankers", "lambdamart"]
    run += ["--budget", "10%", "--strategy", "random", "--seeds", "2"]
    assert main(run) == 0
    first = strategy_cells(out, "random")
    assert len(first) == 2 and all("strategy_version" not in c for c in first)  # "1": omitted
    changed = dataclasses.replace(STRATEGIES.get("random"), version="2")
    monkeypatch.setitem(STRATEGIES.entries, "random", changed)
    assert strategy_cells(out, "random") == []  # the old version's cells are not current
    capsys.readouterr()
    assert main(run) == 0
    assert "4 cells done (2 reused" in capsys.readouterr().out  # the 100 % references are reused
    again = strategy_cells(out, "random")
    assert len(again) == 2 and {c["strategy_version"] for c in again} == {"2"}
    assert {CellConfig.from_dict(c).run_id for c in again}.isdisjoint(
        CellConfig.from_dict(c).run_id for c in first
    )
    board = pd.read_csv(next((out / "leaderboards").glob("*.csv")))
    assert board.set_index("strategy").loc["random", "seeds"] == 2  # not 4
