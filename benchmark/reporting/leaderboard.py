"""Leaderboards: pure functions of the cells of one dataset (:mod:`benchmark.store`).

Rows are ``reranker@budget`` (one row per distinct config up to the seed); columns are the mean
± std over seeds of each measure (each seed's value is the mean over test queries), the
annotation units used, and a paired test of nDCG@10 against the best fully-annotated reference
(:mod:`benchmark.reporting.rows`). Written as Markdown, CSV and LaTeX (booktabs) under
``<out>/leaderboards/``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from benchmark.core.measures import DISPLAY, MAIN_METRIC, METRICS
from benchmark.reporting import significance
from benchmark.reporting.rows import Row, against_best, group_rows
from benchmark.store import Cell


def row_record(row: Row) -> dict[str, Any]:
    """A row's identity, seeds, units and mean ± std over seeds of every measure."""
    per_seed = row.per_seed()
    record: dict[str, Any] = {
        "row": row.label,
        "reranker": row.config["reranker"],
        "budget": row.budget,
        "strategy": row.config["strategy"],
        "reference": row.reference,
        "seeds": len(per_seed),
        "units": row.units(),
    }
    for metric in METRICS:
        values = per_seed[metric] if metric in per_seed else pd.Series(dtype=float)
        record[f"{metric}_mean"] = float(values.mean())
        record[f"{metric}_std"] = float(values.std(ddof=1)) if len(values) > 1 else 0.0
    return record


def build(cells: list[Cell]) -> tuple[pd.DataFrame, str]:
    """The leaderboard frame (one row per config, best nDCG@10 first) and its test caption."""
    rows = group_rows(cells)
    board = pd.DataFrame([row_record(r) for r in rows])
    if board.empty:
        return board, ""
    board = board.sort_values(f"{MAIN_METRIC}_mean", ascending=False, kind="stable")
    board = board.reset_index(drop=True)
    tests, best = against_best(rows)
    if best is None:
        board["p_holm"] = np.nan
        board["significance"] = ""
        return board, "no fully-annotated reference row: no tests"
    board["p_holm"] = board["row"].map(tests["p_holm"])
    sig = board["row"].map(tests["significant"]).fillna(False).astype(bool)
    diff = board[f"{MAIN_METRIC}_mean"] - best.mean()
    board["significance"] = np.where(sig & (diff > 0), "▲", np.where(sig & (diff < 0), "▼", ""))
    caption = significance.caption(len(tests), f"the best reference {best.label}")
    return board, caption


def formatted(board: pd.DataFrame) -> pd.DataFrame:
    """Display strings: ``mean ± std`` per metric, the NDCG@10 marker, units, Holm p."""
    out = pd.DataFrame({"reranker@budget": board["row"] + np.where(board.reference, " (ref)", "")})
    for metric in METRICS:
        cell = [
            f"{m:.4f} ± {s:.4f}"
            for m, s in zip(board[f"{metric}_mean"], board[f"{metric}_std"], strict=True)
        ]
        if metric == MAIN_METRIC:
            cell = [
                c + (f" {mark}" if mark else "")
                for c, mark in zip(cell, board["significance"], strict=True)
            ]
        out[DISPLAY[metric]] = cell
    out["units"] = [f"{u:,.0f}" for u in board["units"]]
    out["p (Holm)"] = ["—" if np.isnan(p) else f"{p:.2g}" for p in board["p_holm"]]
    out["seeds"] = board["seeds"].to_numpy()
    return out


def markdown(board: pd.DataFrame, title: str, caption: str) -> str:
    table = formatted(board)
    head = "| " + " | ".join(table.columns) + " |"
    rule = "|" + "|".join("---" for _ in table.columns) + "|"
    body = ["| " + " | ".join(str(v) for v in row) + " |" for row in table.itertuples(index=False)]
    return "\n".join([f"# {title}", "", head, rule, *body, "", caption, ""])


def latex(board: pd.DataFrame, title: str, caption: str) -> str:
    table = formatted(board)
    marks = {
        "▲": r"$^{\blacktriangle}$",
        "▼": r"$^{\blacktriangledown}$",
        "±": r"$\pm$",
        "%": r"\%",
        "_": r"\_",
        "—": "--",
        "&": r"\&",
    }

    def esc(text: object) -> str:
        s = str(text)
        for k, v in marks.items():
            s = s.replace(k, v)
        return s

    cols = "l" + "r" * (len(table.columns) - 1)
    lines = [
        r"\begin{table}[t]",
        r"\centering",
        r"\small",
        rf"\begin{{tabular}}{{{cols}}}",
        r"\toprule",
        " & ".join(esc(c) for c in table.columns) + r" \\",
        r"\midrule",
    ]
    lines += [" & ".join(esc(v) for v in row) + r" \\" for row in table.itertuples(index=False)]
    lines += [
        r"\bottomrule",
        r"\end{tabular}",
        rf"\caption{{{esc(title)}. {esc(caption)}}}",
        r"\end{table}",
        "",
    ]
    return "\n".join(lines)


def render(board: pd.DataFrame, key: str, caption: str) -> dict[str, str]:
    """The Markdown, CSV and LaTeX texts of a leaderboard, by file suffix."""
    title = f"Leaderboard: {key}"
    return {
        ".md": markdown(board, title, caption),
        ".csv": board.to_csv(index=False),
        ".tex": latex(board, title, caption),
    }


def files(out: Path, key: str, board: pd.DataFrame, caption: str) -> dict[Path, str]:
    """The leaderboard files of dataset ``key`` under ``out`` (to be published together)."""
    folder = out / "leaderboards"
    return {folder / f"{key}{suffix}": text for suffix, text in render(board, key, caption).items()}


def best_label(board: pd.DataFrame) -> str | None:
    """The best reference's row label (``board`` is sorted by nDCG@10), or None."""
    refs = board[board.reference] if not board.empty else board
    return str(refs.iloc[0]["row"]) if len(refs) else None
