"""A grid's strategies view (``[report] kind = "strategies"``, e.g. ``grids/active.toml``): how
much annotation each (reranker, strategy) saves, and whether a strategy beats SMAR's bands.

For each dataset of the grid, from its rows (:mod:`benchmark.reporting.rows`):

* **curve**: every budgeted row against the ``reference`` row (default ``sft@100%``):
  :func:`benchmark.reporting.rows.paired_tests` (paired two-sided t-test on per-query nDCG@10
  averaged over seeds, ranx), Holm over all of the dataset's rows; plus a 95 % **paired
  percentile bootstrap** CI of the mean per-query difference row − reference over the test
  queries both share (``RESAMPLES`` = 2,000 resamples of the queries with replacement, numpy
  generator seeded with ``BOOTSTRAP_SEED``, so rows over the same queries share the draws; per
  comparison, not adjusted for multiplicity as the p-values are);
* **saving**: per method (reranker and strategy), the smallest budget whose row is not
  significantly below the reference (``diff >= 0`` or Holm p >= alpha: PROTOCOL §7's
  definition, as :mod:`benchmark.reporting.budget` uses), with that budget's difference, CI
  and p; "not reached" when no tested budget qualifies;
* **versus**: each row of a strategy not in ``versus`` (default ``["middle", "top-p"]``,
  SMAR's bands) against the same reranker's row under each ``versus`` strategy at the same
  budget; paired tests with Holm over all of the dataset's such comparisons;
* **figures**: one per strategy (PNG, PDF, SVG at two widths), the difference to the reference
  against the budget, one line per reranker with its bootstrap CI, the ``versus`` strategies of
  the same rerankers dashed.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from benchmark.core.config import canonical_json
from benchmark.reporting import significance
from benchmark.reporting.rows import Row, group_rows, paired_tests
from benchmark.store import Store

RESAMPLES = 2000
BOOTSTRAP_SEED = 0
REFERENCE = "sft@100%"
VERSUS = ("middle", "top-p")


def bootstrap_ci(diff: np.ndarray) -> tuple[float, float]:
    """Paired percentile bootstrap: the 2.5 and 97.5 percentiles of the mean of the per-query
    differences ``diff`` over ``RESAMPLES`` resamples of the queries (with replacement; the
    generator is seeded with ``BOOTSTRAP_SEED``, so rows over the same queries share draws)."""
    if len(diff) == 0:
        return np.nan, np.nan
    rng = np.random.default_rng(BOOTSTRAP_SEED)
    means = diff[rng.integers(0, len(diff), (RESAMPLES, len(diff)))].mean(axis=1)
    low, high = np.percentile(means, [2.5, 97.5])
    return float(low), float(high)


def curve(rows: list[Row], reference: Row) -> pd.DataFrame:
    """One line per budgeted row but the reference: reranker, strategy, budget, mean, the
    difference to the reference with its bootstrap CI, raw and Holm p (module docstring)."""
    others = [r for r in rows if r is not reference and r.budget is not None]
    series = {r.label: r.per_query() for r in [*others, reference]}
    tests = paired_tests(series, [(r.label, reference.label) for r in others])
    lines = []
    for row, (_, test) in zip(others, tests.iterrows(), strict=True):
        low, high = bootstrap_ci((series[row.label] - series[reference.label]).dropna().to_numpy())
        lines.append(
            {
                "row": row.label,
                "reranker": row.config["reranker"],
                "strategy": row.config["strategy"],
                "method": row.method,
                "budget": row.budget,
                "seeds": len(row.seeds),
                "mean": test.mean_a,
                "diff": test["diff"],
                "ci_low": low,
                "ci_high": high,
                "p": test.p,
                "p_holm": test.p_holm,
            }
        )
    return pd.DataFrame(lines)


def not_below(line: pd.Series) -> bool:
    return bool(line["diff"] >= 0 or line.p_holm >= significance.ALPHA)


def saving(lines: pd.DataFrame) -> pd.DataFrame:
    """Per method, the smallest budget not significantly below the reference (or none)."""
    out = []
    for method, group in lines.groupby("method", sort=True):
        fine = group[group.apply(not_below, axis=1)].sort_values("budget")
        head: dict[str, Any] = {
            "method": method,
            "budgets": ", ".join(f"{b:.0%}" for b in sorted(group.budget)),
        }
        if fine.empty:
            out.append({**head, "smallest_budget": None, "saving": None})
            continue
        best = fine.iloc[0]
        out.append(
            {
                **head,
                "smallest_budget": best.budget,
                "saving": 1 - best.budget,
                **{k: best[k] for k in ("mean", "diff", "ci_low", "ci_high", "p_holm")},
            }
        )
    return pd.DataFrame(out)


def versus(rows: list[Row], bands: tuple[str, ...]) -> pd.DataFrame:
    """Each non-band row against the band rows of the same reranker with the same
    hyper-parameters (a `{betas=...}` row is not the default's band) at the same budget."""

    def key(r: Row, strategy: str) -> str:
        return canonical_json([r.config["reranker"], r.config["params"], strategy, r.budget])

    index = {key(r, r.config["strategy"]): r for r in rows}
    pairs = []
    for row in rows:
        if row.config["strategy"] in bands or row.budget is None or row.budget >= 1:
            continue
        for band in bands:
            other = index.get(key(row, band))
            if other is not None:
                pairs.append((row, other))
    if not pairs:
        return pd.DataFrame()
    series = {r.label: r.per_query() for pair in pairs for r in pair}
    tests = paired_tests(series, [(a.label, b.label) for a, b in pairs])
    tests.insert(0, "budget", [a.budget for a, _ in pairs])
    return tests.sort_values(["budget", "a", "b"], kind="stable", ignore_index=True)


def dataset_views(
    store: Store, key: str, spec: dict[str, Any]
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The curve, saving and versus frames of one dataset (empty without the reference)."""
    rows = group_rows(store.cells(key))
    reference = next((r for r in rows if r.label == spec.get("reference", REFERENCE)), None)
    if reference is None:
        return pd.DataFrame(), pd.DataFrame(), pd.DataFrame()
    lines = curve(rows, reference)
    bands = tuple(spec.get("versus", VERSUS))
    return lines, saving(lines), versus(rows, bands)


def markdown(frame: pd.DataFrame, columns: dict[str, str]) -> str:
    """``frame``'s ``columns`` (name -> header) as a Markdown table; numbers to 4 places, p to
    2 significant digits, budgets as percentages, missing values as "not reached"."""
    lines = ["| " + " | ".join(columns.values()) + " |", "|" + "---|" * len(columns)]
    for _, line in frame.iterrows():
        lines.append("| " + " | ".join(cell(c, line[c]) for c in columns) + " |")
    return "\n".join(lines) + "\n"


def cell(column: str, value: Any) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "not reached" if column == "smallest_budget" else "—"
    if column in ("smallest_budget", "saving", "budget"):
        return f"{value:.0%}"
    if column.startswith("p"):
        return "< 1e-300" if value == 0 else f"{value:.2g}"
    if isinstance(value, float):
        return f"{value:+.4f}" if column == "diff" else f"{value:.4f}"
    return str(value)


SAVING_COLUMNS = {
    "key": "dataset",
    "method": "method",
    "budgets": "budgets",
    "smallest_budget": "smallest budget ≈ ref",
    "saving": "saving",
    "mean": "nDCG@10",
    "diff": "− ref",
    "ci_low": "CI low",
    "ci_high": "CI high",
    "p_holm": "p (Holm)",
}
VERSUS_COLUMNS = {
    "key": "dataset",
    "budget": "budget",
    "a": "a",
    "b": "b",
    "mean_a": "nDCG@10 a",
    "mean_b": "nDCG@10 b",
    "diff": "a − b",
    "p": "p",
    "p_holm": "p (Holm)",
}


def captions(spec: dict[str, Any]) -> tuple[str, str]:
    test = f"{significance.TEST_NAME} on per-query nDCG@10 averaged over seeds"
    ref = spec.get("reference", REFERENCE)
    return (
        f"Smallest budget whose nDCG@10 is not significantly below {ref} ({test}, Holm over "
        f"each dataset's rows against {ref}, alpha = {significance.ALPHA}); − ref and its 95 % "
        f"CI: paired percentile bootstrap over test queries of the mean per-query difference "
        f"({RESAMPLES} resamples, seed {BOOTSTRAP_SEED}; per comparison, not adjusted for "
        f"multiplicity, so it can exclude 0 where Holm's p does not); saving = 1 − that "
        f"budget.\n",
        f"{test}; each strategy against the same reranker under "
        f"{', '.join(spec.get('versus', VERSUS))} at the same budget; Holm over each dataset's "
        f"comparisons; alpha = {significance.ALPHA}.\n",
    )


def files(store: Store, spec: dict[str, Any], keys: list[str]) -> dict[Any, bytes | str]:
    """The view's files under ``reports/<name>/``: saving and versus tables (Markdown, CSV)
    over the grid's datasets, and ``<dataset>/<strategy>-<width>.<format>`` budget curves."""
    folder = store.out / "reports" / str(spec["name"])
    savings, matches = [], []
    out: dict[Any, bytes | str] = {}
    for key in keys:
        lines, saved, against = dataset_views(store, key, spec)
        if lines.empty:
            continue
        savings.append(saved.assign(key=key))
        matches.append(against.assign(key=key))
        for strategy in sorted(set(lines.strategy) - set(spec.get("versus", VERSUS))):
            shown = lines[lines.strategy.isin([strategy, *spec.get("versus", VERSUS)])]
            for name, data in figure(shown, strategy).items():
                out[folder / key / name] = data
    saved_all = pd.concat(savings, ignore_index=True) if savings else pd.DataFrame()
    versus_all = pd.concat(matches, ignore_index=True) if matches else pd.DataFrame()
    saving_caption, versus_caption = captions(spec)
    out[folder / "saving.md"] = markdown(saved_all, SAVING_COLUMNS) + "\n" + saving_caption
    out[folder / "saving.csv"] = saved_all.to_csv(index=False)
    out[folder / "versus.md"] = markdown(versus_all, VERSUS_COLUMNS) + "\n" + versus_caption
    out[folder / "versus.csv"] = versus_all.to_csv(index=False)
    return out


def figure(lines: pd.DataFrame, strategy: str) -> dict[str, bytes]:
    """nDCG@10 − reference against the budget: ``strategy``'s rerankers solid with their
    bootstrap CI, each other strategy in ``lines`` with its own dashes; every size and format of
    :func:`benchmark.reporting.figures.render`."""
    from benchmark.reporting.figures import render, styles

    colours = styles(sorted(set(lines.reranker)))
    others = sorted(set(lines.strategy) - {strategy})
    dashes = {strategy: "-"} | {s: (":", "--", "-.")[i % 3] for i, s in enumerate(others)}
    ticks = sorted(lines.budget.unique() * 100)

    def draw(plt: Any, width: float) -> Any:
        fig, ax = plt.subplots(figsize=(width, min(0.75 * width, 3.2)), layout="constrained")
        for (reranker, other), g in lines.groupby(["reranker", "strategy"]):
            g, own = g.sort_values("budget"), other == strategy
            x, colour = g.budget * 100, colours[reranker]["color"]
            marker = colours[reranker]["marker"] if own else "."
            line = {"color": colour, "linestyle": dashes[other], "marker": marker}
            ax.plot(x, g["diff"], label=f"{reranker} [{other}]", **line)
            if own:
                ax.fill_between(x, g.ci_low, g.ci_high, alpha=0.2, color=colour)
        ax.axhline(0, color="0.5", linewidth=0.8)
        ax.set_xscale("log")
        ax.set_xticks(ticks, [f"{t:g}%" for t in ticks])
        ax.minorticks_off()
        ax.set_xlabel("annotation budget (log scale)")
        ax.set_ylabel("Δ nDCG@10 vs reference\n(exp. gain; 95 % bootstrap CI)")
        ax.legend(loc="lower right", fontsize=6)
        return fig

    return render(strategy, draw)
