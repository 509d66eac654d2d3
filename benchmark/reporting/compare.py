"""Chosen pairwise comparisons between leaderboard rows (PROTOCOL §7), for the questions a
leaderboard's "against the best reference" column does not answer (e.g. a method against its
own ablations at the same budget).

Rows are named as in the leaderboard (``smar@10%``, ``sft@100%``, ``smar@10%[top-p]``...). Each
comparison is the paired test of :mod:`benchmark.reporting.significance` on per-query
NDCG@10 averaged over seeds; Holm's correction runs across the comparisons given together.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from benchmark.reporting import significance
from benchmark.reporting.leaderboard import collect, rows_of, seed_averaged


def per_query(out: Path, key: str) -> dict[str, pd.Series]:
    """Per-query NDCG@10 averaged over seeds, for every leaderboard row of dataset ``key``."""
    return {label: seed_averaged(members) for label, members in rows_of(collect(out, key)).items()}


def compare(out: Path, key: str, rows: list[tuple[str, str]]) -> pd.DataFrame:
    """One line per ``(a, b)``: mean NDCG@10 of each, the difference, the raw and the
    Holm-adjusted p-value of the paired test, and ``significant`` at alpha."""
    series = per_query(out, key)
    missing = sorted({r for pair in rows for r in pair} - set(series))
    if missing:
        raise ValueError(f"no results for rows {missing} (known: {', '.join(sorted(series))})")
    lines = []
    for a, b in rows:
        common = series[a].index.intersection(series[b].index)
        x, y = series[a].loc[common], series[b].loc[common]
        lines.append(
            {
                "a": a,
                "b": b,
                "ndcg_a": x.mean(),
                "ndcg_b": y.mean(),
                "diff": x.mean() - y.mean(),
                "queries": len(common),
                "p": significance.paired_p_value(x, y),
            }
        )
    frame = pd.DataFrame(lines)
    frame["p_holm"] = significance.holm(frame["p"].tolist())
    frame["significant"] = frame["p_holm"] < significance.ALPHA
    return frame


def markdown(frame: pd.DataFrame) -> str:
    """The comparison frame as a Markdown table with the test in the caption."""
    head = "| a | b | NDCG@10 a | NDCG@10 b | a − b | p | p (Holm) |\n|---|---|---|---|---|---|---|"
    body = [
        f"| {r.a} | {r.b} | {r.ndcg_a:.4f} | {r.ndcg_b:.4f} | {r.diff:+.4f} | {r.p:.2g} "
        f"| {r.p_holm:.2g} |"
        for r in frame.itertuples(index=False)
    ]
    caption = significance.caption(len(frame), "the row named in column b")
    return "\n".join([head, *body, "", caption, ""])
