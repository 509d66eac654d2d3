"""Every derived view of one dataset, written together: the leaderboard (Markdown, CSV, LaTeX
main and ablation tables) under ``<out>/leaderboards/``, and under ``<out>/reports/<key>/`` the
budget table (Markdown, LaTeX), the annotation saving, the figures (PNG, PDF, SVG at two
widths, or the formats asked) and the HTML report. All files are rendered in memory first and
published all-or-nothing (:func:`benchmark.store.publish`), so a failure leaves the previous
report whole; files of an earlier report that this one no longer writes are removed after it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd

from benchmark.core.measures import GAIN_NOTE
from benchmark.reporting import (
    budget,
    figures,
    forked,
    html,
    leaderboard,
    plots,
    provenance,
    tables,
)
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


@dataclass
class Data:
    """The plain-data views of one dataset (one set of statistics, from :mod:`.rows`)."""

    key: str
    board: pd.DataFrame
    tests: str  # the leaderboard's test caption
    curve: pd.DataFrame
    best: str  # the best reference's label ("" without one)
    saving: pd.DataFrame
    saving_caption: str
    mix: pd.DataFrame  # every row
    main_mix: pd.DataFrame  # the ideal page and the main rows


def views_of(key: str, cells: list[Cell]) -> Data:
    rows = group_rows(cells)
    against, best = against_best(rows)
    board, tests = leaderboard.of_rows(rows, against, best)
    curve = budget.budget_curve(rows, against, best)
    curve["significant"] = curve.row.map(against["significant"]).fillna(False).astype(bool)
    curve["mark"] = curve.row.map(board.set_index("row")["significance"]).fillna("")
    mix = budget.modality_mix(rows)
    main = set(board.row[board.main]) if len(board) else set()
    return Data(
        key,
        board,
        tests,
        curve,
        best.label if best is not None else "",
        budget.annotation_saving(rows, against, best),
        budget.saving_caption(best),
        mix,
        mix.loc[["ideal page", *(r for r in mix.index if r in main)]],
    )


def figure_files(
    folder: Path,
    data: Data,
    formats: tuple[str, ...] = figures.FORMATS,
    keep: bool = True,
    processes: int = 1,
) -> dict[Path, bytes | str]:
    """Every figure of the report in ``formats``; one whose inputs and drawing code did not
    change since it was written in ``folder`` is read back, not drawn again
    (:func:`figures.reused`); the others drawn in up to ``processes`` processes
    (:func:`forked.calls`: each width of each figure is one call)."""
    draws: dict[str, tuple[Any, tuple[Any, ...]]] = {
        "budget_curve": (plots.draw_curve(data.curve), (data.curve,)),
        "modality_mix": (plots.draw_mix(data.main_mix), (data.main_mix,)),
    }
    if data.best:
        draws["budget_diff"] = (plots.draw_diff(data.curve, data.best), (data.curve, data.best))
    drawn: dict[str, dict[str, bytes]] = {}  # by figure: its files, then its stamp
    stamps: dict[str, dict[str, bytes]] = {}  # of the figures drawn now
    tasks: list[tuple[str, Callable[[], dict[str, bytes]]]] = []  # one per figure and width
    for name, (draw, inputs) in draws.items():
        key = figures.fingerprint((plots, figures), name, *inputs)
        found, fmts = figures.reused(folder, name, key, formats, keep)
        drawn[name] = found or {}
        if found is None:
            stamps[name] = figures.stamp(name, key)
            tasks += [
                (name, partial(figures.render_width, name, w, draw, fmts)) for w in figures.WIDTHS
            ]
    rendered = forked.calls([task for _, task in tasks], processes)
    for (name, _), files in zip(tasks, rendered, strict=True):
        drawn[name] |= files
    for name, marker in stamps.items():
        drawn[name] |= marker
    return {folder / n: b for files in drawn.values() for n, b in files.items()}


def figure_notes(data: Data) -> dict[str, str]:
    _, _, left = plots.curve_parts(data.curve)
    left_note = f" {left} methods measured at one budget only are in the tables." if left else ""
    left_note += f" {GAIN_NOTE}."
    return {
        "budget_curve": "nDCG@10 (mean over queries of the seed-averaged value) against the "
        "budget; label-free baselines as horizontal lines. No confidence bands: compare "
        "methods on the paired-difference figure." + left_note,
        "budget_diff": f"Difference in nDCG@10 to the best reference ({data.best or 'none'}) "
        "with its 95 % CI (query and seed variance); filled markers: significant in the "
        "leaderboard's test (two-way query x seed t-test, Holm), hollow: not significant."
        + left_note,
        "modality_mix": f"Share of each modality in the top 10: the ideal page and the "
        f"{len(data.main_mix) - 1} rows of the main table (all {len(data.mix) - 1} rows in the "
        "table below).",
    }


def table_files(folder: Path, data: Data, style: tables.Style) -> dict[Path, bytes | str]:
    """The budget table (Markdown, LaTeX) and the annotation saving (Markdown)."""
    table = budget.budget_table(data.curve)
    saving = budget.saving_table(data.saving)
    files: dict[Path, bytes | str] = {
        folder / "budget.md": f"# nDCG@10 against the budget: {data.key}\n\n"
        + (table.to_markdown() if len(table) else "")
        + f"\n\n{budget.budget_caption(data.curve)}\n",
        folder / "saving.md": (saving.to_markdown(index=False) if len(saving) else "no "
        "fully-annotated reference") + f"\n\n{data.saving_caption}\n",
    }  # fmt: skip
    for suffix, text in tables.budget_tables(data.curve, data.key, data.tests, style).items():
        files[folder / f"budget{suffix}.tex"] = text
    return files


def page(folder: Path, data: Data, prov: provenance.Provenance, written: list[Path]) -> str:
    board = data.board
    views = html.Views(
        data.key,
        leaderboard.formatted(board[board.main]) if len(board) else board,
        leaderboard.formatted(board[~board.main]) if len(board) else board,
        f"{leaderboard.notes(board)} {data.tests}",
        budget.budget_table(data.curve),
        budget.budget_caption(data.curve),
        budget.saving_table(data.saving),
        data.saving_caption,
        data.mix,
        figure_notes(data),
    )
    return html.page(views, prov, folder, written)


def write(
    store: Store,
    key: str,
    style: tables.Style | None = None,
    formats: tuple[str, ...] = figures.FORMATS,
    widths: tuple[str, ...] = tuple(figures.WIDTHS),
    keep: bool = True,
    processes: int = 1,
) -> tuple[pd.DataFrame, str, list[Path]]:
    """Write every view of dataset ``key`` (its LaTeX tables set in ``style``, by default at a
    two-column page's column width; its figures in ``formats`` and ``widths``, and with
    ``keep`` in every other format already there, kept current; the others removed; drawn in
    up to ``processes`` processes): returns the leaderboard, its caption and the written paths
    (index.html last)."""
    style = style or tables.Style()
    cells = require(store, key)
    data = views_of(key, cells)
    folder = store.out / "reports" / key
    files: dict[Path, bytes | str] = dict(
        leaderboard.files(store.out, key, data.board, data.tests, style)
    )
    drawn = figure_files(folder, data, formats, keep, processes)
    files |= {p: v for p, v in drawn.items() if figures.width_of(p.name) in (None, *widths)}
    files |= table_files(folder, data, style)
    index = folder / "index.html"
    prov = provenance.collect(cells, store.pack(key).dataset())
    shown = [p for p in files if not p.name.startswith(".")]  # not the figures' stamps
    files[index] = page(folder, data, prov, [*shown, index])
    stale = leaderboard.obsolete(store.out, key, list(files))
    stale += [p for p in folder.glob("*") if p.is_file() and not p.name.startswith(".")]
    publish(files, obsolete=[p for p in stale if p not in files])
    return data.board, data.tests, [p for p in files if not p.name.startswith(".")]
