"""A strategy whose version is raised (it now buys other labels) has its earlier cells neither
reused nor reported: the next run recomputes them, and each seed is counted once; `prune`
removes the stale cells and no view changes."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd
import pytest

from benchmark.cli import main
from benchmark.core.annotation import STRATEGIES
from benchmark.core.config import CellConfig
from benchmark.store import Store
from tests.conftest import TINY_ARGS

SMALL = TINY_ARGS


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
    board_path = next((out / "leaderboards").glob("*.csv"))
    board = pd.read_csv(board_path)
    assert board.set_index("strategy").loc["random", "seeds"] == 2  # not 4
    store = Store(out)
    key = store.keys()[0]
    assert len(store.packed(key)) == 6 and len(store.loose.scan()) == 6  # 2 stale, 4 current
    capsys.readouterr()
    assert main(["prune", "--out", str(out)]) == 0
    assert capsys.readouterr().out.endswith(f"2 stale cells removed from {out}\n")
    store = Store(out)
    assert len(store.packed(key)) == 4 and len(store.loose.scan()) == 4
    assert len(store.cells(key)) == 4
    before = board_path.read_bytes()
    assert main(["report", "--out", str(out), *SMALL]) == 0
    assert board_path.read_bytes() == before
    assert main(["prune", "--out", str(out)]) == 0  # nothing left to remove
    assert capsys.readouterr().out.splitlines()[-1] == f"0 stale cells removed from {out}"
    for name, version in (("pages", "2"), ("random", "3")):  # every cell stale: the pack empties
        bumped = dataclasses.replace(STRATEGIES.get(name), version=version)
        monkeypatch.setitem(STRATEGIES.entries, name, bumped)
    assert main(["prune", "--out", str(out)]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == f"4 stale cells removed from {out}"
    assert Store(out).packed(key) == {} and Store(out).loose.scan() == []


def test_prune_of_a_missing_folder_is_one_error_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["prune", "--out", str(tmp_path / "typo")]) == 2
    captured = capsys.readouterr()
    assert captured.err == f"error: no results folder at {tmp_path / 'typo'}\n"
    assert not (tmp_path / "typo").exists()
