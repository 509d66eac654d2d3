"""The strategies view: the smallest budget that reaches the reference (non-inferior), with the
headline test's CI, each strategy against the bands, one figure per strategy (on hand-made
rows)."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd

from benchmark.reporting import significance, strategies
from benchmark.reporting.figures import FORMATS
from benchmark.reporting.rows import group_rows
from benchmark.store import Cell

QUERIES = 300
RNG = np.random.default_rng(0)
BASE = RNG.uniform(0.3, 1.0, QUERIES)


def cell(
    reranker: str,
    strategy: str,
    budget: float,
    shift: float,
    seed: int = 0,
    params: dict | None = None,
) -> Cell:
    """A cell whose per-query nDCG@10 is the common base plus ``shift`` and a little noise."""
    label = f"{reranker}@{budget * 100:g}%[{strategy}]" + (f"{{{params}}}" if params else "")
    label = "sft@100%" if (reranker, budget) == ("sft", 1.0) else label
    config = {"dataset": "d", "reranker": reranker, "budget": budget, "strategy": strategy}
    config |= {"seed": seed, "params": params or {}, "dataset_params": {}}
    noise = np.random.default_rng([seed, int(budget * 100), len(strategy)]).normal(0, 0.02, QUERIES)
    values = BASE + shift + noise
    frame = pd.DataFrame(
        {"qid": [f"q{i}" for i in range(QUERIES)], "metric": "ndcg_burges@10", "value": values}
    )
    manifest = {
        "config": config,
        "label": label,
        "method": f"{reranker} [{strategy}]",
        "mean": {"ndcg_burges@10": float(values.mean())},
        "queries_evaluated": QUERIES,
    }
    return Cell("0" * 16, manifest, Path("."), lambda: frame)


CELLS = [
    cell("sft", "pages", 1.0, 0.0),
    cell("smar", "calibration-anchors", 0.05, -0.05),
    cell("smar", "calibration-anchors", 0.1, 0.0),
    cell("smar", "calibration-anchors", 0.2, 0.001),
    cell("smar", "middle", 0.05, -0.06),
    cell("smar", "middle", 0.1, -0.03),
    cell("smar", "middle", 0.2, -0.03),
]


class FakeStore:
    def __init__(self, out: Path) -> None:
        self.out = out

    def cells(self, key: str) -> list[Cell]:
        return CELLS


def test_saving_is_the_smallest_budget_that_reaches_the_reference() -> None:
    rows = group_rows(CELLS)
    reference = next(r for r in rows if r.label == "sft@100%")
    lines = strategies.curve(rows, reference)
    assert len(lines) == 6 and (lines.p_holm >= lines.p).all()
    saved = strategies.saving(lines).set_index("method")
    anchors = saved.loc["smar [calibration-anchors]"]
    assert anchors.smallest_budget == 0.1 and np.isclose(anchors.saving, 0.9)
    assert anchors.ci_low <= anchors["diff"] <= anchors.ci_high
    assert anchors.ci_high - anchors.ci_low < 0.02
    assert pd.isna(saved.loc["smar [middle]"].smallest_budget)


def test_curve_ci_is_the_headline_tests() -> None:
    rows = group_rows(CELLS)
    reference = next(r for r in rows if r.label == "sft@100%")
    lines = strategies.curve(rows, reference).set_index("row")
    row = next(r for r in rows if r.label == "smar@10%[middle]")
    estimate = significance.two_way(row.table(), reference.table())
    line = lines.loc["smar@10%[middle]"]
    assert (line.ci_low, line.ci_high, line.p) == (estimate.ci_low, estimate.ci_high, estimate.p)
    assert not line.noninferior and line.ci_high < 0


def test_versus_pairs_each_strategy_with_the_bands_at_its_budget() -> None:
    variant = cell("smar", "middle", 0.1, +0.05, params={"betas": [1.0]})  # after the default
    table = strategies.versus(group_rows([*CELLS, variant]), ("middle",))
    assert list(table.budget) == [0.05, 0.1, 0.2]  # the variant has no strategy row to pair
    assert set(table.b) == {"smar@5%[middle]", "smar@10%[middle]", "smar@20%[middle]"}
    at10 = table[table.budget == 0.1].iloc[0]
    assert at10["diff"] > 0.02 and at10.p_holm < 0.05


def test_files_write_tables_and_a_figure_per_strategy(tmp_path: Path) -> None:
    spec = {"name": "active", "kind": "strategies", "versus": ["middle"]}
    out = strategies.files(FakeStore(tmp_path), spec, ["d"])  # type: ignore[arg-type]
    folder = tmp_path / "reports" / "active"
    names = {p.relative_to(folder).as_posix() for p in out}
    tables = {f"{name}.{ext}" for name in ("saving", "versus") for ext in ("md", "csv")}
    tables |= {"saving-d.tex", "versus-d.tex", "curve.csv"}  # LaTeX: a float per dataset
    figures = {f"d/calibration-anchors-{w}.{f}" for w in ("column", "full") for f in FORMATS}
    assert names == tables | figures
    assert r"\caption{Strategies against SMAR's bands at the same budget on d" in str(
        out[folder / "versus-d.tex"]
    )
    assert out[folder / "d" / "calibration-anchors-column.png"][:4] == b"\x89PNG"
    saving = str(out[folder / "saving.md"])
    assert "| d | smar [calibration-anchors] | 5%, 10%, 20% | 10% | 90% |" in saving
    assert "not reached" in saving and "non-inferior within 0.01" in saving
    curve = pd.read_csv(io.StringIO(str(out[folder / "curve.csv"])))
    assert set(curve.key) == {"d"} and "sft@100%" not in set(curve.row)
    at10 = curve.set_index("row").loc["smar@10%[calibration-anchors]"]
    assert at10.noninferior and not at10.significant and at10.budget == 0.1


def test_figures_draw_only_the_grids_rows_with_a_readable_legend(monkeypatch) -> None:
    """Rows of other grids in the dataset's folder (another reranker, a variant, a strategy the
    grid does not run) are not drawn; every legend entry lies inside the figure, below the
    axes; no text under 8 pt."""
    from matplotlib.text import Text

    from benchmark.reporting import figures

    others = [cell("smar-z", "middle", 0.1, -0.02), cell("smar", "random", 0.1, -0.04)]
    others.append(cell("smar", "middle", 0.1, +0.05, params={"betas": [1.0]}))
    store = FakeStore(Path("."))
    monkeypatch.setattr(store, "cells", lambda key: [*CELLS, *others])
    grid = [c.label for c in CELLS]
    spec = {"name": "active", "kind": "strategies", "versus": ["middle"], "rows": grid}
    drawn: dict = {}
    monkeypatch.setattr(figures, "render", lambda name, draw: drawn.setdefault(name, draw) and {})
    lines, _, _ = strategies.dataset_views(store, "d", spec)  # type: ignore[arg-type]
    assert {"smar-z", "smar"} <= set(lines.reranker)  # the tables keep every row
    strategies.figures(lines, spec)
    assert list(drawn) == ["calibration-anchors"]  # no figure for "random"
    plt = figures.pyplot()
    for width in figures.WIDTHS.values():
        with plt.rc_context(figures.RC):
            fig = drawn["calibration-anchors"](plt, width)
            fig.canvas.draw()
            renderer = fig.canvas.get_renderer()
            (legend,) = fig.legends
            labels = [t.get_text() for t in legend.get_texts()]
            inches = fig.dpi_scale_trans.inverted()
            box = legend.get_window_extent(renderer).transformed(inches)
            axes = fig.axes[0].get_window_extent(renderer).transformed(inches)
            size = fig.get_size_inches()
            texts = [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]
            sizes = [t.get_fontsize() for t in texts]
            plt.close(fig)
        assert labels == ["smar [calibration-anchors]", "smar [middle]"], labels
        assert not fig.axes[0].get_legend()
        assert box.x0 > -0.02 and box.y0 > -0.02 and box.x1 < size[0] + 0.02, (width, box)
        assert box.y1 <= axes.y0, (width, box, axes)  # below the axes, not over the curves
        assert min(sizes) >= 8, (width, min(sizes))
