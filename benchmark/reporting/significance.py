"""Significance of a difference between two leaderboard rows (PROTOCOL §7, docs/protocol.md).

A row is a trained method, not a fixed system: another seed (annotation draw and model
initialisation) gives another model. Its per-query nDCG@10 form a (seed x query) table, and the
difference of two rows' means has two sources of sampling variance: the queries (the test
collection is a sample) and the seeds (the trained models are a sample).

**Headline test** (:func:`two_way`): a t-test whose standard error has both components,
estimated by the method of moments of a crossed two-way random-effects model
``x[s, q] = mu + query_q + seed_s + e[s, q]`` (Searle, Casella and McCulloch, *Variance
Components*, ch. 4; the ANOVA estimator that REML equals on balanced data, truncated at 0):

* ``d_q``: the per-query difference of the seed-averaged values (what ranx's test uses);
  its variance over queries / Q is the query component (it includes the residual e / n);
* each row's seed component: the variance of its per-seed means less the part the residual
  explains (``var(seed means) - sigma_e^2 / Q``, at least 0), over its number of seeds;
* ``se^2 = var(d_q) / Q + seed_a / n_a + seed_b / n_b``; degrees of freedom by
  Welch-Satterthwaite (Q - 1 for the query part, n - 1 for each seed part); two-sided p from
  Student's t; the 95 % CI of the difference from the same t and se. A row with one seed adds
  no seed component (nothing to estimate it from): for it the test is the query-only test.

Queries are paired; seeds are not, even where two rows share annotation draws (same budget and
strategy): pairing seeds leaves n - 1 degrees of freedom for the seed part, and with 3 seeds
the Satterthwaite test then rejects 7-11 % of true nulls in simulation (docs/protocol.md §7);
unpaired seed parts hold the size, and a positive correlation of shared draws only makes them
conservative.

With no seed variance the test is exactly the paired t-test over queries. Its size was
measured on A/A runs (``python -m benchmark calibrate``, docs/protocol.md §7).

**Query-only test** (:func:`queries_p_value`): ranx's paired two-sided Student t-test on the
seed-averaged per-query values, kept as a second, named column so older tables can be compared.

**Non-inferiority** ("reaches"): H0 ``diff <= -MARGIN`` against H1 ``diff > -MARGIN``, one-sided
at ``ALPHA_NONINF`` from the same t and se; a single comparison is non-inferior exactly when the
lower end of the 95 % CI is above ``-MARGIN``. Holm's step-down correction
(``statsmodels.stats.multitest``) runs over the comparisons of a table, for every p-value.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from ranx.statistical_tests import paired_student_t_test
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


def seed_component(x: np.ndarray) -> float:
    """The seed variance of a (seed x query) table, by the method of moments: the variance of
    the seed means less sigma_e^2 / Q (the residual of the two-way decomposition), at least 0;
    0 with fewer than two seeds or queries."""
    n, q = x.shape
    if n < 2 or q < 2:
        return 0.0
    seed_means = x.mean(axis=1)
    residual = x - seed_means[:, None] - x.mean(axis=0)[None, :] + x.mean()
    sigma2 = float((residual**2).sum()) / ((n - 1) * (q - 1))
    return max(0.0, float(seed_means.var(ddof=1)) - sigma2 / q)


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
    if q >= 2:
        parts = [(float(d.var(ddof=1)) / q, q - 1)]
        parts += [(seed_component(t) / len(t), len(t) - 1) for t in (x, y)]
        se, df = float(np.sqrt(sum(v for v, _ in parts))), satterthwaite(parts)
    if se > 0 and np.isfinite(diff):
        t = stats.t(df)
        p = float(2 * t.sf(abs(diff) / se))
        half = float(t.ppf(1 - ALPHA / 2) * se)
        p_noninf = float(t.sf((diff + MARGIN) / se))
    else:  # identical rows or fewer than two queries: no evidence of a difference
        p, half = 1.0, 0.0
        p_noninf = 0.0 if q >= 2 and diff > -MARGIN else 1.0
    return Estimate(diff, se, df, p, diff - half, diff + half, p_noninf, q, len(x), len(y))


def interval(table: pd.DataFrame) -> tuple[float, float]:
    """Mean of one row's (seed x qid) table and the half-width of its 95 % CI from the same
    model (query and seed components, Satterthwaite)."""
    x = table.dropna(axis=1).to_numpy(float)
    n, q = x.shape
    if q < 2:
        return float(x.mean()) if x.size else float("nan"), 0.0
    parts = [(float(x.mean(axis=0).var(ddof=1)) / q, q - 1), (seed_component(x) / n, n - 1)]
    se = float(np.sqrt(sum(v for v, _ in parts)))
    return float(x.mean()), float(stats.t(satterthwaite(parts)).ppf(1 - ALPHA / 2) * se)


def queries_p_value(a: pd.Series, b: pd.Series) -> float:
    """ranx's paired t-test on the queries both seed-averaged series share (indexed by qid)."""
    common = a.index.intersection(b.index)
    x, y = a.loc[common].to_numpy(), b.loc[common].to_numpy()
    if len(common) < 2 or np.allclose(x, y):
        return 1.0
    p, _ = paired_student_t_test(x, y, max_p=ALPHA)
    return float(p)


def holm(p_values: list[float]) -> list[float]:
    """Holm-Bonferroni adjusted p-values, in the input order (statsmodels' ``multipletests``)."""
    if not p_values:
        return []
    adjusted = multipletests(np.asarray(p_values, dtype=float), alpha=ALPHA, method="holm")[1]
    return [float(p) for p in adjusted]


def caption(n: int, against: str) -> str:
    return (
        f"p: {TEST_NAME} on per-query nDCG@10 of every seed (query and seed variance, "
        f"Satterthwaite df; docs/protocol.md §7), each row against {against}; Holm correction "
        f"over {n} comparisons; alpha = {ALPHA}. ▲/▼: significantly better/worse. "
        f"p queries: {QUERY_TEST_NAME}, Holm, for comparison with older tables. "
        f"Reaches: non-inferior with margin {MARGIN} (one-sided, alpha {ALPHA_NONINF}, Holm)."
    )
