"""The paper's tables of one dataset as LaTeX (:mod:`benchmark.reporting.latex` writes them):
the leaderboard's main table and ablation table, and the budget table. Each is a complete
``table`` float with a caption that says what ± is, the test, the correction, alpha and the
gain of nDCG, a ``\\label{tab:<key>-...}``, the best value of each column in bold, and a width
that fits a one-column article. A table longer than :data:`MAX_ROWS` is split into parts,
each its own float and file."""

from __future__ import annotations

import itertools

import pandas as pd

from benchmark.core.measures import MAIN_METRIC, display
from benchmark.reporting import latex
from benchmark.reporting.latex import Column, Table, Value

MAX_LINES = 30  # lines of rows per float: 30 lines, the header and the caption fit on a page
COLUMNS = (MAIN_METRIC, "mrr@1", "mrr@10")
DIGITS = 3
METHOD_WIDTH = 110.0  # pt kept for the method column of a budget table (longer names wrap)
GAIN = (
    r"nDCG: exponential gain $2^{\ell}-1$ and $\log_2$ discount (ranx \texttt{ndcg\_burges}; "
    r"trec\_eval's and PyTerrier's nDCG use linear gain)"
)


def best_mask(values: pd.Series, digits: int = DIGITS) -> pd.Series:
    """The entries that print as the column's highest value."""
    shown = values.round(digits)
    return shown == shown.max()


def leaderboard_rows(frame: pd.DataFrame) -> tuple[list[list[str]], list[Column]]:
    """LaTeX cells of the leaderboard rows and the columns with their estimated widths."""
    labels = [r + ("†" if ref else "") for r, ref in zip(frame.row, frame.reference, strict=True)]
    cells: list[list[str]] = [[latex.breakable(label)] for label in labels]
    columns = [
        Column("reranker@budget", max(map(latex.text_width, [*labels, "reranker@budget"])), "l")
    ]
    for metric in COLUMNS:
        bold = best_mask(frame[f"{metric}_mean"])
        values = [
            Value(m, s, DIGITS, b, mark if metric == MAIN_METRIC else "")
            for m, s, b, mark in zip(
                frame[f"{metric}_mean"],
                frame[f"{metric}_std"],
                bold,
                frame.significance,
                strict=True,
            )
        ]
        for row, value in zip(cells, values, strict=True):
            row.append(value.tex())
        header = display(metric)
        columns.append(Column(header, max(latex.text_width(header), *(v.width() for v in values))))
    units = [f"{u:,.0f}" for u in frame.units]
    pvals = [latex.p_value(p) for p in frame.p_holm]
    for row, u, (p, _) in zip(cells, units, pvals, strict=True):
        row += [u, p]
    columns.append(Column("units", max(map(latex.text_width, [*units, "units"]))))
    columns.append(Column("$p$", max(10.0, *(w for _, w in pvals))))
    return cells, columns


def row_lines(frame: pd.DataFrame) -> list[int]:
    """Lines each row's label takes in a table of all of ``frame``'s rows."""
    if frame.empty:
        return []
    cells, columns = leaderboard_rows(frame)
    width = Table(columns, cells, "", "").first_width()
    return [
        latex.lines(r + ("†" if ref else ""), width)
        for r, ref in zip(frame.row, frame.reference, strict=True)
    ]


def leaderboard_caption(kind: str, key: str, where: str, tests: str) -> str:
    title = "Main results" if kind == "main" else "Ablations and variants"
    return (
        rf"{title} on {latex.escape(key)}{where}. Mean $\pm$ std over seeds (each seed: the "
        rf"mean over the test queries); units: page labels bought per seed. {GAIN}. $p$: "
        rf"{latex.escape(tests)} Bold: best in the column; \dag: fully-annotated reference "
        r"(100~\% of the labels)."
    )


def leaderboard_tables(board: pd.DataFrame, key: str, tests: str) -> dict[str, str]:
    """The leaderboard's LaTeX tables by file suffix: ``""`` the main table (references,
    label-free baselines, the default rerankers at their budgets; every row when there is no
    such row), ``"-ablation"`` the other rows; ``-main-2``, ``-ablation-2``... for the parts
    of a long table."""
    if board.empty:
        return {}
    main = board[board["main"]] if board["main"].any() else board
    out = {}
    for kind, frame in {"main": main, "ablation": board.drop(main.index)}.items():
        parts = latex.chunks(row_lines(frame), MAX_LINES)
        for i, part in enumerate(parts):
            n = f"-{i + 1}" if i else ""
            suffix = "" if kind == "main" and not i else f"-{kind}{n}"
            label = f"tab:{key}-{'leaderboard' if kind == 'main' else kind}{n}"
            where = f" (part {i + 1} of {len(parts)})" if len(parts) > 1 else ""
            cells, columns = leaderboard_rows(frame.iloc[list(part)])
            caption = leaderboard_caption(kind, key, where, tests)
            out[suffix] = latex.render(Table(columns, cells, caption, label))
    return out


def budget_frame(curve: pd.DataFrame) -> pd.DataFrame:
    """Methods measured at two budgets or more, the main methods first: one line per
    (method, budget) of the budget curve."""
    budgeted = curve[curve.budget.notna()]
    counts = budgeted.groupby("method").budget.nunique()
    swept = budgeted[budgeted.method.isin(counts[counts > 1].index)].copy()
    main = swept.groupby("method").main.any()
    swept["order"] = swept.method.map(lambda m: (not main[m], m))
    return swept.sort_values(["order", "budget"]).drop(columns="order")


def budget_columns(
    frame: pd.DataFrame, budgets: list[float]
) -> tuple[list[Column], list[list[str]]]:
    methods = list(dict.fromkeys(frame.method))
    cells = [[latex.breakable(m)] for m in methods]
    columns = [Column("method", max(map(latex.text_width, [*methods, "method"])), "l")]
    for b in budgets:
        at = frame[frame.budget == b].set_index("method")
        bold = best_mask(at["mean"])
        values = [
            Value(at.loc[m, "mean"], at.loc[m, "ci95"], DIGITS, bool(bold[m]), at.loc[m, "mark"])
            if m in at.index
            else None
            for m in methods
        ]
        for row, v in zip(cells, values, strict=True):
            row.append("" if v is None else v.tex())
        widths = [v.width() for v in values if v is not None]
        columns.append(Column(latex.escape(f"{b:.0%}"), max(20.0, *widths)))
    return columns, cells


def budget_groups(frame: pd.DataFrame) -> list[list[float]]:
    """The budgets split into as few groups of columns as fit the text width next to the
    method column, of even sizes (a table per group)."""
    budgets = sorted(frame.budget.unique())
    groups: list[list[float]] = [[]]
    for b in budgets:
        trial = budget_columns(frame, [*groups[-1], b])[0]
        trial[0].width = min(trial[0].width, METHOD_WIDTH)  # longer method names wrap
        if groups[-1] and not Table(trial, [], "", "").fits():
            groups.append([])
        groups[-1].append(b)
    bounds = [round(i * len(budgets) / len(groups)) for i in range(len(groups) + 1)]
    return [budgets[a:b] for a, b in itertools.pairwise(bounds)]


def budget_tables(curve: pd.DataFrame, key: str, tests: str) -> dict[str, str]:
    """The budget table(s) by file suffix (``""``, ``"-2"``...): nDCG@10 ± its 95 % CI over
    queries, rows = methods with a budget sweep, columns = budgets."""
    frame = budget_frame(curve)
    if frame.empty:
        return {}
    groups = budget_groups(frame)
    main_count = int(frame.groupby("method").main.any().sum())
    out = {}
    for i, budgets in enumerate(groups):
        columns, cells = budget_columns(frame, budgets)
        rules = [main_count] if 0 < main_count < len(cells) else []
        where = f" (part {i + 1} of {len(groups)})" if len(groups) > 1 else ""
        caption = (
            rf"nDCG@10 against the annotation budget on {latex.escape(key)}{where}: the mean "
            r"over the test queries of each query's nDCG@10 averaged over seeds, $\pm$ its 95~\% "
            r"confidence interval over queries (normal approximation; not a paired interval). "
            rf"{GAIN}. Methods measured at two budgets or more (the others are in the "
            r"leaderboard); the default rerankers first. Bold: best in the column. Markers: "
            rf"the leaderboard's test, {latex.escape(tests)}"
        )
        label = f"tab:{key}-budget" + (f"-{i + 1}" if i else "")
        out["" if i == 0 else f"-{i + 1}"] = latex.render(
            Table(columns, cells, caption, label, rules)
        )
    return out
