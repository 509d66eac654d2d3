"""A/A calibration of the significance tests (``python -m benchmark calibrate``, PROTOCOL §7).

A row run with many seeds is split into two disjoint sets of ``per_side`` seeds in every way (one
comparison per unordered pair of sets); each set is a "method", and both are the same method,
so every rejection at alpha is a false positive. Three tests are applied to each split:

* ``headline``: :func:`benchmark.reporting.significance.two_way` (query and seed variance);
* ``queries``: ranx's paired t-test over queries on seed-averaged values (the older tables');
* ``seed_means``: Welch's t-test on the two sets' per-seed means (queries treated as fixed).

The splits share seeds, so the comparisons are not independent: the rate is an estimate of the
size with more variance than a binomial count of as many independent trials.

**Power**: a uniform difference ``delta`` added to one side of every split; the smallest
``delta`` (on a 0.0005 grid) that the headline test detects in at least 80 % of the splits at
alpha, per number of seeds per side (a uniform shift is the easiest effect to detect: a
difference that varies over queries needs more).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import numpy as np
import pandas as pd
from scipy import stats

from benchmark.reporting import significance
from benchmark.reporting.rows import Row

TESTS = ("headline", "queries", "seed_means")
POWER = 0.8
DELTAS = np.arange(0.0, 0.2, 0.0005)


def splits(seeds: list[int], per_side: int) -> Iterator[tuple[list[int], list[int]]]:
    """Every unordered pair of disjoint ``per_side``-subsets of ``seeds`` (each pair once)."""
    for left in itertools.combinations(seeds, per_side):
        rest = [s for s in seeds if s not in left]
        for right in itertools.combinations(rest, per_side):
            if left < right:
                yield list(left), list(right)


def aa_tests(table: pd.DataFrame, per_side: int) -> pd.DataFrame:
    """One line per split of the (seed x qid) ``table``: the p-value of each test, and the
    headline test's difference, standard error and degrees of freedom."""
    full = table.dropna(axis=1)
    lines = []
    for left, right in splits(list(full.index), per_side):
        a, b = full.loc[left], full.loc[right]
        estimate = significance.two_way(a, b)
        seed_means = stats.ttest_ind(a.mean(axis=1), b.mean(axis=1), equal_var=False).pvalue
        lines.append(
            {
                "headline": estimate.p,
                "queries": significance.queries_p_value(a.mean(), b.mean()),
                "seed_means": float(seed_means) if np.isfinite(seed_means) else 1.0,
                "diff": estimate.diff,
                "se": estimate.se,
                "df": estimate.df,
            }
        )
    return pd.DataFrame(lines)


def smallest_detected(lines: pd.DataFrame) -> float:
    """The smallest uniform shift on :data:`DELTAS` the headline test rejects in at least
    :data:`POWER` of the splits (NaN if none on the grid)."""
    crit = stats.t.ppf(1 - significance.ALPHA / 2, lines.df.to_numpy())
    diff, se = lines["diff"].to_numpy(), lines.se.to_numpy()
    for delta in DELTAS:
        if np.mean(np.abs(diff + delta) > crit * se) >= POWER:
            return float(delta)
    return float("nan")


def calibrate(
    rows: list[Row], per_side: int, power_sides: tuple[int, ...]
) -> dict[str, pd.DataFrame]:
    """The A/A frames of ``rows``: ``detail`` (one line per row and test), ``summary`` (one
    line per test, pooled over rows: the acceptance's ``calibration.csv``) and ``power``
    (one line per row and seeds per side)."""
    detail, power, pooled = [], [], []
    for row in rows:
        n = len(row.seeds)
        if n < 2 * per_side:
            raise ValueError(
                f"{row.label} has {n} seeds: A/A splits of {per_side} per side need at least "
                f"{2 * per_side} (give --seeds {2 * per_side} or more)"
            )
        lines = aa_tests(row.table(), per_side).assign(row=row.label)
        pooled.append(lines)
        for test in TESTS:
            detail.append(record(test, lines[test]) | {"row": row.label, "seeds": n})
        for side in (s for s in power_sides if 2 * s <= n):
            shifted = aa_tests(row.table(), side) if side != per_side else lines
            power.append(
                {
                    "row": row.label,
                    "seeds_per_side": side,
                    "queries": row.table().dropna(axis=1).shape[1],
                    "comparisons": len(shifted),
                    "size": float(np.mean(shifted.headline < significance.ALPHA)),
                    "detected_80": smallest_detected(shifted),
                }
            )
    everything = pd.concat(pooled, ignore_index=True)
    summary = pd.DataFrame([record(t, everything[t]) for t in TESTS])
    return {
        "calibration": summary,
        "detail": pd.DataFrame(detail)[["row", "seeds", *summary.columns]],
        "power": pd.DataFrame(power),
    }


def record(test: str, p_values: pd.Series) -> dict[str, object]:
    return {
        "test": test,
        "alpha": significance.ALPHA,
        "false_positive_rate": float(np.mean(p_values < significance.ALPHA)),
        "comparisons": len(p_values),
    }
