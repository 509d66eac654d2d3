"""Reports are pure functions of the stored cells: rows and their statistics, budget table,
saving, plots, HTML; compare uses the same statistics."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from benchmark.core.catalog import dataset_key
from benchmark.pipeline.harness import run_cell
from benchmark.reporting import budget, leaderboard, report
from benchmark.reporting.compare import compare
from benchmark.reporting.rows import against_best, group_rows
from benchmark.store import Cell, Store
from tests.conftest import TINY, tiny_config


def test_report_views(swept) -> None:
    store, key = swept
    board, caption, paths = report.write(store, key)
    assert all(p.exists() and p.stat().st_size > 0 for p in paths)
    assert paths[-1].name == "index.html" and "budget_curve-full.png" in paths[-1].read_text()
    assert "Holm" in caption
    # the reference row is marked, and the leaderboard's numbers are the seeds' means
    ref = board[board.reference].iloc[0]
    assert ref["row"] == "lambdamart@100%" and ref["seeds"] == 2
    rows = group_rows(store.cells(key))
    tests, best = against_best(rows)
    assert best is not None and best.label == "lambdamart@100%"
    curve = budget.budget_curve(rows, tests, best)
    lm = curve[(curve.method == "lambdamart [pages]") & (curve.budget == 1.0)].iloc[0]
    per_query = pd.concat([c.metrics().assign(seed=c.config["seed"]) for c in best.cells])
    main = per_query[per_query.metric == "ndcg_burges@10"]
    stored = main.value.astype("float32").astype("float64")  # the precision packs keep
    assert abs(lm["mean"] - stored.groupby(main.qid).mean().mean()) < 1e-12
    assert abs(lm["mean"] - main.groupby("qid").value.mean().mean()) < 1e-7
    # the leaderboard's mean is the mean over seeds of the harness's per-cell means
    assert abs(ref["ndcg_burges@10_mean"] - main.groupby("seed").value.mean().mean()) < 1e-12
    assert lm["diff"] == 0.0
    saving = budget.annotation_saving(rows, tests, best)
    row = saving[saving.method == "lambdamart [pages]"].iloc[0]
    assert row["smallest_budget"] in (0.1, 0.3, 1.0)
    mix = budget.modality_mix(rows)
    assert "ideal page" in mix.index
    assert pd.Series(mix.sum(axis=1)).between(0.99, 1.01).all()
    # the leaderboard's p-values are the saving's: one set of statistics
    lm10 = board[board.row == "lambdamart@10%"].iloc[0]
    assert lm10["p_holm"] == tests.loc["lambdamart@10%", "p_holm"]
    # the headline (seed-aware) test and ranx's query-only test are both in the CSV, named
    csv = pd.read_csv(store.out / "leaderboards" / f"{key}.csv")
    assert {"p_holm", "p_queries_holm", "diff", "ci_low", "ci_high", "noninferior"} <= set(csv)
    assert lm10["p_queries_holm"] == tests.loc["lambdamart@10%", "p_queries_holm"]
    assert lm10["ci_low"] <= lm10["diff"] <= lm10["ci_high"]


def test_missing_dataset_names_what_the_folder_holds(swept) -> None:
    store, key = swept
    with pytest.raises(ValueError, match=f"results exist for: {key}"):
        report.write(store, "letor_mq2008")


def _cell(reranker: str, label: str, **extra) -> Cell:
    config = {"dataset": "synthetic-serp", "reranker": reranker, "budget": 0.1}
    config |= {"strategy": "middle", "seed": 0, "params": {}, "dataset_params": {}, **extra}
    manifest = {"config": config, "label": label, "method": reranker}
    return Cell("0" * 16, manifest, Path("."), lambda: pd.DataFrame())


def test_rows_keep_configs_apart() -> None:
    cells = [_cell("smar", "smar@10%"), _cell("smar", "smar@10%{b=1}", params={"b": 1})]
    assert [r.label for r in group_rows(cells)] == ["smar@10%", "smar@10%{b=1}"]
    # seeds (and folds) of one configuration are one row
    seeds = [_cell("smar", "smar@10%"), _cell("smar", "smar@10%", seed=1)]
    assert len(group_rows(seeds)) == 1 and len(group_rows(seeds)[0].cells) == 2
    # configurations that differ outside the parameters but share a label: an error, not a
    # silently dropped row
    clash = [_cell("smar", "smar@10%"), _cell("smar", "smar@10%", dataset_version="0")]
    with pytest.raises(ValueError, match="share the leaderboard row 'smar@10%'"):
        group_rows(clash)


def test_compare_rows(cache, tmp_path: Path) -> None:
    """compare on two label-free cells of the tiny dataset."""
    store = Store(tmp_path)
    for name in ("interleave", "fusion-zscore"):
        run_cell(tiny_config(name), store, cache)
    key = dataset_key("synthetic-serp", TINY)
    frame = compare(
        tmp_path, key, [("interleave", "fusion-zscore"), ("fusion-zscore", "fusion-zscore")]
    )
    assert list(frame["a"]) == ["interleave", "fusion-zscore"]
    assert frame["p"].iloc[1] == 1.0 and frame["diff"].iloc[1] == 0.0
    assert (frame["p_holm"] >= frame["p"]).all()
    with pytest.raises(ValueError, match="no results"):
        compare(tmp_path, key, [("smar@10%", "interleave")])


def test_leaderboard_files_render_every_format(swept) -> None:
    store, key = swept
    board, caption = leaderboard.build(store.cells(key))
    files = leaderboard.files(store.out, key, board, caption)
    names = sorted(p.name for p in files)
    assert names == [f"{key}{s}" for s in ("-ablation.tex", ".csv", ".md", ".tex")]
    # Markdown and CSV keep every row and measure; the LaTeX main table the main rows
    assert "lambdamart@10%[random]" in files[store.out / "leaderboards" / f"{key}.md"]
    assert "ndcg@10" in files[store.out / "leaderboards" / f"{key}.csv"]
    main = files[store.out / "leaderboards" / f"{key}.tex"]
    ablation = files[store.out / "leaderboards" / f"{key}-ablation.tex"]
    assert r"lambdamart\allowbreak{}@10\%" in main and "[random]" not in main
    assert "[random]" in ablation and "num" in ablation


def test_report_removes_files_it_no_longer_writes(swept) -> None:
    store, key = swept
    folder = store.out / "reports" / key
    old = [folder / "budget_curve.png", store.out / "leaderboards" / f"{key}-ablation-7.tex"]
    for path in old:  # the folders exist when another test of the fixture wrote them first
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("from an earlier version")
    _, _, paths = report.write(store, key)
    assert not any(p.exists() for p in old)
    assert sorted(p for p in folder.iterdir() if not p.name.startswith(".")) == sorted(
        p for p in paths if p.parent == folder
    )


def test_a_second_report_draws_no_figure(swept, monkeypatch) -> None:
    """Figures whose inputs and drawing code are unchanged are read back, byte for byte; a
    changed input draws again."""
    from benchmark.reporting import figures

    store, key = swept
    _, _, first = report.write(store, key)
    before = {p: p.read_bytes() for p in first}
    mtimes = {p: p.stat().st_mtime_ns for p in first}

    def fail(*args, **kwargs):
        raise AssertionError("a figure was drawn again")

    monkeypatch.setattr(figures, "render_width", fail)
    _, _, second = report.write(store, key)
    assert second == first and all(p.read_bytes() == before[p] for p in second)
    assert all(p.stat().st_mtime_ns == mtimes[p] for p in second)  # nothing rewritten
    folder = store.out / "reports" / key
    (folder / ".budget_curve.key").write_text("another input")
    with pytest.raises(AssertionError, match="drawn again"):
        report.write(store, key)


def test_a_second_run_computes_and_draws_nothing(tmp_path, monkeypatch) -> None:
    """The same `run` command twice: the second computes no cell, loads no data, draws no
    figure and rewrites no file."""
    from benchmark.cli import main
    from benchmark.pipeline import harness
    from benchmark.reporting import figures
    from tests.conftest import TINY_ARGS

    argv = ["run", "--rerankers", "fusion-zscore,lambdamart", "--budget", "30%", "--seeds", "1"]
    argv += ["--out", str(tmp_path), "--quiet", *TINY_ARGS]
    assert main(argv) == 0
    files = {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*") if p.is_file()}

    def fail(*args, **kwargs):
        raise AssertionError("computed or drawn again")

    for module, name in (
        (harness, "compute"),
        (harness, "checked_prepared"),
        (figures, "render_width"),
    ):
        monkeypatch.setattr(module, name, fail)
    assert main(argv) == 0
    after = {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*") if p.is_file()}
    assert after == files


def test_only_the_formats_asked_are_written(tmp_path, capsys) -> None:
    """``run --formats svg`` draws PNG (always) and SVG; ``report --formats pdf`` adds the PDFs
    and keeps the SVGs (still current, not rewritten); a ``run`` (PNG by default) that changes
    a figure keeps its other formats, redrawn; one in a folder without the figures' stamps (a
    fresh clone) removes and changes nothing."""
    from benchmark.cli import main
    from tests.conftest import TINY_ARGS

    common = ["--out", str(tmp_path), *TINY_ARGS]
    argv = ["run", "--seeds", "1", "--quiet", *common, "--rerankers", "fusion-zscore"]
    assert main([*argv, "--formats", "svg"]) == 0
    assert "figures (PNG, SVG)" in capsys.readouterr().out
    (folder,) = (tmp_path / "reports").iterdir()

    def suffixes(name: str) -> set[str]:
        return {p.suffix for p in folder.glob(f"{name}-*")}

    assert suffixes("budget_curve") == suffixes("modality_mix") == {".png", ".svg"}
    svg = (folder / "budget_curve-column.svg").stat().st_mtime_ns
    svg_bytes = (folder / "budget_curve-column.svg").read_bytes()
    assert main(["report", *common, "--formats", "pdf"]) == 0
    assert suffixes("budget_curve") == {".png", ".pdf", ".svg"}
    assert (folder / "budget_curve-column.svg").stat().st_mtime_ns == svg
    capsys.readouterr()
    assert main([*argv, "--rerankers", "interleave"]) == 0  # a new row: a new budget curve
    assert "figures (PNG, PDF, SVG)" in capsys.readouterr().out  # what it wrote, not asked
    assert suffixes("budget_curve") == {".png", ".pdf", ".svg"}
    assert (folder / "budget_curve-column.svg").read_bytes() != svg_bytes
    before = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}
    for stamp in folder.glob(".*.key"):
        stamp.unlink()
    assert main([*argv, "--rerankers", "interleave"]) == 0
    after = {p.name: p.read_bytes() for p in folder.iterdir() if not p.name.startswith(".")}
    assert after == {n: b for n, b in before.items() if not n.startswith(".")}
