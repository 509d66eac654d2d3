"""Chosen pairwise comparisons between leaderboard rows (PROTOCOL §7), for the questions a
leaderboard's "against the best reference" column does not answer (e.g. a method against its
own ablations at the same budget).

Rows are named as in the leaderboard (``smar@10%``, ``sft@100%``, ``smar@10%[top-p]``...). The
statistics are :func:`benchmark.reporting.rows.paired_tests` (the two-way query x seed test with
its 95 % CI and the non-inferiority test, ranx's query-only test beside it, Holm over the
comparisons given together).
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
    """One line per ``(a, b)``: mean nDCG@10 of each, the difference and its CI, the raw and
    Holm-adjusted p-values (headline, query-only, non-inferiority) and the decisions."""
    rows = {r.label: r for r in group_rows(Store(out).cells(key))}
    missing = sorted({r for pair in pairs for r in pair} - set(rows))
    if missing:
        raise ValueError(f"no results for rows {missing} (known: {', '.join(sorted(rows))})")
    tables = {label: rows[label].table() for pair in pairs for label in pair}
    return paired_tests(tables, pairs)


def markdown(frame: pd.DataFrame) -> str:
    """The comparison frame as a Markdown table with the test in the caption."""
    head = (
        "| a | b | nDCG@10 a | nDCG@10 b | a − b | 95 % CI | p | p (Holm) | p queries (Holm) "
        "| reaches b | seeds |\n" + "|---" * 11 + "|"
    )
    body = [
        f"| {r.a} | {r.b} | {r.mean_a:.4f} | {r.mean_b:.4f} | {r.diff:+.4f} "
        f"| [{r.ci_low:+.4f}, {r.ci_high:+.4f}] | {p_text(r.p)} | {p_text(r.p_holm)} "
        f"| {p_text(r.p_queries_holm)} | {'yes' if r.noninferior else 'no'} "
        f"| {r.seeds_a}/{r.seeds_b} |"
        for r in frame.itertuples(index=False)
    ]
    caption = significance.caption(len(frame), "the row named in column b") + f" {GAIN_NOTE}."
    return "\n".join([head, *body, "", caption, ""])
