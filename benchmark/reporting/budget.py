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


def budget_curve(rows: list[Row], tests: pd.DataFrame, best: Row | None) -> pd.DataFrame:
    """nDCG@10 per (method, budget): the mean over queries of the seed-averaged per-query value
    with the half-width of its 95 % CI (query and seed variance,
    :func:`benchmark.reporting.significance.interval`); with ``best``, also the difference to
    it and the half-width of its 95 % CI, from the leaderboard's ``tests`` against it
    (:func:`benchmark.reporting.rows.against_best`). Label-free rows have budget NaN."""
    lines = []
    for row in rows:
        mean, half = significance.interval(row.table())
        line: dict[str, Any] = {
            "row": row.label,
            "main": row.main,
            "method": row.method,
            "budget": np.nan if row.budget is None else row.budget,
            "mean": mean,
            "queries": row.table().shape[1],
            "ci95": half,
        }
        if best is not None:
            test = tests.loc[row.label] if row is not best else None
            line["diff"] = 0.0 if test is None else test["diff"]
            line["diff_ci95"] = 0.0 if test is None else (test.ci_high - test.ci_low) / 2
        lines.append(line)
    return pd.DataFrame(lines)


def budget_caption(curve: pd.DataFrame) -> str:
    queries = ", ".join(str(q) for q in sorted(curve.queries.unique()))
    return (
        f"nDCG@10 per method and budget: the mean over the {queries} test queries of each "
        "query's nDCG@10 averaged over seeds, ± the half-width of its 95 % confidence interval "
        "(query and seed variance, Satterthwaite df; docs/protocol.md §7; not paired). "
        f"{GAIN_NOTE}."
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
    """PROTOCOL §7: per budgeted method, 1 - the smallest budget whose nDCG@10 reaches the best
    fully-annotated reference: non-inferior within ``significance.MARGIN`` (the leaderboard's
    tests: two-way query x seed test, one-sided, Holm over the leaderboard's rows). Not being
    significantly below is not enough. ``smallest_budget`` is None when no tested budget
    reaches it ("not reached")."""
    if best is None:
        return pd.DataFrame()
    methods: dict[str, list[float]] = {}
    ok: dict[str, list[float]] = {}
    for row in rows:
        if row.budget is None:
            continue
        methods.setdefault(row.method, []).append(row.budget)
        fine = row is best or (row.label in tests.index and tests.loc[row.label, "noninferior"])
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
            "smallest budget reaching the reference": saving.smallest_budget.map(percent),
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
        f"Annotation saving = 1 − the smallest budget whose nDCG@10 reaches {against}: "
        f"non-inferior within {significance.MARGIN} nDCG@10 ({significance.TEST_NAME} on "
        f"per-query nDCG@10 of every seed, one-sided alpha {significance.ALPHA_NONINF}, Holm "
        "over the leaderboard's rows; docs/protocol.md §7); 'not reached': no tested budget "
        f"does. {GAIN_NOTE}."
    )
