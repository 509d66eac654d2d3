"""Chosen pairwise comparisons between leaderboard rows (PROTOCOL §7), for the questions a
leaderboard's "against the best reference" column does not answer (e.g. a method against its
own ablations at the same budget).

Rows are named as in the leaderboard (``smar@10%``, ``sft@100%``, ``smar@10%[top-p]``...). The
statistics are :func:`benchmark.reporting.rows.paired_tests` (seed-averaged per-query nDCG@10,
paired t-test, Holm over the comparisons given together).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from benchmark.core.measures import GAIN_NOTE
from benchmark.reporting import significance
from benchmark.reporting.rows import group_rows, paired_tests
from benchmark.reporting.text import p_text
from benchmark.store import Store


def compare(out: Path, key: str, pairs: list[tuple[str, str]]) -> pd.DataFrame:
    """One line per ``(a, b)``: mean nDCG@10 of each, the difference, the raw and the
    Holm-adjusted p-value of the paired test, and ``significant`` at alpha."""
    rows = {r.label: r for r in group_rows(Store(out).cells(key))}
    missing = sorted({r for pair in pairs for r in pair} - set(rows))
    if missing:
        raise ValueError(f"no results for rows {missing} (known: {', '.join(sorted(rows))})")
    series = {label: rows[label].per_query() for pair in pairs for label in pair}
    return paired_tests(series, pairs)


def markdown(frame: pd.DataFrame) -> str:
    """The comparison frame as a Markdown table with the test in the caption."""
    head = "| a | b | nDCG@10 a | nDCG@10 b | a − b | p | p (Holm) |\n|---|---|---|---|---|---|---|"
    body = [
        f"| {r.a} | {r.b} | {r.mean_a:.4f} | {r.mean_b:.4f} | {r.diff:+.4f} | {p_text(r.p)} "
        f"| {p_text(r.p_holm)} |"
        for r in frame.itertuples(index=False)
    ]
    caption = significance.caption(len(frame), "the row named in column b") + f" {GAIN_NOTE}."
    return "\n".join([head, *body, "", caption, ""])
