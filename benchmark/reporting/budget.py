"""Views of one dataset across budgets, as plain data (DataFrames): the budget curve, the budget
table, the annotation saving and the modality mix. The renderers (figures, HTML, LaTeX) draw
them. Every statistic comes from :mod:`benchmark.reporting.rows`.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from benchmark.core.measures import GAIN_NOTE
from benchmark.reporting import significance
from benchmark.reporting.rows import Row
from benchmark.reporting.text import percent

Z95 = 1.959964


def budget_curve(rows: list[Row], best: Row | None = None) -> pd.DataFrame:
    """nDCG@10 per (method, budget): the mean over queries of the seed-averaged per-query value
    with a normal 95 % CI over queries; with ``best``, also the paired difference to it (mean
    and 95 % CI over the shared queries). Label-free rows have budget NaN."""
    lines = []
    ref = best.per_query() if best is not None else None
    for row in rows:
        series = row.per_query()
        line: dict[str, Any] = {
            "row": row.label,
            "main": row.main,
            "method": row.method,
            "budget": np.nan if row.budget is None else row.budget,
            "mean": series.mean(),
            "queries": len(series),
            "ci95": Z95 * series.std() / np.sqrt(len(series)),
        }
        if ref is not None:
            diff = (series - ref).dropna()
            line["diff"] = diff.mean()
            line["diff_ci95"] = Z95 * diff.std() / np.sqrt(len(diff)) if len(diff) > 1 else 0.0
        lines.append(line)
    return pd.DataFrame(lines)


def budget_caption(curve: pd.DataFrame) -> str:
    queries = ", ".join(str(q) for q in sorted(curve.queries.unique()))
    return (
        f"nDCG@10 per method and budget: the mean over the {queries} test queries of each "
        "query's nDCG@10 averaged over seeds, ± its 95 % confidence interval over queries "
        f"(normal approximation; not paired). {GAIN_NOTE}."
    )


def budget_table(curve: pd.DataFrame) -> pd.DataFrame:
    """Rows: methods; columns: budgets; cells: nDCG@10 mean ± 95 % CI over queries."""
    budgeted = curve[curve.budget.notna()].copy()
    budgeted["cell"] = [
        f"{m:.4f} ± {c:.4f}" for m, c in zip(budgeted["mean"], budgeted.ci95, strict=True)
    ]
    table = budgeted.pivot(index="method", columns="budget", values="cell").fillna("")
    table.columns = [f"{b:.0%}" for b in table.columns]
    return table


def annotation_saving(rows: list[Row], tests: pd.DataFrame, best: Row | None) -> pd.DataFrame:
    """PROTOCOL §7: per budgeted method, 1 - the smallest budget whose nDCG@10 is not
    significantly below the best fully-annotated reference (the leaderboard's tests: paired
    t-test, Holm over the leaderboard's rows). ``smallest_budget`` is None when no tested budget
    reaches it ("not reached")."""
    if best is None:
        return pd.DataFrame()
    methods: dict[str, list[float]] = {}
    ok: dict[str, list[float]] = {}
    for row in rows:
        if row.budget is None:
            continue
        methods.setdefault(row.method, []).append(row.budget)
        fine = row is best or (
            row.label in tests.index
            and (tests.loc[row.label, "diff"] >= 0 or tests.loc[row.label, "p_holm"] >= 0.05)
        )
        if fine:
            ok.setdefault(row.method, []).append(row.budget)
    lines = []
    for method in sorted(methods):
        smallest = min(ok[method]) if ok.get(method) else None
        lines.append(
            {
                "method": method,
                "budgets": ", ".join(f"{b:.0%}" for b in sorted(methods[method])),
                "smallest_budget": smallest,
                "saving": None if smallest is None else 1 - smallest,
                "reference": f"{best.label}",
            }
        )
    return pd.DataFrame(lines)


def saving_table(saving: pd.DataFrame) -> pd.DataFrame:
    """The saving as display strings: budgets as percentages, ``not reached`` where no tested
    budget reaches the reference."""
    if saving.empty:
        return saving
    return pd.DataFrame(
        {
            "method": saving.method,
            "budgets tested": saving.budgets,
            "smallest budget not below the reference": saving.smallest_budget.map(percent),
            "annotation saving": saving.saving.map(percent),
            "reference": saving.reference,
        }
    )


def natural_key(label: str) -> list[Any]:
    """Sort key that puts ``x@5%`` before ``x@10%`` before ``x@100%``."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", label)]


def modality_mix(rows: list[Row]) -> pd.DataFrame:
    """Mean share of each modality (columns by name) in the top 10 per row (over its cells),
    and the ideal page's, from the manifests."""
    shares: dict[str, pd.Series] = {}
    ideal: dict[str, float] = {}
    for row in sorted(rows, key=lambda r: natural_key(r.label)):
        mixes = [c.manifest["modality_mix"] for c in row.cells]
        frame = pd.DataFrame(
            [
                {k.split(":", 1)[1]: v for k, v in m.items() if k.startswith("share@10:")}
                for m in mixes
            ]
        )
        shares[row.label] = frame.mean()
        ideal = {k.split(":", 1)[1]: v for k, v in mixes[-1].items() if k.startswith("ideal_share")}
    table = pd.DataFrame(shares).T
    mix = pd.concat([pd.DataFrame([pd.Series(ideal)], index=["ideal page"]), table])
    return mix[sorted(mix.columns)]  # a pack's manifests have their keys sorted: one order


def saving_caption(best: Row | None) -> str:
    against = best.label if best is not None else "the best reference"
    return (
        f"Annotation saving = 1 − the smallest budget whose nDCG@10 is not significantly below "
        f"{against} ({significance.TEST_NAME} on per-query nDCG@10 averaged over seeds, Holm "
        f"over the leaderboard's rows, alpha = {significance.ALPHA}); 'not reached': no tested "
        f"budget is. {GAIN_NOTE}."
    )
