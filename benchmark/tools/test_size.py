"""Size of candidate significance tests on simulated (seed x query) tables with known variance.

``python -m benchmark.tools.test_size [--reps 600]`` prints, for each simulated regime (seeds
per side, seed std, method x query interaction std), the share of true nulls each candidate
rejects at alpha 0.05: the figures docs/protocol.md §7 quotes for choosing the headline test.

Each replicate draws a fresh query sample (Q = 200, query std 0.1), two methods whose
population means are equal, each with its own query interaction (std ``interaction``, drawn
per replicate: the population difference is 0, a given sample's is not), its own seed effects
(std ``seed_sd``) and residual noise (std 0.1, about what our rows show).

Candidates: ``headline`` (:func:`benchmark.reporting.significance.two_way`), ``seed_paired``
(the same parts with the seeds paired: one seed part from the per-seed differences, n - 1 df),
``seed_moments`` (the seed variance by the method of moments, the residual subtracted from the
seed parts instead of the query part), ``seed_means`` (Welch's t-test on per-seed means) and
``queries`` (the paired t-test over queries on seed-averaged values, ranx's).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

import numpy as np
import pandas as pd
from scipy import stats

from benchmark.reporting import significance as sig

Q = 200
QUERY_SD = 0.1
NOISE_SD = 0.1
REGIMES = [
    (n, seed_sd, interaction)
    for interaction in (0.0, 0.05)
    for n in (2, 3, 5)
    for seed_sd in (0.0, 0.003, 0.01, 0.03)
]


def t_p(diff: float, parts: list[tuple[float, int]]) -> float:
    se = np.sqrt(sum(v for v, _ in parts))
    return float(2 * stats.t.sf(abs(diff) / se, sig.satterthwaite(parts))) if se > 0 else 1.0


def seed_paired(x: np.ndarray, y: np.ndarray) -> float:
    d = x.mean(axis=0) - y.mean(axis=0)
    return t_p(float(d.mean()), [sig.query_part(d, x, y), sig.seed_part(x - y)])


def seed_moments(x: np.ndarray, y: np.ndarray) -> float:
    d = x.mean(axis=0) - y.mean(axis=0)
    parts = [(float(d.var(ddof=1)) / Q, Q - 1)]
    for t in (x, y):
        variance = max(0.0, float(t.mean(axis=1).var(ddof=1)) - sig.residual(t) / Q)
        parts.append((variance / len(t), len(t) - 1))
    return t_p(float(d.mean()), parts)


def frame(x: np.ndarray, start: int = 0) -> pd.DataFrame:
    return pd.DataFrame(x, index=range(start, start + len(x)))


CANDIDATES: dict[str, Callable[[np.ndarray, np.ndarray], float]] = {
    "headline": lambda x, y: sig.two_way(frame(x), frame(y, len(x))).p,
    "seed_paired": seed_paired,
    "seed_moments": seed_moments,
    "seed_means": lambda x, y: float(
        stats.ttest_ind(x.mean(axis=1), y.mean(axis=1), equal_var=False).pvalue
    ),
    "queries": lambda x, y: sig.queries_p_value(pd.Series(x.mean(0)), pd.Series(y.mean(0))),
}


def simulate(reps: int, seed: int = 0) -> pd.DataFrame:
    """One line per regime: each candidate's rejection rate of true nulls at alpha."""
    rng = np.random.default_rng(seed)
    lines = []
    for n, seed_sd, interaction in REGIMES:
        rejected = dict.fromkeys(CANDIDATES, 0)
        for _ in range(reps):
            base = 0.7 + rng.normal(0, QUERY_SD, Q)
            x, y = (
                base
                + rng.normal(0, interaction, Q)
                + rng.normal(0, seed_sd, (n, 1))
                + rng.normal(0, NOISE_SD, (n, Q))
                for _ in range(2)
            )
            for name, test in CANDIDATES.items():
                rejected[name] += test(x, y) < sig.ALPHA
        lines.append(
            {"seeds_per_side": n, "seed_sd": seed_sd, "interaction_sd": interaction}
            | {name: count / reps for name, count in rejected.items()}
        )
    return pd.DataFrame(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmark.tools.test_size")
    parser.add_argument("--reps", type=int, default=600, help="replicates per regime")
    parser.add_argument("--seed", type=int, default=0, help="generator seed")
    args = parser.parse_args(argv)
    table = simulate(args.reps, args.seed)
    print(f"share of true nulls rejected at alpha {sig.ALPHA}, {args.reps} replicates each")
    print(table.to_markdown(index=False, floatfmt=".3f"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
