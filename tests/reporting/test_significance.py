"""The headline test (two-way query x seed), its CI, non-inferiority and Holm, on simulated
(seed x query) tables with known variance and on hand-computed cases; the A/A calibration."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from benchmark.reporting import calibration
from benchmark.reporting import significance as sig

Q = 200


def table(x: np.ndarray, first_seed: int = 0) -> pd.DataFrame:
    return pd.DataFrame(x, index=range(first_seed, first_seed + len(x)), columns=range(x.shape[1]))


def pair(rng: np.random.Generator, n: int, shift: float = 0.0) -> tuple[pd.DataFrame, ...]:
    """Two rows on one query sample: query std 0.1, method x query interaction 0.05, seed std
    0.01, residual 0.1; ``b`` is ``a``'s population mean plus ``shift``."""
    base = 0.7 + rng.normal(0, 0.1, Q)
    x, y = (
        base + rng.normal(0, 0.05, Q) + rng.normal(0, 0.01, (n, 1)) + rng.normal(0, 0.1, (n, Q))
        for _ in range(2)
    )
    return table(x), table(y + shift, n)


def test_size_holds_and_a_planted_difference_is_found() -> None:
    """With seed and query variance the headline test rejects about 5 % of true nulls (the
    query-only test far more), its 95 % CI covers the true difference about 95 % of the time,
    and it finds a planted difference of 0.05."""
    rng = np.random.default_rng(0)
    null, queries, covered, found = 0, 0, 0, 0
    reps = 400
    for _ in range(reps):
        a, b = pair(rng, 3)
        e = sig.two_way(a, b)
        null += e.p < sig.ALPHA
        queries += sig.queries_p_value(a.mean(), b.mean()) < sig.ALPHA
        a, b = pair(rng, 3, shift=0.05)
        e = sig.two_way(b, a)
        covered += e.ci_low <= 0.05 <= e.ci_high
        found += e.p < sig.ALPHA and e.diff > 0
    assert 0.02 <= null / reps <= 0.085
    assert queries / reps > 0.15
    assert 0.9 <= covered / reps <= 0.985
    assert found / reps > 0.8


def test_one_seed_each_is_the_paired_t_test_over_queries() -> None:
    rng = np.random.default_rng(1)
    x, y = rng.uniform(0, 1, (1, 50)), rng.uniform(0, 1, (1, 50))
    e = sig.two_way(table(x), table(y, 1))
    d = x[0] - y[0]
    assert e.p == pytest.approx(stats.ttest_rel(x[0], y[0]).pvalue, rel=1e-9)
    assert e.p == pytest.approx(sig.queries_p_value(pd.Series(x[0]), pd.Series(y[0])), rel=1e-6)
    half = stats.t.ppf(0.975, 49) * d.std(ddof=1) / np.sqrt(50)
    assert (e.ci_low, e.ci_high) == pytest.approx((d.mean() - half, d.mean() + half), rel=1e-9)


def test_rows_equal_on_every_query_but_for_seed_shifts_is_welch_on_seed_means() -> None:
    """No query interaction and no residual: the query part is 0 and the test is Welch's."""
    rng = np.random.default_rng(2)
    base = rng.uniform(0, 1, 30)
    x = base + rng.normal(0, 0.02, (3, 1))
    y = base + rng.normal(0, 0.02, (4, 1))
    e = sig.two_way(table(x), table(y, 3))
    welch = stats.ttest_ind(x.mean(axis=1), y.mean(axis=1), equal_var=False)
    assert e.p == pytest.approx(welch.pvalue, rel=1e-9)


def test_non_inferiority_is_the_ci_lower_end_against_the_margin() -> None:
    rng = np.random.default_rng(3)
    for _ in range(50):
        a, b = pair(rng, 3, shift=rng.uniform(-0.03, 0.03))
        e = sig.two_way(a, b)
        assert (e.p_noninf < sig.ALPHA_NONINF) == (e.ci_low > -sig.MARGIN)
    same = sig.two_way(a, a)
    assert same.p == 1.0 and same.diff == 0.0 and same.p_noninf == 0.0


def test_holm_against_a_hand_computed_case() -> None:
    # sorted: 0.005*4 = 0.02, 0.01*3 = 0.03, 0.03*2 = 0.06, 0.04*1 -> max(0.06, 0.04)
    assert sig.holm([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert sig.holm([0.6, 0.9]) == pytest.approx([1.0, 1.0])
    assert sig.holm([]) == []


def test_queries_missing_from_a_seed_are_left_out() -> None:
    rng = np.random.default_rng(4)
    a, b = pair(rng, 3)
    a.iloc[0, 5] = np.nan
    assert sig.two_way(a, b).queries == Q - 1


def test_aa_splits_and_rates() -> None:
    splits = list(calibration.splits(list(range(6)), 3))
    assert len(splits) == 10 and all(not set(a) & set(b) for a, b in splits)
    assert len(list(calibration.splits(list(range(10)), 3))) == 2100
    rng = np.random.default_rng(5)
    x = 0.7 + rng.normal(0, 0.1, Q) + rng.normal(0, 0.01, (8, 1)) + rng.normal(0, 0.1, (8, Q))
    lines = calibration.aa_tests(table(x), 3)
    assert len(lines) == 280 and set(calibration.TESTS) <= set(lines.columns)
    assert 0.0 < calibration.smallest_detected(lines) < 0.1


def test_calibrate_command_writes_the_rates(tmp_path, capsys) -> None:
    """`calibrate` runs the row with its seeds and writes one line per test, the headline
    test's rate among them; the run's leaderboard has both p columns."""
    from benchmark.cli import main
    from tests.conftest import TINY_ARGS

    out = tmp_path / "cal"
    argv = ["calibrate", "--rerankers", "sft", "--budget", "30%", "--seeds", "6"]
    assert main([*argv, "--out", str(out), "--quiet", *TINY_ARGS]) == 0
    summary = pd.read_csv(out / "calibration.csv")
    assert list(summary.columns) == ["test", "alpha", "false_positive_rate", "comparisons"]
    assert list(summary.test) == list(calibration.TESTS) and (summary.comparisons == 10).all()
    assert summary.false_positive_rate.between(0, 1).all()
    power = pd.read_csv(out / "calibration-power.csv")
    assert list(power.seeds_per_side) == [2, 3]
    assert "headline" in capsys.readouterr().out
    # too few seeds for the split: one error line, nothing run
    assert main([*argv[:-1], "5", "--out", str(tmp_path / "x"), "--quiet", *TINY_ARGS]) == 2
    assert not (tmp_path / "x").exists()


def test_query_only_p_is_ranx_paired_t_test() -> None:
    from ranx.statistical_tests import paired_student_t_test

    rng = np.random.default_rng(6)
    x, y = rng.uniform(0, 1, 80), rng.uniform(0, 1, 80)
    p, _ = paired_student_t_test(x, y)
    assert sig.queries_p_value(pd.Series(x), pd.Series(y)) == p
