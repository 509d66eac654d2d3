"""Derived views of one dataset's result files: the budget table, the annotation saving, plots
(NDCG@10 vs budget with 95 % CI, modality mix of the top 10) and an HTML report linking them.

Each view is a pure function from the result files to plain data (a DataFrame); the renderers
below draw that data. Everything is written under ``<out>/reports/<dataset_key>/``.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from benchmark.pipeline.metrics import MAIN_METRIC, write_atomic_text
from benchmark.reporting import leaderboard, significance

Z95 = 1.959964


def per_query(cells: list[leaderboard.Cell]) -> pd.DataFrame:
    """Long frame: row, method, reranker, budget, strategy, seed, qid, metric, value.

    ``method`` is a row without its budget: reranker, strategy and any non-default parameter,
    so that budget curves never merge two configurations."""
    frames = []
    for cell in cells:
        df = leaderboard.load_metrics(cell.run_dir)
        c = cell.config
        label = leaderboard.row_label(c, cell.manifest["label"])
        params = label[label.index("{") :] if "{" in label else ""
        method = c["reranker"] + (f" [{c['strategy']}]" if c["strategy"] else "") + params
        frames.append(
            df.assign(
                row=label,
                method=method,
                reranker=c["reranker"],
                budget=c["budget"],
                strategy=c["strategy"],
                seed=c["seed"],
            )
        )
    return pd.concat(frames, ignore_index=True)


def budget_curve(data: pd.DataFrame) -> pd.DataFrame:
    """NDCG@10 per (method, budget): mean over queries of the seed-averaged per-query value,
    with a normal 95 % CI over queries. Label-free rows have budget NaN."""
    main = data[data.metric == MAIN_METRIC]
    seed_avg = main.groupby(["method", "budget", "qid"], dropna=False).value.mean()
    grouped = seed_avg.groupby(["method", "budget"], dropna=False)
    out = grouped.agg(["mean", "std", "count"]).reset_index()
    out["ci95"] = Z95 * out["std"] / np.sqrt(out["count"])
    return out.drop(columns=["std"]).rename(columns={"count": "queries"})


def annotation_saving(data: pd.DataFrame) -> pd.DataFrame:
    """PROTOCOL §7: per budgeted method, 1 - the smallest budget whose NDCG@10 is not
    significantly below the best fully-annotated reference (paired t-test, Holm across all
    budgets tested here)."""
    main = data[data.metric == MAIN_METRIC]
    series = {
        k: g.groupby("qid").value.mean() for k, g in main.groupby(["method", "budget"], dropna=True)
    }
    refs = {k: s for k, s in series.items() if k[1] == 1.0}
    if not refs:
        return pd.DataFrame()
    best_key = max(refs, key=lambda k: refs[k].mean())
    best = refs[best_key]
    keys = [k for k in series if k != best_key]
    raw = [significance.paired_p_value(series[k], best) for k in keys]
    adjusted = dict(zip(keys, significance.holm(raw), strict=True))
    rows = []
    for method in sorted({m for m, _ in keys} | {best_key[0]}):
        budgets = sorted(b for m, b in keys if m == method)
        ok = [
            b
            for b in budgets
            if series[(method, b)].mean() >= best.mean()
            or adjusted[(method, b)] >= significance.ALPHA
        ]
        if method == best_key[0]:
            ok.append(1.0)
            budgets.append(1.0)
        smallest = min(ok) if ok else None
        rows.append(
            {
                "method": method,
                "budgets": ", ".join(f"{b:.0%}" for b in budgets),
                "smallest_budget": smallest,
                "saving": None if smallest is None else 1 - smallest,
                "reference": f"{best_key[0]} @100%",
            }
        )
    return pd.DataFrame(rows)


def natural_key(label: str) -> list[Any]:
    """Sort key that puts ``x@5%`` before ``x@10%`` before ``x@100%``."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", label)]


def modality_mix(cells: list[leaderboard.Cell]) -> pd.DataFrame:
    """Mean share of each modality in the top 10 per leaderboard row (over seeds), and the
    ideal page's, from the manifests."""
    rows: dict[str, list[dict[str, float]]] = {}
    ideal: dict[str, float] = {}
    for cell in cells:
        label = leaderboard.row_label(cell.config, cell.manifest["label"])
        mix = cell.manifest["modality_mix"]
        rows.setdefault(label, []).append(
            {k.split(":", 1)[1]: v for k, v in mix.items() if k.startswith("share@10:")}
        )
        ideal = {k.split(":", 1)[1]: v for k, v in mix.items() if k.startswith("ideal_share")}
    ordered = sorted(rows, key=natural_key)
    table = pd.DataFrame({label: pd.DataFrame(rows[label]).mean() for label in ordered}).T
    ideal_row = pd.DataFrame([pd.Series(ideal)], index=["ideal page"])
    return pd.concat([ideal_row, table])


# -- renderers ------------------------------------------------------------------------------
def pyplot() -> Any:
    """matplotlib's pyplot on the file-only Agg backend (no display needed)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
MAX_LEGEND = 12  # budget-curve entries above which one-budget methods are left to the tables


def draw_budget_curve(curve: pd.DataFrame, path: Path, title: str) -> None:
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(8, 4.2))
    budgeted = curve[curve.budget.notna()]
    # methods measured at one budget only (ablations) are drawn as points with their CI, unless
    # there are so many entries that the plot would be unreadable: then they stay in the tables
    counts = budgeted.groupby("method").budget.nunique()
    single = int((counts == 1).sum())
    if single and len(counts) > MAX_LEGEND and (counts > 1).any():
        budgeted = budgeted[budgeted.method.isin(counts[counts > 1].index)]
    else:
        single = 0
    for i, (method, g) in enumerate(budgeted.groupby("method")):
        g = g.sort_values("budget")
        x = g.budget * 100
        style = {"color": f"C{i % 10}", "marker": MARKERS[i // 10 % len(MARKERS)]}
        if len(g) > 1:
            ax.plot(x, g["mean"], label=method, **style)
            ax.fill_between(
                x, g["mean"] - g.ci95, g["mean"] + g.ci95, alpha=0.2, color=style["color"]
            )
        else:
            ax.errorbar(
                x, g["mean"], yerr=g.ci95, linestyle="none", capsize=3, label=method, **style
            )
    if single:
        ax.text(
            0.99,
            0.01,
            f"{single} methods measured at one budget only: see the tables",
            transform=ax.transAxes,
            fontsize=7,
            ha="right",
            va="bottom",
            color="grey",
        )
    for _, r in curve[curve.budget.isna()].iterrows():
        ax.axhline(r["mean"], linestyle=":", linewidth=1, color="grey")
        ax.annotate(
            r.method,
            (0.01, r["mean"]),
            xycoords=("axes fraction", "data"),
            fontsize=7,
            va="bottom",
            color="grey",
        )
    ax.set_xscale("log")
    ticks = sorted(budgeted.budget.unique() * 100)
    ax.set_xticks(ticks, [f"{t:g}%" for t in ticks])
    ax.minorticks_off()
    ax.set_xlabel("annotation budget (% of page labels, log scale)")
    ax.set_ylabel("NDCG@10 (95 % CI over queries)")
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1))
    fig.tight_layout()
    fig.savefig(path, dpi=130)
    plt.close(fig)


def draw_modality_mix(mix: pd.DataFrame, path: Path, title: str) -> None:
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6.4, 0.3 * len(mix) + 1.6))
    left = np.zeros(len(mix))
    for modality in mix.columns:
        ax.barh(mix.index, mix[modality], left=left, label=modality)
        left += mix[modality].to_numpy()
    ax.invert_yaxis()  # the ideal page first, then the rows in the table's order
    ax.set_xlim(0, 1)
    ax.set_xlabel("share of the top 10")
    ax.set_title(title, fontsize=10)
    ax.legend(
        fontsize=7,
        ncol=len(mix.columns),
        loc="upper center",
        bbox_to_anchor=(0.5, -0.6 / len(mix) - 0.05),
    )
    fig.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(fig)


def budget_table(curve: pd.DataFrame) -> pd.DataFrame:
    """Rows: methods (reranker [strategy]); columns: budgets; cells: NDCG@10 mean ± 95 % CI."""
    budgeted = curve[curve.budget.notna()].copy()
    budgeted["cell"] = [
        f"{m:.4f} ± {c:.4f}" for m, c in zip(budgeted["mean"], budgeted.ci95, strict=True)
    ]
    table = budgeted.pivot(index="method", columns="budget", values="cell").fillna("")
    table.columns = [f"{b:.0%}" for b in table.columns]
    return table


def write(out: Path, key: str) -> tuple[pd.DataFrame, str, list[Path]]:
    """Write every view of dataset ``key``: returns the leaderboard, its caption and the written
    paths (index.html last)."""
    cells = leaderboard.require(out, key)
    folder = out / "reports" / key
    folder.mkdir(parents=True, exist_ok=True)
    data = per_query(cells)
    curve = budget_curve(data)
    board, caption, board_paths = leaderboard.write(out, key, cells)
    table = budget_table(curve)
    saving = annotation_saving(data)
    mix = modality_mix(cells)
    paths = [
        folder / "budget_curve.png",
        folder / "modality_mix.png",
        folder / "budget.md",
        folder / "budget.tex",
        folder / "saving.md",
    ]
    draw_budget_curve(curve, paths[0], f"{key}: NDCG@10 vs annotation budget")
    draw_modality_mix(mix, paths[1], f"{key}: modality mix of the top 10")
    write_atomic_text(paths[2], [table.to_markdown() if not table.empty else "", "\n"])
    write_atomic_text(paths[3], [table.to_latex() if not table.empty else "", "\n"])
    write_atomic_text(
        paths[4],
        [
            saving.to_markdown(index=False)
            if not saving.empty
            else "no fully-annotated reference: no saving computed",
            "\n",
        ],
    )
    index = folder / "index.html"
    write_atomic_text(index, [page(key, board, caption, table, saving, mix, board_paths, folder)])
    return board, caption, [*board_paths, *paths, index]


def page(
    key: str,
    board: pd.DataFrame,
    caption: str,
    table: pd.DataFrame,
    saving: pd.DataFrame,
    mix: pd.DataFrame,
    board_paths: list[Path],
    folder: Path,
) -> str:
    links = " · ".join(
        f'<a href="../../leaderboards/{p.name}">{p.suffix[1:]}</a>' for p in board_paths
    )
    sections = [
        f"<h1>Whole-page reranking: {html.escape(key)}</h1>",
        f"<h2>Leaderboard</h2><p>{links}</p>",
        leaderboard.formatted(board).to_html(index=False),
        f"<p><small>{html.escape(caption)}</small></p>",
        "<h2>NDCG@10 vs budget</h2><img src='budget_curve.png' alt='budget curve'>",
        table.to_html() if not table.empty else "",
        "<h2>Annotation saving</h2>",
        saving.to_html(index=False) if not saving.empty else "<p>no reference</p>",
        "<h2>Modality mix of the top 10</h2><img src='modality_mix.png' alt='modality mix'>",
        mix.round(3).to_html(),
    ]
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>"
        f"{html.escape(key)}</title><style>body{{font-family:sans-serif;max-width:1100px;"
        "margin:auto}}table{border-collapse:collapse;font-size:13px}td,th{padding:3px 8px;"
        "border-bottom:1px solid #ddd}</style></head><body>"
        + "\n".join(sections)
        + "</body></html>\n"
    )
