"""Figures of a dataset's views, rendered to bytes (the report publishes them with every other
file at once): nDCG@10 against the budget, the modality mix of the top 10."""

from __future__ import annotations

import io
from typing import Any

import numpy as np
import pandas as pd


def png(fig: Any, plt: Any, **kwargs: Any) -> bytes:
    """The figure as PNG bytes (the figure is closed)."""
    buffer = io.BytesIO()
    try:
        fig.savefig(buffer, format="png", **kwargs)
    finally:
        plt.close(fig)
    return buffer.getvalue()


def pyplot() -> Any:
    """matplotlib's pyplot on the file-only Agg backend (no display needed)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
MAX_LEGEND = 12  # budget-curve entries above which one-budget methods are left to the tables


def curve_entries(curve: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """The budgeted lines to draw, and how many one-budget methods were left to the tables:
    methods measured at one budget only (ablations) are drawn as points with their CI, unless
    there are so many entries that the plot would be unreadable."""
    budgeted = curve[curve.budget.notna()]
    counts = budgeted.groupby("method").budget.nunique()
    single = int((counts == 1).sum())
    if single and len(counts) > MAX_LEGEND and (counts > 1).any():
        return budgeted[budgeted.method.isin(counts[counts > 1].index)], single
    return budgeted, 0


def draw_methods(ax: Any, budgeted: pd.DataFrame) -> None:
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


def draw_label_free(ax: Any, curve: pd.DataFrame) -> None:
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


def draw_budget_curve(curve: pd.DataFrame, title: str) -> bytes:
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(8, 4.2))
    budgeted, single = curve_entries(curve)
    draw_methods(ax, budgeted)
    if single:
        note = f"{single} methods measured at one budget only: see the tables"
        ax.text(0.99, 0.01, note, transform=ax.transAxes, fontsize=7, ha="right", color="grey")
    draw_label_free(ax, curve)
    ax.set_xscale("log")
    ticks = sorted(budgeted.budget.unique() * 100)
    ax.set_xticks(ticks, [f"{t:g}%" for t in ticks])
    ax.minorticks_off()
    ax.set_xlabel("annotation budget (% of page labels, log scale)")
    ax.set_ylabel("nDCG@10 (95 % CI over queries)")
    ax.set_title(title, fontsize=10)
    if not budgeted.empty:
        ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1))
    fig.tight_layout()
    return png(fig, plt, dpi=130)


def draw_modality_mix(mix: pd.DataFrame, title: str) -> bytes:
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
    return png(fig, plt, dpi=110, bbox_inches="tight")
