"""Significance of a difference between two leaderboard rows (PROTOCOL §7, docs/protocol.md).

A row is a trained method, not a fixed system: another seed (annotation draw and model
initialisation) gives another model. Its per-query nDCG@10 form a (seed x query) table, and the
difference of two rows' means has two sources of sampling variance: the queries (the test
collection is a sample) and the seeds (the trained models are a sample).

**Headline test** (:func:`two_way`): a t-test whose standard error has both components, from
the crossed two-way random-effects model ``x[s, q] = mu + query_q + seed_s + e[s, q]`` of each
row (Searle, Casella and McCulloch, *Variance Components*, 1992, ch. 4), queries paired:

* each row's **seed part**: the variance of its per-seed means (over its queries) over its
  number of seeds, as in Welch's t-test on the seed means; it holds the seed variance and the
  residual's share ``sigma_e^2 / (n Q)``;
* the **query part**: the method x query interaction, ``var_q(d_q) - sigma_a^2 / n_a -
  sigma_b^2 / n_b`` (at least 0) over Q, where ``d_q`` is the per-query difference of the
  seed-averaged values and ``sigma^2`` each row's residual variance of the two-way
  decomposition (its share is already in the seed parts);
* ``se^2 = query part + seed part a + seed part b`` (an unbiased estimate of the variance of the
  difference before the truncation at 0); degrees of freedom by Welch-Satterthwaite (Q - 1 for
  the query part, n - 1 for each seed part); two-sided p from Student's t; the 95 % CI of the
  difference from the same t and se.

It is Welch's test on seed means when the two rows agree on every query but for noise (an A/A
comparison), and it widens as the rows disagree query by query, which a test over seed means
alone ignores (its size grows with the interaction: docs/protocol.md §7). A row with one seed
has no seed part and no residual estimate: two such rows get the paired t-test over queries.
Queries are paired; seeds are not, even where two rows share annotation draws (same budget and
strategy): a seed-paired variant leaves n - 1 degrees of freedom and rejected up to 8.8 % of
true nulls with 3 seeds (14 % with 2) in simulation; a positive correlation of shared draws
only makes unpaired seed parts conservative. The variants compared and their measured sizes are in
docs/protocol.md §7 (``python -m benchmark.tools.test_size``).

**Query-only test** (:func:`queries_p_value`): ranx's paired two-sided Student t-test on the
seed-averaged per-query values, kept as a second, named column so older tables can be compared.

**Non-inferiority** ("reaches"): H0 ``diff <= -MARGIN`` against H1 ``diff > -MARGIN``, one-sided
at ``ALPHA_NONINF`` from the same t and se; a single comparison is non-inferior exactly when the
lower end of the 95 % CI is above ``-MARGIN``. Holm's step-down correction
(``statsmodels.stats.multitest``) runs over the comparisons of a table, for every p-value.
"""

from __future__ import annotations

import gc
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.multitest import multipletests

ALPHA = 0.05
ALPHA_NONINF = 0.025  # one-sided: the 95 % CI's lower end
MARGIN = 0.01  # non-inferiority margin on nDCG@10, fixed before any result was looked at (§7)
TEST_NAME = "two-way (query x seed) t-test"
QUERY_TEST_NAME = "paired two-sided Student t-test over queries on seed-averaged values (ranx)"


@dataclass(frozen=True)
class Estimate:
    """A difference ``a - b`` of two rows' means with its headline statistics."""

    diff: float
    se: float
    df: float
    p: float
    ci_low: float
    ci_high: float
    p_noninf: float
    queries: int
    seeds_a: int
    seeds_b: int

    def as_dict(self) -> dict[str, float | int | bool]:
        return asdict(self)


def seed_table(long: pd.DataFrame) -> pd.DataFrame:
    """A row's ``qid, seed, value`` frame as a (seed x qid) table, sorted both ways."""
    return long.pivot(index="seed", columns="qid", values="value").sort_index().sort_index(axis=1)


def residual(x: np.ndarray) -> float:
    """The residual variance sigma_e^2 of a (seed x query) table's two-way decomposition
    (0 with fewer than two seeds or queries)."""
    n, q = x.shape
    if n < 2 or q < 2:
        return 0.0
    rest = x - x.mean(axis=1)[:, None] - x.mean(axis=0)[None, :] + x.mean()
    return float((rest**2).sum()) / ((n - 1) * (q - 1))


def seed_part(x: np.ndarray) -> tuple[float, int]:
    """A row's seed part of the variance of its mean and its degrees of freedom: the variance
    of the per-seed means over the number of seeds (0 and 0 df for one seed)."""
    n = len(x)
    return (float(x.mean(axis=1).var(ddof=1)) / n, n - 1) if n > 1 else (0.0, 0)


def query_part(d: np.ndarray, *rows: np.ndarray) -> tuple[float, int]:
    """The query part of the variance: the variance over queries of ``d`` (per-query values or
    differences of seed averages) less each row's residual share, at least 0, over Q."""
    q = len(d)
    shares = sum(residual(x) / len(x) for x in rows)
    return max(0.0, float(d.var(ddof=1)) - shares) / q, q - 1


def satterthwaite(parts: list[tuple[float, int]]) -> float:
    """Welch-Satterthwaite degrees of freedom of a sum of variance parts ``(v, df)``."""
    total = sum(v for v, _ in parts)
    denominator = sum(v * v / df for v, df in parts if df > 0 and v > 0)
    return total * total / denominator if denominator > 0 else float("inf")


def shared(a: pd.DataFrame, b: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Both tables on the queries every seed of both rows has."""
    common = a.columns.intersection(b.columns)
    a, b = a[common].dropna(axis=1), b[common].dropna(axis=1)
    common = a.columns.intersection(b.columns)
    return a[common], b[common]


def two_way(a: pd.DataFrame, b: pd.DataFrame) -> Estimate:
    """The headline test of ``a - b`` on two (seed x qid) tables (module docstring)."""
    a, b = shared(a, b)
    x, y = a.to_numpy(float), b.to_numpy(float)
    q = x.shape[1]
    d = x.mean(axis=0) - y.mean(axis=0)
    diff = float(d.mean()) if q else float("nan")
    se, df = 0.0, float("inf")
    if q >= 2 and not (list(a.index) == list(b.index) and np.array_equal(x, y)):
        parts = [query_part(d, x, y), seed_part(x), seed_part(y)]
        se, df = float(np.sqrt(sum(v for v, _ in parts))), satterthwaite(parts)
    if se > 0 and np.isfinite(diff):
        t = stats.t(df)
        p = float(2 * t.sf(abs(diff) / se))
        half = float(t.ppf(1 - ALPHA / 2) * se)
        p_noninf = float(t.sf((diff + MARGIN) / se))
    else:  # a row against itself or fewer than two queries: no evidence of a difference
        p, half = 1.0, 0.0
        p_noninf = 0.0 if q >= 2 and diff > -MARGIN else 1.0
    return Estimate(diff, se, df, p, diff - half, diff + half, p_noninf, q, len(x), len(y))


def interval(table: pd.DataFrame) -> tuple[float, float]:
    """Mean of one row's (seed x qid) table and the half-width of its 95 % CI from the same
    model (its seed part and the query part of its per-query values, Satterthwaite)."""
    x = table.dropna(axis=1).to_numpy(float)
    if x.shape[1] < 2:
        return float(x.mean()) if x.size else float("nan"), 0.0
    parts = [query_part(x.mean(axis=0), x), seed_part(x)]
    se = float(np.sqrt(sum(v for v, _ in parts)))
    return float(x.mean()), float(stats.t(satterthwaite(parts)).ppf(1 - ALPHA / 2) * se)


def queries_p_value(a: pd.Series, b: pd.Series) -> float:
    """ranx's paired t-test on the queries both seed-averaged series share (indexed by qid).
    ranx 0.3.21's ``paired_student_t_test`` is ``scipy.stats.ttest_rel(control, treatment,
    alternative="two-sided")``; it is called here directly, so a report does not import ranx
    (two seconds); tests/reporting/test_significance.py checks both give the same p."""
    common = a.index.intersection(b.index)
    x, y = a.loc[common].to_numpy(), b.loc[common].to_numpy()
    if len(common) < 2 or np.allclose(x, y):
        return 1.0
    return float(stats.ttest_rel(x, y, alternative="two-sided").pvalue)


def holm(p_values: list[float]) -> list[float]:
    """Holm-Bonferroni adjusted p-values, in the input order (statsmodels' ``multipletests``).
    Its Holm branch calls ``gc.collect()``, a full collection over every object of the process
    (0.15-0.25 s a call once torch or pandas are loaded, three calls in a small run's report;
    issue 19); the objects that exist before the call are frozen meanwhile, so the collection
    only visits what the call itself creates."""
    if not p_values:
        return []
    gc.freeze()
    try:
        adjusted = multipletests(np.asarray(p_values, dtype=float), alpha=ALPHA, method="holm")
    finally:
        gc.unfreeze()
    return [float(p) for p in adjusted[1]]


def caption(n: int, against: str) -> str:
    return (
        f"p: {TEST_NAME} on per-query nDCG@10 of every seed (query and seed variance, "
        f"Satterthwaite df; docs/protocol.md §7), each row against {against}; Holm correction "
        f"over {n} comparisons; alpha = {ALPHA}. ▲/▼: significantly better/worse. "
        f"p queries: {QUERY_TEST_NAME}, Holm, for comparison with older tables. "
        f"Reaches: non-inferior with margin {MARGIN} (one-sided, alpha {ALPHA_NONINF}, Holm)."
    )
