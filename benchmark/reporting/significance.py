"""Paired significance tests (PROTOCOL §7).

The test is ranx's paired two-sided Student t-test (``ranx.statistical_tests``, the function
``ranx.compare(stat_test="student")`` calls) on per-query NDCG@10 averaged over seeds; the
seed averaging is why the per-query arrays are handed to it directly rather than through
``compare``, which would re-evaluate one run per system. ranx applies no multiple-testing
correction, so Holm's step-down correction is applied here across the comparisons of a table.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from ranx.statistical_tests import paired_student_t_test

ALPHA = 0.05
TEST_NAME = "paired two-sided Student t-test (ranx)"


def paired_p_value(a: pd.Series, b: pd.Series) -> float:
    """p-value of the paired test on the queries both series share (indexed by qid)."""
    common = a.index.intersection(b.index)
    x, y = a.loc[common].to_numpy(), b.loc[common].to_numpy()
    if len(common) < 2 or np.allclose(x, y):
        return 1.0
    p, _ = paired_student_t_test(x, y, max_p=ALPHA)
    return float(p)


def holm(p_values: list[float]) -> list[float]:
    """Holm-Bonferroni adjusted p-values, in the input order."""
    m = len(p_values)
    order = np.argsort(p_values, kind="stable")
    adjusted = np.empty(m)
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p_values[i]))
        adjusted[i] = running
    return adjusted.tolist()


def caption(n: int, against: str) -> str:
    return (
        f"{TEST_NAME} on per-query nDCG@10 averaged over seeds, each row against {against}; "
        f"Holm correction over {n} comparisons; alpha = {ALPHA}. "
        "▲/▼: significantly better/worse."
    )
