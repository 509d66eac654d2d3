"""Leaderboards: pure functions of the cells of one dataset (:mod:`benchmark.store`).

Rows are ``reranker@budget`` (one row per distinct config up to the seed); columns are the mean
± std over seeds of each measure (each seed's value is the mean over test queries), the
annotation units used, and the tests of nDCG@10 against the best fully-annotated reference
(:mod:`benchmark.reporting.rows`): ``diff`` with its 95 % CI (``ci_low``, ``ci_high``),
``p_holm`` the headline two-way (query x seed) test, ``p_queries_holm`` ranx's query-only
paired t-test, ``noninferior`` whether the row reaches the reference within the margin
(PROTOCOL §7). Written under ``<out>/leaderboards/`` as Markdown and CSV (every row and
measure) and as LaTeX tables for a paper (:mod:`benchmark.reporting.tables`: the main table,
the ablation table, a few columns each).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from benchmark.core.measures import MAIN_METRIC, METRICS, display, gain_note, table_measures
from benchmark.reporting import significance, tables
from benchmark.reporting.rows import Row, against_best, group_rows
from benchmark.reporting.text import p_text
from benchmark.store import Cell

FIRST = table_measures()  # the columns shown first: the LaTeX tables' own (core/measures.py)
TEST_COLUMNS = ("diff", "ci_low", "ci_high", "p_holm", "p_queries_holm")  # against the best ref


def row_record(row: Row, measures: list[str]) -> dict[str, Any]:
    """A row's identity, seeds, units and mean ± std over seeds of every measure."""
    record: dict[str, Any] = {
        "row": row.label,
        "reranker": row.config["reranker"],
        "budget": row.budget,
        "strategy": row.config["strategy"],
        "reference": row.reference,
        "main": row.main,
        "seeds": len(row.seeds),
        "units": row.units(),
    }
    for metric in measures:
        record[f"{metric}_mean"], record[f"{metric}_std"] = row.summary(metric)
    return record


def measures_of(board: pd.DataFrame) -> list[str]:
    """The measures a leaderboard frame holds, the suite's first."""
    return [c.removesuffix("_mean") for c in board.columns if c.endswith("_mean")]


def build(cells: list[Cell]) -> tuple[pd.DataFrame, str]:
    """The leaderboard frame (one row per config, best nDCG@10 first) and its test caption."""
    rows = group_rows(cells)
    return of_rows(rows, *against_best(rows))


def of_rows(rows: list[Row], tests: pd.DataFrame, best: Row | None) -> tuple[pd.DataFrame, str]:
    """:func:`build` from rows already grouped and tested (:func:`against_best`)."""
    extra = list(dict.fromkeys(m for r in rows for m in r.measures() if m not in METRICS))
    board = pd.DataFrame([row_record(r, [*METRICS, *extra]) for r in rows])
    if board.empty:
        return board, ""
    board = board.sort_values(f"{MAIN_METRIC}_mean", ascending=False, kind="stable")
    board = board.reset_index(drop=True)
    if best is None:
        for column in TEST_COLUMNS:
            board[column] = np.nan
        board["noninferior"] = pd.Series(pd.NA, index=board.index, dtype="boolean")
        board["significance"] = ""
        return board, "no fully-annotated reference row: no tests"
    board["main"] = board["main"] | (board["row"] == best.label)
    for column in TEST_COLUMNS:
        board[column] = board["row"].map(tests[column]).astype(float)
    board["noninferior"] = board["row"].map(tests["noninferior"]).astype("boolean")
    sig = board["row"].map(tests["significant"]).fillna(False).astype(bool)
    diff = board[f"{MAIN_METRIC}_mean"] - best.mean()
    board["significance"] = np.where(sig & (diff > 0), "▲", np.where(sig & (diff < 0), "▼", ""))
    caption = significance.caption(len(tests), f"the best reference {best.label}")
    return board, caption


def notes(board: pd.DataFrame) -> str:
    """What the numbers are (the caption's first part)."""
    return (
        "Mean ± std over seeds of each seed's mean over the test queries; "
        f"{gain_note(measures_of(board))}; units: page labels bought per seed."
    )


def formatted(board: pd.DataFrame) -> pd.DataFrame:
    """Display strings: ``mean ± std`` per measure (nDCG@10 with its marker, MRR@1, MRR@10
    first), units, Holm p, seeds, then the other measures."""
    out = pd.DataFrame({"reranker@budget": board["row"] + np.where(board.reference, " (ref)", "")})
    for metric in [m for m in FIRST if m in measures_of(board)]:
        cell = mean_std(board, metric)
        if metric == MAIN_METRIC:
            cell = [
                c + (f" {mark}" if mark else "")
                for c, mark in zip(cell, board["significance"], strict=True)
            ]
        out[display(metric)] = cell
    out["units"] = [f"{u:,.0f}" for u in board["units"]]
    out["Δ ref [95 % CI]"] = [
        "" if np.isnan(d) else f"{d:+.4f} [{lo:+.4f}, {hi:+.4f}]"
        for d, lo, hi in zip(board["diff"], board["ci_low"], board["ci_high"], strict=True)
    ]
    out["p (Holm)"] = [p_text(p) for p in board["p_holm"]]
    out["p queries (Holm)"] = [p_text(p) for p in board["p_queries_holm"]]
    out["reaches ref"] = ["" if pd.isna(n) else "yes" if n else "no" for n in board.noninferior]
    out["seeds"] = board["seeds"].to_numpy()
    for metric in [m for m in measures_of(board) if m not in FIRST]:
        out[display(metric)] = mean_std(board, metric)
    return out


def mean_std(board: pd.DataFrame, metric: str) -> list[str]:
    return [
        "—" if np.isnan(m) else f"{m:.4f} ± {s:.4f}"
        for m, s in zip(board[f"{metric}_mean"], board[f"{metric}_std"], strict=True)
    ]


def markdown(board: pd.DataFrame, title: str, caption: str) -> str:
    table = formatted(board)
    head = "| " + " | ".join(table.columns) + " |"
    rule = "|" + "|".join("---" for _ in table.columns) + "|"
    body = ["| " + " | ".join(str(v) for v in row) + " |" for row in table.itertuples(index=False)]
    return "\n".join([f"# {title}", "", head, rule, *body, "", notes(board), caption, ""])


def files(
    out: Path, key: str, board: pd.DataFrame, caption: str, style: tables.Style | None = None
) -> dict[Path, str]:
    """The leaderboard files of dataset ``key`` under ``out`` (to be published together):
    ``<key>.md`` and ``<key>.csv`` with every row and measure, ``<key>.tex`` (the main
    table) and ``<key>-ablation.tex`` (the other rows; long tables in several parts)."""
    folder = out / "leaderboards"
    written = {
        folder / f"{key}.md": markdown(board, f"Leaderboard: {key}", caption),
        folder / f"{key}.csv": board.to_csv(index=False),
    }
    texts = tables.leaderboard_tables(board, key, caption, style)
    return written | {folder / f"{key}{suffix}.tex": text for suffix, text in texts.items()}


def obsolete(out: Path, key: str, written: list[Path]) -> list[Path]:
    """Earlier table parts of ``key`` that this leaderboard no longer has."""
    folder = out / "leaderboards"
    parts = [*folder.glob(f"{key}-ablation*.tex"), *folder.glob(f"{key}-main-*.tex")]
    return [p for p in parts if p not in written]


def best_label(board: pd.DataFrame) -> str | None:
    """The best reference's row label (``board`` is sorted by nDCG@10), or None."""
    refs = board[board.reference] if not board.empty else board
    return str(refs.iloc[0]["row"]) if len(refs) else None
