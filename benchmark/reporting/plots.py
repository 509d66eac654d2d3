"""The drawings of a dataset's figures (rendered by :mod:`benchmark.reporting.figures`):

* ``budget_curve``: nDCG@10 (mean over queries of the seed-averaged value) against the budget,
  one line per method measured at several budgets, label-free baselines as horizontal lines
  in the legend. No unpaired CI bands: two methods' bands can overlap where the paired test
  calls them different, so the uncertainty is drawn where it is paired:
* ``budget_diff``: Δ nDCG@10 against the best reference, with the paired 95 % CI over queries
  (``diff_ci95`` of :func:`benchmark.reporting.budget.budget_curve`); a filled marker is a
  difference the leaderboard's test (Holm) calls significant, a hollow one is not, so the eye
  and the tests agree.
* ``modality_mix``: the modality shares of the top 10 of the ideal page and of the main rows,
  stacked bars, the legend right above them.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from benchmark.reporting.figures import label_free_style, styles

WIDE = 5.0  # inches from which a figure's legend goes right of the axes, not below
LABEL_CHARS = 38  # legend labels wrap here (8 pt text next to a handle in a 3.3 in figure)
MAX_LEGEND = 12  # method entries above which one-budget methods are left to the tables
DODGE = 0.012  # log10 units between the methods' error bars at one budget
MODALITY_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#999999")


def curve_parts(curve: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    """The budgeted points to draw, the label-free rows, and how many one-budget methods were
    left to the tables (when drawing them too would exceed :data:`MAX_LEGEND` entries)."""
    budgeted = curve[curve.budget.notna()]
    counts = budgeted.groupby("method").budget.nunique()
    single = counts[counts == 1].index
    if len(single) and len(counts) > MAX_LEGEND and (counts > 1).any():
        budgeted = budgeted[~budgeted.method.isin(single)]
    else:
        single = single[:0]
    return budgeted.sort_values(["method", "budget"]), curve[curve.budget.isna()], len(single)


def budget_axis(ax: Any, budgets: np.ndarray) -> None:
    ticks = sorted(set(budgets * 100))
    ax.set_xscale("log")
    ax.set_xticks(ticks, [f"{t:g}%" for t in ticks])
    ax.minorticks_off()
    ax.set_xlabel("annotation budget (log scale)")


def figure(plt: Any, width: float, labels: list[str], axes_height: float) -> tuple[Any, Any]:
    """A figure whose legend (``labels``, wrapped) sits below the axes at one-column width and
    right of them at full width."""
    rows = sum(len(textwrap.wrap(t, LABEL_CHARS)) for t in labels) if width < WIDE else 0
    fig, ax = plt.subplots(figsize=(width, axes_height + 0.15 * rows), layout="constrained")
    return fig, ax


def legend(fig: Any, ax: Any, width: float) -> None:
    """One legend entry per line, long labels wrapped: below the axes at one-column width,
    right of them at full width."""
    handles, labels = ax.get_legend_handles_labels()
    labels = [textwrap.fill(t, LABEL_CHARS, subsequent_indent="  ") for t in labels]
    where = "outside lower center" if width < WIDE else "outside right upper"
    fig.legend(handles, labels, loc=where, frameon=False, handlelength=2.2)


def draw_curve(curve: pd.DataFrame) -> Callable[[Any, float], Any]:
    points, label_free, _ = curve_parts(curve)
    style = styles(list(curve.method.unique()))

    def draw(plt: Any, width: float) -> Any:
        labels = [*points.method.unique(), *(f"{m} (label-free)" for m in label_free.method)]
        fig, ax = figure(plt, width, labels, 2.4)
        for method, g in points.groupby("method", sort=True):
            line = "-" if len(g) > 1 else "none"
            ax.plot(g.budget * 100, g["mean"], linestyle=line, label=method, **style[method])
        for i, r in enumerate(label_free.itertuples()):
            ax.axhline(r.mean, label=f"{r.method} (label-free)", **label_free_style(i))
        budget_axis(ax, points.budget.to_numpy())
        ax.set_ylabel("nDCG@10 (exp. gain),\nmean over queries")
        legend(fig, ax, width)
        return fig

    return draw


def draw_diff(curve: pd.DataFrame, best: str) -> Callable[[Any, float], Any]:
    points, _, _ = curve_parts(curve)
    style = styles(list(curve.method.unique()))
    methods = list(points.method.unique())

    def draw(plt: Any, width: float) -> Any:
        from matplotlib.lines import Line2D

        proxies = ["bars: paired 95 % CI", "significant (Holm)", "not significant"]
        fig, ax = figure(plt, width, [f"best reference: {best}", *methods, *proxies], 2.4)
        ax.axhline(0, color="black", linewidth=0.8, label=f"best reference: {best}")
        for i, method in enumerate(methods):
            g = points[points.method == method]
            x = g.budget * 100 * 10 ** (DODGE * (i - (len(methods) - 1) / 2))
            s = style[method]
            ax.errorbar(x, g["diff"], yerr=g.diff_ci95, capsize=2, elinewidth=0.8, label=method,
                        linestyle="-" if len(g) > 1 else "none", **s)  # fmt: skip
            weak = ~g.significant.to_numpy(dtype=bool)
            ax.plot(x[weak], g["diff"][weak], linestyle="none", marker=s["marker"], zorder=4,
                    markerfacecolor="white", markeredgecolor=s["color"])  # fmt: skip
        bars = Line2D([], [], color="black", marker="|", markersize=8, linestyle="none")
        ax.add_line(bars)
        bars.set_label(proxies[0])
        for fill, text in (("black", proxies[1]), ("white", proxies[2])):
            proxy = Line2D(
                [], [], color="black", marker="o", markerfacecolor=fill, linestyle="none"
            )
            ax.add_line(proxy)
            proxy.set_label(text)
        budget_axis(ax, points.budget.to_numpy())
        ax.set_ylabel("Δ nDCG@10 (exp. gain)\nvs best reference")
        legend(fig, ax, width)
        return fig

    return draw


def draw_mix(mix: pd.DataFrame) -> Callable[[Any, float], Any]:
    def draw(plt: Any, width: float) -> Any:
        fig, ax = plt.subplots(figsize=(width, 0.17 * len(mix) + 0.9), layout="constrained")
        left = np.zeros(len(mix))
        y = np.arange(len(mix))
        for j, modality in enumerate(mix.columns):
            colour = MODALITY_COLOURS[j % len(MODALITY_COLOURS)]
            ax.barh(y, mix[modality], left=left, height=0.75, label=modality, color=colour)
            left += mix[modality].to_numpy()
        ax.set_yticks(y, list(mix.index))
        ax.set_ylim(len(mix) - 0.5, -0.5)  # the ideal page on top, then the rows in order
        ax.set_xlim(0, 1)
        ax.set_xlabel("share of the top 10")
        fig.legend(loc="outside upper center", ncol=len(mix.columns), frameon=False)
        return fig

    return draw
