"""The paper's tables of one dataset as LaTeX (:mod:`benchmark.reporting.latex` writes them):
the leaderboard's main table and ablation table, and the budget table. Each is a complete
float with a short caption (what ± is, the seeds, the test's reference) and its detail as
``%`` comments above it (the test, the correction, alpha, the gain of nDCG), a
``\\label{tab:<key>-...}``, the best value of each column in bold, and a width that fits the
style's target (:class:`benchmark.reporting.latex.Style`: a two-column page's column by default,
``--latex-width text`` a one-column article). At column width a leaderboard shows nDCG@10,
MRR@10 and p (MRR@1 and the units are in the CSV); a seeds column ``n`` when its rows differ in
seeds. A table longer than :data:`MAX_LINES` is split into parts, each its own float and file.
"""

from __future__ import annotations

import itertools

import pandas as pd

from benchmark.core.measures import MAIN_METRIC, display, table_measures
from benchmark.reporting import latex
from benchmark.reporting.latex import Column, Style, Table, Value

MAX_LINES = 30  # lines of rows per float: 30 lines, the header and the caption fit on a page
COLUMNS = {width: table_measures(width) for width in ("text", "column")}  # core/measures.py
UNITS = {"text": True, "column": False}  # the units column (labels bought per seed)
DIGITS = 3
METHOD_WIDTH = {"text": 110.0, "column": 70.0}  # pt kept for a budget table's method column
GAIN = (
    "nDCG: exponential gain 2^l-1 and log2 discount (ranx ndcg_burges; trec_eval's and "
    "PyTerrier's nDCG use linear gain)"
)


def best_mask(values: pd.Series, digits: int = DIGITS) -> pd.Series:
    """The entries that print as the column's highest value."""
    shown = values.round(digits)
    return shown == shown.max()


def seeds_text(seeds: pd.Series) -> str:
    """``5 seeds`` when every row has as many, else ``$n$ seeds`` (the table shows ``n``)."""
    counts = sorted(set(seeds.astype(int)))
    if len(counts) == 1:
        return f"{counts[0]} seed{'s' if counts[0] > 1 else ''}"
    return "$n$ seeds"


def metric_column(frame: pd.DataFrame, metric: str, cells: list[list[str]]) -> Column:
    """Append ``metric``'s mean ± std (bold best; nDCG@10 with its marker) to each row."""
    bold = best_mask(frame[f"{metric}_mean"])
    values = [
        Value(m, s, DIGITS, b, mark if metric == MAIN_METRIC else "")
        for m, s, b, mark in zip(
            frame[f"{metric}_mean"], frame[f"{metric}_std"], bold, frame.significance,
            strict=True,
        )
    ]  # fmt: skip
    for row, value in zip(cells, values, strict=True):
        row.append(value.tex())
    header = display(metric)
    return Column(header, max(latex.text_width(header), *(v.width() for v in values)))


def leaderboard_rows(
    frame: pd.DataFrame, style: Style, seeds: bool = False
) -> tuple[list[list[str]], list[Column]]:
    """LaTeX cells of the leaderboard rows and the columns with their estimated widths."""
    labels = row_labels(frame, style)
    cells: list[list[str]] = [[latex.breakable(label)] for label in labels]
    head = "reranker@budget"
    widest = max(map(latex.text_width, [*labels, head]))
    columns = [Column(head, widest, "l", latex.least(labels, head))]
    columns += [metric_column(frame, m, cells) for m in COLUMNS[style.width]]
    extra: list[tuple[str, list[str]]] = []
    if seeds:
        extra.append(("$n$", [str(int(n)) for n in frame.seeds]))
    if UNITS[style.width]:
        extra.append(("units", [f"{u:,.0f}" for u in frame.units]))
    for header, texts in extra:
        for row, text in zip(cells, texts, strict=True):
            row.append(text)
        shown = "n" if header == "$n$" else header  # the header's printed width
        columns.append(Column(header, max(map(latex.text_width, [*texts, shown]))))
    pvals = [latex.p_value(p) for p in frame.p_holm]
    for row, (p, _) in zip(cells, pvals, strict=True):
        row.append(p)
    columns.append(Column("$p$", max(10.0, *(w for _, w in pvals))))
    return cells, columns


def row_labels(frame: pd.DataFrame, style: Style) -> list[str]:
    return [
        style.name(r) + ("†" if ref else "")
        for r, ref in zip(frame.row, frame.reference, strict=True)
    ]


def row_lines(table: Table, labels: list[str]) -> list[int]:
    """Lines each row's label takes in ``table`` (all of a frame's rows)."""
    return [latex.lines(label, table.first_width()) for label in labels]


def leaderboard_caption(kind: str, name: str, where: str, seeds: str, best: str | None) -> str:
    title = "Main results" if kind == "main" else "Ablations and variants"
    test = rf" $p$: vs.\ {latex.escape(best)}, two-way test, Holm." if best else ""
    return (
        rf"{title} on {latex.escape(name)}{where}: mean $\pm$ std over {seeds}.{test} "
        r"\dag: 100~\% reference; bold: best."
    )


def leaderboard_notes(style: Style, tests: str) -> list[str]:
    shown = ", ".join(display(m) for m in COLUMNS[style.width])
    units = "" if UNITS[style.width] else " (MRR@1, the units and every measure: the CSV)"
    return [
        f"Columns: {shown}{units}, each the mean +- std over seeds of the seed's mean over the "
        "test queries; n: seeds of the row; units: page labels bought per seed.",
        f"{GAIN}.",
        f"{tests}",
    ]


def leaderboard_tables(
    board: pd.DataFrame, key: str, tests: str, style: Style | None = None
) -> dict[str, str]:
    """The leaderboard's LaTeX tables by file suffix: ``""`` the main table (references,
    label-free baselines, the default rerankers at their budgets; every row when there is no
    such row), ``"-ablation"`` the other rows; ``-main-2``, ``-ablation-2``... for the parts
    of a long table."""
    style = style or Style()
    if board.empty:
        return {}
    main = board[board["main"]] if board["main"].any() else board
    seeds = board.seeds.nunique() > 1
    refs = board[board.reference & board.p_holm.isna()]  # the best reference: not tested
    tested = len(refs) and board.p_holm.notna().any()
    best = style.name(str(refs.iloc[0]["row"])) if tested else None
    out = {}
    for kind, frame in {"main": main, "ablation": board.drop(main.index)}.items():
        if frame.empty:
            continue
        cells, columns = leaderboard_rows(frame, style, seeds)  # one layout for every part
        whole = Table(columns, cells, "", "", [], leaderboard_notes(style, tests), style.width)
        parts = chunks(row_lines(whole, row_labels(frame, style)), MAX_LINES)
        for i, part in enumerate(parts):
            n = f"-{i + 1}" if i else ""
            suffix = "" if kind == "main" and not i else f"-{kind}{n}"
            where = f" (part {i + 1} of {len(parts)})" if len(parts) > 1 else ""
            whole.rows = [cells[j] for j in part]
            whole.label = f"tab:{key}-{'leaderboard' if kind == 'main' else kind}{n}"
            whole.caption = leaderboard_caption(
                kind, style.name(key), where, seeds_text(board.seeds), best
            )
            out[suffix] = latex.render(whole)
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
    frame: pd.DataFrame, budgets: list[float], style: Style
) -> tuple[list[Column], list[list[str]]]:
    methods = list(dict.fromkeys(frame.method))
    names = [style.name(m) for m in methods]
    cells = [[latex.breakable(m)] for m in names]
    widest = max(map(latex.text_width, [*names, "method"]))
    columns = [Column("method", widest, "l", latex.least(names, "method"))]
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


def budget_groups(frame: pd.DataFrame, style: Style) -> list[list[float]]:
    """The budgets split into as few groups of columns as fit the target width next to the
    method column, of even sizes (a table per group)."""
    budgets = sorted(frame.budget.unique())
    groups: list[list[float]] = [[]]
    for b in budgets:
        trial = budget_columns(frame, [*groups[-1], b], style)[0]
        trial[0].width = min(trial[0].width, METHOD_WIDTH[style.width])  # longer names wrap
        table = Table(trial, [], "", "", target=style.width)
        if groups[-1] and (table.wide() or not table.fits()):
            groups.append([])
        groups[-1].append(b)
    bounds = [round(i * len(budgets) / len(groups)) for i in range(len(groups) + 1)]
    return [budgets[a:b] for a, b in itertools.pairwise(bounds)]


def budget_tables(
    curve: pd.DataFrame, key: str, tests: str, style: Style | None = None
) -> dict[str, str]:
    """The budget table(s) by file suffix (``""``, ``"-2"``...): nDCG@10 ± its 95 % CI over
    queries, rows = methods with a budget sweep, columns = budgets."""
    style = style or Style()
    frame = budget_frame(curve)
    if frame.empty:
        return {}
    groups = budget_groups(frame, style)
    main_count = int(frame.groupby("method").main.any().sum())
    notes = [
        "Each cell: the mean over the test queries of each query's nDCG@10 averaged over "
        "seeds, +- its 95 % confidence interval over queries (normal approximation; not a "
        "paired interval). Methods measured at two budgets or more (the others are in the "
        f"leaderboard); the default rerankers first. {GAIN}.",
        f"Markers: the leaderboard's test. {tests}",
    ]
    out = {}
    for i, budgets in enumerate(groups):
        columns, cells = budget_columns(frame, budgets, style)
        rules = [main_count] if 0 < main_count < len(cells) else []
        where = f" (part {i + 1} of {len(groups)})" if len(groups) > 1 else ""
        caption = (
            rf"nDCG@10 against the annotation budget on {latex.escape(style.name(key))}{where}: "
            r"mean over test queries $\pm$ 95~\% CI; markers: the leaderboard's test."
        )
        label = f"tab:{key}-budget" + (f"-{i + 1}" if i else "")
        table = Table(columns, cells, caption, label, rules, notes, style.width)
        out["" if i == 0 else f"-{i + 1}"] = latex.render(table)
    return out


def chunks(heights: list[int], limit: int) -> list[range]:
    """Consecutive row ranges of at most ``limit`` lines each (``heights``: lines per row),
    as few and as even as possible: a table per page."""
    if not heights:
        return []
    total = sum(heights)
    wanted = max(1, -(-total // limit))
    for target in range(max(max(heights), -(-total // wanted)), limit + 1):
        parts = greedy(heights, target)
        if len(parts) <= wanted:
            return parts
    return greedy(heights, max(limit, max(heights)))


def greedy(heights: list[int], target: int) -> list[range]:
    """Rows filled into parts of at most ``target`` lines, in order."""
    parts, start, used = [], 0, 0
    for i, h in enumerate(heights):
        if used and used + h > target:
            parts.append(range(start, i))
            start, used = i, 0
        used += h
    parts.append(range(start, len(heights)))
    return parts
