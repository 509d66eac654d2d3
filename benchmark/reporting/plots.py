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

Every legend sits below the axes, in as many columns as the width holds (one per 3.3 in), and
the figure grows by its height, so no entry is ever cut; the series take distinct colours,
markers and lines (:func:`benchmark.reporting.figures.styles`: 24 distinct).
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from benchmark.reporting.figures import label_free_style, styles

LABEL_CHARS = 38  # legend labels wrap here (8 pt text next to a handle in a 3.3 in figure)
COLUMN_IN = 3.3  # inches of figure width per legend column
LINE_IN = 0.135  # inches per legend line (8 pt text and its spacing)
MAX_LEGEND = 12  # method entries above which one-budget methods are left to the tables
DODGE = 0.03  # log10 units spanned by all methods' error bars at one budget (+-3.5 %)
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


def columns(width: float) -> int:
    return max(1, int(width // COLUMN_IN))


def figure(plt: Any, width: float, labels: list[str], axes_height: float) -> tuple[Any, Any]:
    """A figure whose legend (``labels``, wrapped) sits below the axes, the figure as much
    taller as the legend's lines need."""
    lines = [len(textwrap.wrap(t, LABEL_CHARS)) for t in labels]
    ncol = columns(width)
    per = -(-len(lines) // ncol)  # entries per legend column (matplotlib fills column-wise)
    rows = max((sum(lines[i : i + per]) for i in range(0, len(lines), per)), default=0)
    height = axes_height + LINE_IN * rows + 0.1
    fig, ax = plt.subplots(figsize=(width, height), layout="constrained")
    return fig, ax


def legend(fig: Any, ax: Any, width: float) -> None:
    """The legend below the axes, long labels wrapped, in :func:`columns` columns."""
    handles, labels = ax.get_legend_handles_labels()
    labels = [textwrap.fill(t, LABEL_CHARS, subsequent_indent="  ") for t in labels]
    fig.legend(
        handles, labels, loc="outside lower center", ncol=columns(width), frameon=False,
        handlelength=2.2, alignment="left",
    )  # fmt: skip


def dodge(i: int, n: int) -> float:
    """The factor that moves method ``i`` of ``n`` off its budget on the log axis: all of
    them within :data:`DODGE` log10 units around it (the 100 % point stays near 100 %)."""
    return float(10 ** (DODGE * (i / (n - 1) - 0.5))) if n > 1 else 1.0


def draw_curve(curve: pd.DataFrame) -> Callable[[Any, float], Any]:
    points, label_free, _ = curve_parts(curve)
    style = styles(list(curve.method.unique()))

    def draw(plt: Any, width: float) -> Any:
        labels = [*points.method.unique(), *(f"{m} (label-free)" for m in label_free.method)]
        fig, ax = figure(plt, width, labels, 2.4)
        for method, g in points.groupby("method", sort=True):
            s = style[method] | ({} if len(g) > 1 else {"linestyle": "none"})
            ax.plot(g.budget * 100, g["mean"], label=method, **s)
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
            x = g.budget * 100 * dodge(i, len(methods))
            s = style[method] | ({} if len(g) > 1 else {"linestyle": "none"})
            ax.errorbar(x, g["diff"], yerr=g.diff_ci95, capsize=2, elinewidth=0.8, label=method,
                        **s)  # fmt: skip
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
