"""Every derived view of one dataset, written together: the leaderboard, the budget table, the
annotation saving, the figures and the HTML report (``<out>/leaderboards/<key>.*`` and
``<out>/reports/<key>/``). All files are rendered in memory first and published all-or-nothing
(:func:`benchmark.store.publish`), so a failure leaves the previous report whole."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from benchmark.reporting import budget, figures, html, leaderboard
from benchmark.reporting.rows import against_best, group_rows
from benchmark.store import Cell, Store, publish


def require(store: Store, key: str) -> list[Cell]:
    """The current cells of ``key``, or an error that lists the datasets the folder holds."""
    cells = store.cells(key)
    if cells:
        return cells
    held = store.keys()
    hint = f" (results exist for: {', '.join(held)})" if held else ""
    raise ValueError(f"no finished cells of dataset {key!r} under {store.out}{hint}")


def write(store: Store, key: str) -> tuple[pd.DataFrame, str, list[Path]]:
    """Write every view of dataset ``key``: returns the leaderboard, its caption and the written
    paths (index.html last)."""
    cells = require(store, key)
    rows = group_rows(cells)
    board, caption = leaderboard.build(cells)
    tests, best = against_best(rows)
    curve = budget.budget_curve(rows, best)
    table = budget.budget_table(curve)
    saving = budget.annotation_saving(rows, tests, best)
    mix = budget.modality_mix(rows)
    folder = store.out / "reports" / key
    files: dict[Path, bytes | str] = dict(leaderboard.files(store.out, key, board, caption))
    files[folder / "budget_curve.png"] = figures.draw_budget_curve(
        curve, f"{key}: nDCG@10 vs annotation budget"
    )
    files[folder / "modality_mix.png"] = figures.draw_modality_mix(
        mix, f"{key}: modality mix of the top 10"
    )
    files[folder / "budget.md"] = (table.to_markdown() if not table.empty else "") + "\n"
    files[folder / "budget.tex"] = (table.to_latex() if not table.empty else "") + "\n"
    files[folder / "saving.md"] = (
        saving.to_markdown(index=False) if not saving.empty else "no fully-annotated reference"
    ) + "\n"
    files[folder / "index.html"] = html.page(key, board, caption, table, saving, mix)
    publish(files)
    return board, caption, list(files)
