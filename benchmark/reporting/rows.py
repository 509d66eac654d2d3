"""Leaderboard rows and their statistics: THE one place that averages seeds, picks the best
reference, runs the paired test and applies Holm (PROTOCOL §7). Leaderboards, budget tables,
the annotation saving, figures and ``compare`` all call it.

* A **row** is the cells of one configuration but for the seed (and, for a cross-validated
  dataset, the fold); its label and method were written into the manifests at run time.
* A row's **per-seed value** of a metric is the mean over its test queries of that seed (all
  folds pooled: the folds' means, computed by the harness from ranx's per-query values and kept
  in the manifests, weighted by their numbers of queries); the table shows mean ± std over
  seeds.
* Its **seed table** holds each (seed, query)'s nDCG@10, read at the precision the store keeps
  it in git (float32, :mod:`benchmark.store.packs`), for cell folders too, so a local run and a
  clone of the results report the same bytes; its **per-query series** is each query's value
  averaged over seeds (the figures' and the query-only test's input).
* The **test** (:mod:`benchmark.reporting.significance`) is the two-way (query x seed) t-test on
  the seed tables of two rows, over the queries both share, with its 95 % CI and the
  non-inferiority test against the margin; ranx's query-only paired t-test on the per-query
  series is kept beside it. Holm's step-down correction runs over the comparisons made together.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from benchmark.core.config import canonical_json
from benchmark.core.measures import MAIN_METRIC
from benchmark.reporting import significance
from benchmark.store import Cell


@dataclass
class Row:
    label: str
    cells: list[Cell]
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def config(self) -> dict[str, Any]:
        return self.cells[0].config

    @property
    def method(self) -> str:
        return self.cells[0].method

    @property
    def budget(self) -> float | None:
        budget: float | None = self.config["budget"]
        return budget

    @property
    def reference(self) -> bool:
        """A fully-annotated baseline row (budget 100 %)."""
        return self.budget == 1.0

    @property
    def main(self) -> bool:
        """A row of the main table: the default variant (default strategy and hyper-parameters)
        of a reranker in the default run, as the manifest says (written at run time; older
        manifests: a label without ``[strategy]`` or ``{parameters}``)."""
        manifest = self.cells[0].manifest
        default = manifest.get("default_variant", not any(c in self.label for c in "[{"))
        return bool(default and manifest.get("in_default_run", True))

    @property
    def seeds(self) -> list[int]:
        return sorted({c.seed for c in self.cells})

    def metrics(self) -> pd.DataFrame:
        """Per-query nDCG@10 of every cell (``qid, value, seed``), at the stored precision,
        loaded once."""
        if "metrics" not in self._cache:
            frames = []
            for c in self.cells:
                long = c.metrics()
                main = long[long.metric == MAIN_METRIC]
                value = main.value.to_numpy().astype(np.float32).astype(np.float64)
                frames.append(pd.DataFrame({"qid": main.qid, "value": value, "seed": c.seed}))
            self._cache["metrics"] = pd.concat(frames, ignore_index=True)
        stacked: pd.DataFrame = self._cache["metrics"]
        return stacked

    def table(self) -> pd.DataFrame:
        """Per-(seed, query) nDCG@10 as a (seed x qid) table, built once."""
        if "table" not in self._cache:
            self._cache["table"] = significance.seed_table(self.metrics())
        table: pd.DataFrame = self._cache["table"]
        return table

    def per_query(self) -> pd.Series:
        """Per-query nDCG@10 averaged over seeds (indexed by qid)."""
        return self.metrics().groupby("qid").value.mean()

    def per_seed(self) -> pd.DataFrame:
        """One row per seed, one column per metric: the mean over the seed's test queries (the
        manifests' means, folds weighted by their numbers of queries)."""
        means = {}
        for seed in self.seeds:
            cells = [c for c in self.cells if c.seed == seed]
            weights = np.array([c.manifest["queries_evaluated"] for c in cells], dtype=float)
            frame = pd.DataFrame([c.manifest["mean"] for c in cells])
            means[seed] = (
                frame.mul(weights, axis=0).sum() / weights.sum()
                if len(cells) > 1
                else frame.iloc[0]
            )
        return pd.DataFrame(means).T

    def mean(self, metric: str = MAIN_METRIC) -> float:
        """Mean over seeds of the per-seed means."""
        return float(self.per_seed()[metric].mean())

    def summary(self, metric: str) -> tuple[float, float]:
        """Mean and std (ddof 1; 0 for one seed) over seeds of the per-seed means; NaN when
        a seed lacks the measure (a user-added measure not computed for every cell)."""
        per_seed = self.per_seed()
        if metric not in per_seed or per_seed[metric].isna().any():
            return float("nan"), float("nan")
        values = per_seed[metric]
        return float(values.mean()), float(values.std(ddof=1)) if len(values) > 1 else 0.0

    def measures(self) -> list[str]:
        """Every measure stored for the row's cells (their manifests' means), in the order
        first stored."""
        return list(dict.fromkeys(m for c in self.cells for m in c.manifest["mean"]))

    def units(self) -> float:
        """Annotation units per seed (summed over folds), averaged over seeds."""
        per_seed = [
            sum(c.manifest["annotation"]["units_used"] for c in self.cells if c.config["seed"] == s)
            for s in self.seeds
        ]
        return float(np.mean(per_seed))


def group_rows(cells: list[Cell]) -> list[Row]:
    """The rows of a set of cells (same config but for seed and fold), in the cells' order."""
    groups: dict[str, list[Cell]] = {}
    for cell in cells:
        config = {k: v for k, v in cell.config.items() if k not in ("seed", "data_fingerprint")}
        config["dataset_params"] = {
            k: v for k, v in config["dataset_params"].items() if k != "fold"
        }
        groups.setdefault(canonical_json(config), []).append(cell)
    rows: dict[str, Row] = {}
    for members in groups.values():
        label = members[0].label
        if label in rows:
            raise ValueError(f"two different configurations share the leaderboard row {label!r}")
        rows[label] = Row(label, members)
    return list(rows.values())


def best_reference(rows: list[Row], metric: str = MAIN_METRIC) -> Row | None:
    """The fully-annotated row with the highest mean ``metric`` (first on ties), or None."""
    refs = [r for r in rows if r.reference]
    if not refs:
        return None
    return max(refs, key=lambda r: (r.mean(metric), -refs.index(r)))


TEST_COLUMNS = [
    "a", "b", "mean_a", "mean_b", "diff", "ci_low", "ci_high", "se", "df", "queries",
    "seeds_a", "seeds_b", "p", "p_holm", "significant", "p_queries",
    "p_queries_holm", "p_noninf", "p_noninf_holm", "noninferior",
]  # fmt: skip
DECISIONS = ("significant", "noninferior")


def paired_tests(tables: dict[str, pd.DataFrame], pairs: list[tuple[str, str]]) -> pd.DataFrame:
    """One line per ``(a, b)`` of (seed x qid) tables (:meth:`Row.table`): the means over shared
    queries, ``a - b`` with its 95 % CI, the headline test's raw and Holm-adjusted p and
    ``significant`` at alpha, ranx's query-only p (raw and Holm), and the non-inferiority p
    (raw and Holm) with ``noninferior`` (:mod:`benchmark.reporting.significance`; each Holm
    over these pairs)."""
    lines = []
    for a, b in pairs:
        x, y = significance.shared(tables[a], tables[b])
        estimate = significance.two_way(x, y)
        lines.append(
            {
                "a": a,
                "b": b,
                "mean_a": x.to_numpy().mean(),
                "mean_b": y.to_numpy().mean(),
                **estimate.as_dict(),
                "p_queries": significance.queries_p_value(x.mean(), y.mean()),
            }
        )
    computed = [c for c in TEST_COLUMNS if "holm" not in c and c not in DECISIONS]
    frame = pd.DataFrame(lines, columns=computed)
    for column in ("p", "p_queries", "p_noninf"):
        frame[f"{column}_holm"] = significance.holm(frame[column].tolist())
    frame["significant"] = frame["p_holm"] < significance.ALPHA
    frame["noninferior"] = frame["p_noninf_holm"] < significance.ALPHA_NONINF
    return frame[TEST_COLUMNS]


def against_best(rows: list[Row]) -> tuple[pd.DataFrame, Row | None]:
    """Every row tested against the best reference on nDCG@10 (:func:`paired_tests`, Holm over
    all of them); the frame is indexed by row label (the best reference itself has no line)."""
    best = best_reference(rows)
    if best is None:
        return pd.DataFrame(columns=TEST_COLUMNS), None
    tables = {r.label: r.table() for r in rows}
    pairs = [(r.label, best.label) for r in rows if r is not best]
    return paired_tests(tables, pairs).set_index("a", drop=False), best
