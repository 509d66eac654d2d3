"""The harness: cells are cached by config, failures are never cached and never lose finished
cells, and the CLI turns bad input into one-line errors with a non-zero exit."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from benchmark.cli import main
from benchmark.core.config import CellConfig
from benchmark.pipeline import grid
from benchmark.store import Store
from tests.conftest import TINY, TINY_ARGS, tiny_config

SMALL = TINY_ARGS


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_run_writes_leaderboard_and_reuses_cells(tmp_path: Path, capsys) -> None:
    args = [
        "run",
        "--out",
        str(tmp_path),
        "--quiet",
        "--rerankers",
        "fusion-minmax,lambdamart",
        "--budget",
        "20%",
        "--seeds",
        "1",
        *SMALL,
    ]
    code, out, _ = cli(capsys, *args)
    assert code == 0, out
    assert "3 cells done (0 reused" in out  # fusion, lambdamart at 20 % and at 100 %
    assert "lambdamart@100% (ref)" in out and "lambdamart@20%" in out
    files = sorted(p.name for p in (tmp_path / "leaderboards").iterdir())
    assert [f.rsplit(".", 1)[1] for f in files] == ["csv", "md", "tex"]
    runs = sorted(p for p in (tmp_path / "runs").iterdir() if p.name not in ("qrels", ".locks"))
    assert len(runs) == 3
    for run in runs:
        assert {p.name for p in run.iterdir()} == {
            "config.json",
            "run.trec",
            "metrics.parquet",
            "manifest.json",
        }
    stamps = {r: (r / "manifest.json").stat().st_mtime_ns for r in runs}
    code, out, _ = cli(capsys, *args)
    assert code == 0 and "3 cells done (3 reused" in out
    assert stamps == {r: (r / "manifest.json").stat().st_mtime_ns for r in runs}
    qrels = list((tmp_path / "runs" / "qrels").iterdir())
    assert len(qrels) == 1 and qrels[0].suffix == ".qrels"
    # a later run prints its own rows and the best reference; the file keeps every row
    code, out, _ = cli(capsys, *args[:5], "fusion-zscore", *args[6:])
    assert code == 0 and "1 cells done (0 reused" in out
    assert "fusion-zscore" in out and "lambdamart@100% (ref)" in out
    assert "lambdamart@20%" not in out and "fusion-minmax" not in out
    assert "2 more rows, from earlier runs" in out
    written = next((tmp_path / "leaderboards").glob("*.md")).read_text()
    assert all(r in written for r in ("fusion-zscore", "fusion-minmax", "lambdamart@20%"))


def test_failed_cell_is_not_cached_and_others_survive(tmp_path: Path, monkeypatch, cache) -> None:
    from baselines.interleave import Interleave

    cells = grid.plan("synthetic-serp", ["interleave", "fusion-minmax"], [], 1, dataset_params=TINY)
    monkeypatch.setattr(Interleave, "score", lambda self, split: np.full(split.n_items, np.nan))
    outcome = grid.run(cells, Store(tmp_path), progress=False, cache=cache)
    assert len(outcome.results) == 1 and len(outcome.failures) == 1
    assert "non-finite" in outcome.failures[0][1]
    failed = outcome.failures[0][0]
    assert not (tmp_path / "runs" / failed.run_id).exists()
    assert not list((tmp_path / "runs").glob(".tmp-*"))
    monkeypatch.undo()
    again = grid.run(cells, Store(tmp_path), progress=False, cache=cache)
    assert [r.cached for r in again.results] == [False, True]  # the failure was re-run


def test_force_reruns(tmp_path: Path, cache) -> None:
    from benchmark.pipeline.harness import run_cell

    config = tiny_config("interleave")
    first = run_cell(config, Store(tmp_path), cache)
    again = run_cell(config, Store(tmp_path), cache, force=True)
    assert not again.cached and first.run_dir == again.run_dir
    assert (
        json.loads((again.run_dir / "manifest.json").read_text())["mean"] == first.manifest["mean"]
    )


def test_same_config_same_per_query_numbers(tmp_path: Path, cache) -> None:
    from benchmark.pipeline.harness import run_cell

    config = tiny_config("lambdamart", 0.3, "pages", 1)
    a = run_cell(config, Store(tmp_path / "a"), cache)
    b = run_cell(config, Store(tmp_path / "b"), cache)
    assert a.cell.metrics().equals(b.cell.metrics())


def test_config_hash_and_seeds() -> None:
    a = CellConfig("d", "lambdamart", 0.1, "pages", 0)
    assert a.run_id == CellConfig("d", "lambdamart", 0.1, "pages", 0).run_id
    assert a.run_id != CellConfig("d", "lambdamart", 0.1, "pages", 1).run_id
    # the annotation depends on the budget point, not on the reranker: paired annotations
    assert a.annotation_seed == CellConfig("d", "sft", 0.1, "pages", 0).annotation_seed
    assert a.model_seed != CellConfig("d", "sft", 0.1, "pages", 0).model_seed


@pytest.mark.parametrize(
    "argv,message",
    [
        (["run", "--rerankers", "lambdamrt"], "did you mean 'lambdamart'"),
        (["run", "--dataset", "synthetic-serpp"], "did you mean 'synthetic-serp'"),
        (["run", "--strategy", "top"], "unknown strategy 'top'"),
        (["run", "--dataset-param", "n_querys=10"], "no parameter 'n_querys'"),
        (
            ["run", "--param", "lambdamart.leaves=3", "--rerankers", "lambdamart"],
            "no parameter 'leaves'",
        ),
        (["run", "--grid", "smar-mian"], "unknown grid"),
        (["report", "--out", "/nonexistent-folder"], "no finished cells"),
    ],
)
def test_cli_errors_are_one_line(capsys, argv, message) -> None:
    code, _, err = cli(capsys, *argv)
    assert code == 2
    assert message in err and err.count("\n") == 1


@pytest.mark.parametrize("budget", ["150%", "0", "ten"])
def test_bad_budget_exits_non_zero(capsys, budget) -> None:
    assert main(["run", "--budget", budget]) == 2
    err = capsys.readouterr().err
    assert "accepted forms" in err and err.startswith("error: ") and err.count("\n") == 1


def test_registries_fill_themselves_outside_the_cli() -> None:
    # a script that never imports baselines/ or datasets/ still sees every entry (the leaderboard
    # labels rows by the registry's defaults; an empty registry merged rows before)
    code = (
        "from benchmark.core.reranker import RERANKERS; "
        "from benchmark.core.catalog import DATASETS; "
        "print('smar' in RERANKERS, 'letor-serp' in DATASETS)"
    )
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == ["True", "True"]


def test_list_names_everything(capsys) -> None:
    code, out, _ = cli(capsys, "list")
    assert code == 0
    for name in ("lambdamart", "fusion-minmax", "synthetic-serp", "pages", "top-p"):
        assert name in out


def test_malformed_dataset_is_one_error_before_any_cell(tmp_path: Path, capsys) -> None:
    data = tmp_path / "bad"
    data.mkdir()
    lines = "1 qid:1 1:0.5 2:0.1\n0 qid:1 1:0.2 2:0.3\n2 qid:2 1:0.5 2:x\n0 qid:2 1:0.1 2:0.2\n"
    for name in ("train.txt", "test.txt"):
        (data / name).write_text(lines)
    out = tmp_path / "out"
    code, _, err = cli(
        capsys, "run", "--dataset", f"letor-serp:{data}", "--out", str(out), "--quiet"
    )
    assert code == 2 and err.count("\n") == 1
    assert "train.txt:3" in err and "not a finite number" in err
    assert not out.exists()
