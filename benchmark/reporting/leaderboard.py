"""Leaderboards: pure functions of the result files of one dataset.

Rows are ``reranker@budget`` (one row per distinct config up to the seed); columns are the mean
± std over seeds of NDCG@1/3/5/10 and MRR@10 (each seed's value is the mean over test queries),
the annotation units used, and a paired test of NDCG@10 against the best fully-annotated
reference. Written as Markdown, CSV and LaTeX (booktabs) under ``<out>/leaderboards/``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from benchmark.core.config import SUITE_VERSION, canonical_json
from benchmark.core.reranker import RERANKERS, make_reranker
from benchmark.pipeline.harness import load_metrics
from benchmark.pipeline.metrics import DISPLAY, MAIN_METRIC, METRICS, write_atomic_text
from benchmark.reporting import significance


@dataclass
class Cell:
    run_dir: Path
    manifest: dict[str, Any]

    @property
    def config(self) -> dict[str, Any]:
        config: dict[str, Any] = self.manifest["config"]
        return config


def current_cells(out: Path) -> list[Cell]:
    """Every finished cell under ``out`` of the current suite version, any dataset."""
    cells = []
    for path in sorted((out / "runs").glob("*/manifest.json")):
        manifest = json.loads(path.read_text())
        if manifest["config"].get("suite_version") == SUITE_VERSION:
            cells.append(Cell(path.parent, manifest))
    return cells


def collect(out: Path, key: str) -> list[Cell]:
    """Every finished cell of dataset ``key`` under ``out`` (current suite version)."""
    return [c for c in current_cells(out) if c.manifest.get("dataset_key") == key]


def require(out: Path, key: str) -> list[Cell]:
    """``collect``, or an error that lists the datasets the results folder does hold."""
    everything = current_cells(out)
    cells = [c for c in everything if c.manifest.get("dataset_key") == key]
    if cells:
        return cells
    held = set()
    for cell in everything:
        params = cell.config["dataset_params"].items()
        held.add(
            f"--dataset {cell.config['dataset']}"
            + "".join(f" --dataset-param {k}={v}" for k, v in params)
        )
    hint = f" (results exist for: {'; '.join(sorted(held))})" if held else ""
    raise ValueError(f"no finished cells of dataset {key!r} under {out / 'runs'}{hint}")


def row_label(config: dict[str, Any], label: str) -> str:
    """The manifest's label, plus any parameter that differs from the reranker's default."""
    name = config["reranker"]
    if name not in RERANKERS:
        return label + ("{" + canonical_json(config["params"]) + "}" if config["params"] else "")
    defaults = make_reranker(name).params()
    changed = {k: v for k, v in config["params"].items() if defaults.get(k) != v}
    return label + (
        "{" + ",".join(f"{k}={v}" for k, v in sorted(changed.items())) + "}" if changed else ""
    )


def rows_of(cells: list[Cell]) -> dict[str, list[Cell]]:
    """The cells of each leaderboard row (same config but for the seed), by row label."""
    groups: dict[str, list[Cell]] = {}
    for cell in cells:
        c = dict(cell.config)
        c.pop("seed")
        groups.setdefault(canonical_json(c), []).append(cell)
    rows: dict[str, list[Cell]] = {}
    for members in groups.values():
        label = row_label(members[0].config, members[0].manifest["label"])
        if label in rows:
            raise ValueError(f"two different configurations share the leaderboard row {label!r}")
        rows[label] = members
    return rows


def seed_averaged(members: list[Cell], metric: str = MAIN_METRIC) -> pd.Series:
    """Per-query ``metric`` averaged over the seeds of one row (indexed by qid)."""
    stacked = pd.concat([load_metrics(m.run_dir) for m in members])
    return stacked[stacked.metric == metric].groupby("qid").value.mean()


def build(cells: list[Cell]) -> tuple[pd.DataFrame, str]:
    """The leaderboard frame (one row per config) and the caption of its test."""
    rows, per_query = [], {}
    for label, members in rows_of(cells).items():
        first = members[0]
        means = pd.DataFrame([m.manifest["mean"] for m in members])
        row: dict[str, Any] = {
            "row": label,
            "reranker": first.config["reranker"],
            "budget": first.config["budget"],
            "strategy": first.config["strategy"],
            "reference": first.config["budget"] == 1.0,
            "seeds": len(members),
            "units": float(np.mean([m.manifest["annotation"]["units_used"] for m in members])),
        }
        for metric in METRICS:
            row[f"{metric}_mean"] = float(means[metric].mean())
            row[f"{metric}_std"] = float(means[metric].std(ddof=1)) if len(members) > 1 else 0.0
        rows.append(row)
        per_query[label] = seed_averaged(members)
    board = pd.DataFrame(rows)
    if board.empty:
        return board, ""
    board = board.sort_values(f"{MAIN_METRIC}_mean", ascending=False, kind="stable")
    board = board.reset_index(drop=True)
    board["p_holm"] = np.nan
    board["significance"] = ""
    best = best_reference(board)
    if best is None:
        return board, "no fully-annotated reference row: no tests"
    others = [r for r in board["row"] if r != best]
    raw = [significance.paired_p_value(per_query[r], per_query[best]) for r in others]
    adjusted = dict(zip(others, significance.holm(raw), strict=True))
    board["p_holm"] = board["row"].map(adjusted)
    diff = board[f"{MAIN_METRIC}_mean"] - float(
        board.loc[board.row == best, f"{MAIN_METRIC}_mean"].iloc[0]
    )
    sig = board["p_holm"] < significance.ALPHA
    board["significance"] = np.where(sig & (diff > 0), "▲", np.where(sig & (diff < 0), "▼", ""))
    caption = significance.caption(len(others), f"the best reference {best}")
    return board, caption


def best_reference(board: pd.DataFrame) -> str | None:
    """The row every other row is tested against: the fully-annotated (100 %) row with the
    highest NDCG@10 (``board`` is sorted by it), or None without such a row."""
    refs = board[board.reference]
    return str(refs.iloc[0]["row"]) if len(refs) else None


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


def write(out: Path, key: str, cells: list[Cell]) -> tuple[pd.DataFrame, str, list[Path]]:
    """Build the leaderboard of dataset ``key`` from its ``cells`` (see :func:`require`) and
    write its Markdown, CSV and LaTeX files."""
    board, caption = build(cells)
    folder = out / "leaderboards"
    folder.mkdir(parents=True, exist_ok=True)
    title = f"Leaderboard: {key}"
    paths = [folder / f"{key}.md", folder / f"{key}.csv", folder / f"{key}.tex"]
    write_atomic_text(paths[0], [markdown(board, title, caption)])
    write_atomic_text(paths[1], [board.to_csv(index=False)])
    write_atomic_text(paths[2], [latex(board, title, caption)])
    return board, caption, paths
