"""docs/results.md's annotation-strategy blocks (:data:`benchmark.tools.reproduce.BLOCKS`),
rendered from the strategies view that ``grids/active.toml`` writes (its ``[report]`` name:
``results/reports/<name>/curve.csv``, ``saving.csv``, ``versus.csv``; ``report --grid active``
or ``python -m benchmark.tools.reproduce``). Rows are the grid's methods (``reranker
[strategy]`` of its groups, in the grid's order), one table per dataset of the view.

* :func:`curve`: each method's nDCG@10 − reference per budget with the headline test's mark,
  and the smallest budget that reaches the reference (the saving table's);
* :func:`reached`: every row of the saving table that reaches the reference, whatever its grid;
* :func:`versus`: each of the grid's strategies against SMAR's bands at the same budget.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

GRID = "active"
Found = dict[str, tuple[str, pd.DataFrame]]


def spec() -> dict[str, Any]:
    from benchmark.pipeline.gridfile import report_spec

    found = report_spec(GRID)
    assert found is not None and found["kind"] == "strategies", f"grids/{GRID}.toml: no view"
    return found


def frame(out: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(out / "reports" / str(spec()["name"]) / f"{name}.csv")


def methods() -> list[str]:
    """``reranker [strategy]`` of the grid's groups: rerankers in order of appearance, each
    with its strategies in the grid's order."""
    from benchmark.pipeline.gridfile import grid_path, read

    pairs = [(r, g["strategy"]) for g in read(grid_path(GRID))["group"] for r in g["rerankers"]]
    rerankers = list(dict.fromkeys(r for r, _ in pairs))
    return list(dict.fromkeys(f"{r} [{s}]" for x in rerankers for r, s in pairs if r == x))


def percent(budget: float) -> str:
    return f"{budget:.0%}"


def table(head: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(head) + " |", "|---" * len(head) + "|"]
    return lines + ["| " + " | ".join(r) + " |" for r in rows]


def heading(key: str, lines: pd.DataFrame, queries: int) -> str:
    reference = (lines["mean"] - lines["diff"]).round(4).mode().iloc[0]
    return (
        f"**{key}** ({spec().get('reference', 'sft@100%')} = {reference:.4f} over {queries} "
        f"test queries; Holm over the dataset's {len(lines)} rows against it)"
    )


def curve(out: Path, claims: Found) -> str:
    """Per dataset, nDCG@10 − reference of each grid method at each budget (▲/▼ significant
    after Holm, ≈ not, ≥ reaches: non-inferior) and its smallest budget reaching it."""
    from benchmark.reporting.settings import verdict as marks

    lines, saving, pairs = frame(out, "curve"), frame(out, "saving"), frame(out, "versus")
    ref, blocks = spec().get("reference", "sft@100%"), []
    for key, group in lines.groupby("key", sort=False):
        shown = group[group.method.isin(methods()) & (group.budget < 1)]
        budgets = sorted(shown.budget.unique())
        cells = {(r.method, r.budget): f"{r['diff']:+.4f} {marks(r)}" for _, r in shown.iterrows()}
        smallest = saving[saving.key == key].set_index("method").smallest_budget
        reach = {m: percent(b) for m, b in smallest.items() if pd.notna(b)}
        rows = [
            [m, *(cells.get((m, b), "—") for b in budgets), reach.get(m, "not reached")]
            for m in methods()
            if any((m, b) in cells for b in budgets)
        ]
        head = ["method", *map(percent, budgets), f"reaches {ref} at"]
        queries = int(pairs[pairs.key == key].queries.iloc[0])
        blocks.append("\n".join([heading(str(key), group, queries), "", *table(head, rows)]))
    return "\n\n".join(blocks)


def reached(out: Path, claims: Found) -> str:
    """The saving table's rows that reach the reference at some budget (any method)."""
    from benchmark.reporting.text import p_text

    saving = frame(out, "saving")
    rows = [
        [
            str(r.key),
            str(r.method),
            percent(r.smallest_budget),
            f"{r['diff']:+.4f} [{r.ci_low:+.4f}, {r.ci_high:+.4f}]",
            p_text(r.p_noninf_holm),
        ]
        for _, r in saving[saving.smallest_budget.notna()].iterrows()
    ]
    ref = spec().get("reference", "sft@100%")
    head = ["dataset", "method", "smallest budget", f"− {ref} [95 % CI]", "p non-inf. (Holm)"]
    return "\n".join(table(head, rows))


def versus(out: Path, claims: Found) -> str:
    """Per dataset, each grid strategy (not a band) minus the same reranker under each band of
    the view's ``versus`` at the same budget, with the headline test's mark after Holm."""
    bands = list(spec().get("versus", ["middle", "top-p"]))
    lines, blocks = frame(out, "curve"), []
    for key, group in frame(out, "versus").groupby("key", sort=False):
        rows_of = lines[lines.key == key].set_index("row")
        group = group.assign(method=group.a.map(rows_of.method), band=group.b.map(rows_of.strategy))
        group = group[group.method.isin(methods()) & group.band.isin(bands)]
        budgets = sorted(group.budget.unique())
        cell = {(r.method, r.budget, r.band): pair(r) for _, r in group.iterrows()}
        rows = [
            [m, *(" / ".join(cell.get((m, b, band), "—") for band in bands) for b in budgets)]
            for m in methods()
            if m in set(group.method)
        ]
        head = [f"method − {' / '.join(bands)}", *map(percent, budgets)]
        blocks.append("\n".join([f"**{key}**", "", *table(head, rows)]))
    return "\n\n".join(blocks)


def pair(row: pd.Series) -> str:
    """``a − b`` with ▲/▼ (significant after Holm) or ≈."""
    return f"{row['diff']:+.4f} " + (
        "≈" if not row.significant else "▲" if row["diff"] > 0 else "▼"
    )
