"""A grid's strategies view (``[report] kind = "strategies"``, e.g. ``grids/active.toml``): how
much annotation each (reranker, strategy) saves, and whether a strategy beats SMAR's bands.

For each dataset of the grid, from its rows (:mod:`benchmark.reporting.rows`):

* **curve**: every budgeted row against the ``reference`` row (default ``sft@100%``):
  :func:`benchmark.reporting.rows.paired_tests` (the two-way query x seed t-test with its 95 %
  CI and the non-inferiority test, PROTOCOL §7), Holm over all of the dataset's rows
  (``curve.csv``: what the figures draw and docs/results.md's strategy tables quote);
* **saving**: per method (reranker and strategy), the smallest budget whose row reaches the
  reference (non-inferior within the margin, one-sided, Holm: PROTOCOL §7's definition, as
  :mod:`benchmark.reporting.budget` uses), with that budget's difference, CI and p; "not
  reached" when no tested budget qualifies;
* **versus**: each row of a strategy not in ``versus`` (default ``["middle", "top-p"]``,
  SMAR's bands) against the same reranker's row under each ``versus`` strategy at the same
  budget; paired tests with Holm over all of the dataset's such comparisons;
* **figures**: one per strategy of the grid (PNG, PDF, SVG at two widths), the difference to
  the reference against the budget, one line per reranker with its 95 % CI, the ``versus``
  strategies of the same rerankers dashed; only the grid's own rows (``rows``, which
  :func:`benchmark.pipeline.gridfile.report_spec` fills in: other grids' rows of the dataset,
  in the tables, are not drawn), the legend below the axes.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from benchmark.core.config import canonical_json
from benchmark.reporting import latex, significance
from benchmark.reporting.latex import Style
from benchmark.reporting.rows import Row, group_rows, paired_tests
from benchmark.store import Store

REFERENCE = "sft@100%"
VERSUS = ("middle", "top-p")


def curve(rows: list[Row], reference: Row) -> pd.DataFrame:
    """One line per budgeted row but the reference: reranker, strategy, budget, mean, the
    difference to the reference with its 95 % CI, raw and Holm p, non-inferiority (module
    docstring)."""
    others = [r for r in rows if r is not reference and r.budget is not None]
    tables = {r.label: r.table() for r in [*others, reference]}
    tests = paired_tests(tables, [(r.label, reference.label) for r in others])
    lines = []
    for row, (_, test) in zip(others, tests.iterrows(), strict=True):
        lines.append(
            {
                "row": row.label,
                "reranker": row.config["reranker"],
                "strategy": row.config["strategy"],
                "method": row.method,
                "budget": row.budget,
                "seeds": len(row.seeds),
                "mean": test.mean_a,
                **{k: test[k] for k in ("diff", "ci_low", "ci_high", "p", "p_holm", "significant")},
                **{k: test[k] for k in ("p_queries_holm", "p_noninf_holm", "noninferior")},
            }
        )
    return pd.DataFrame(lines)


def saving(lines: pd.DataFrame) -> pd.DataFrame:
    """Per method, the smallest budget that reaches the reference (or none)."""
    out = []
    for method, group in lines.groupby("method", sort=True):
        fine = group[group.noninferior.astype(bool)].sort_values("budget")
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
                **{k: best[k] for k in ("mean", "diff", "ci_low", "ci_high", "p_noninf_holm")},
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
    tables = {r.label: r.table() for pair in pairs for r in pair}
    tests = paired_tests(tables, [(a.label, b.label) for a, b in pairs])
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
        return f"{value:+.4f}" if column in ("diff", "ci_low", "ci_high") else f"{value:.4f}"
    return str(value)


SAVING_COLUMNS = {
    "key": "dataset",
    "method": "method",
    "budgets": "budgets",
    "smallest_budget": "smallest budget reaching ref",
    "saving": "saving",
    "mean": "nDCG@10",
    "diff": "− ref",
    "ci_low": "CI low",
    "ci_high": "CI high",
    "p_noninf_holm": "p non-inf. (Holm)",
}
VERSUS_COLUMNS = {
    "key": "dataset",
    "budget": "budget",
    "a": "a",
    "b": "b",
    "mean_a": "nDCG@10 a",
    "mean_b": "nDCG@10 b",
    "diff": "a − b",
    "ci_low": "CI low",
    "ci_high": "CI high",
    "p": "p",
    "p_holm": "p (Holm)",
    "p_queries_holm": "p queries (Holm)",
}


def captions(spec: dict[str, Any]) -> tuple[str, str]:
    test = (
        f"{significance.TEST_NAME} on per-query nDCG@10 of every seed (query and seed variance, "
        "docs/protocol.md §7)"
    )
    ref = spec.get("reference", REFERENCE)
    return (
        f"Smallest budget whose nDCG@10 reaches {ref}: non-inferior within "
        f"{significance.MARGIN} ({test}, one-sided alpha {significance.ALPHA_NONINF}, Holm over "
        f"each dataset's rows against {ref}); − ref and its 95 % CI from the same test (per "
        f"comparison, not adjusted for multiplicity); saving = 1 − that budget.\n",
        f"{test}; each strategy against the same reranker under "
        f"{', '.join(spec.get('versus', VERSUS))} at the same budget; Holm over each dataset's "
        f"comparisons; alpha = {significance.ALPHA}; p queries: "
        f"{significance.QUERY_TEST_NAME}, Holm.\n",
    )


def files(
    store: Store, spec: dict[str, Any], keys: list[str], style: Style | None = None
) -> dict[Any, bytes | str]:
    """The view's files under ``reports/<name>/``: saving and versus tables (Markdown, CSV,
    LaTeX) and the curve (CSV) over the grid's datasets, and
    ``<dataset>/<strategy>-<width>.<format>`` budget curves."""
    folder = store.out / "reports" / str(spec["name"])
    savings, matches, curves = [], [], []
    out: dict[Any, bytes | str] = {}
    for key in keys:
        lines, saved, against = dataset_views(store, key, spec)
        if lines.empty:
            continue
        curves.append(lines.assign(key=key))
        savings.append(saved.assign(key=key))
        matches.append(against.assign(key=key))
        out |= {folder / key / name: data for name, data in figures(lines, spec).items()}
    saved_all = pd.concat(savings, ignore_index=True) if savings else pd.DataFrame()
    versus_all = pd.concat(matches, ignore_index=True) if matches else pd.DataFrame()
    saving_caption, versus_caption = captions(spec)
    out[folder / "saving.md"] = markdown(saved_all, SAVING_COLUMNS) + "\n" + saving_caption
    out[folder / "saving.csv"] = saved_all.to_csv(index=False)
    out[folder / "versus.md"] = markdown(versus_all, VERSUS_COLUMNS) + "\n" + versus_caption
    out[folder / "versus.csv"] = versus_all.to_csv(index=False)
    out[folder / "curve.csv"] = pd.concat(curves).to_csv(index=False) if curves else ""
    return out | tex_files(folder, saved_all, versus_all, spec, style or Style())


def tex_files(
    folder: Any, saved: pd.DataFrame, against: pd.DataFrame, spec: dict[str, Any], style: Style
) -> dict[Any, bytes | str]:
    """The saving (a float per dataset) and versus tables (a float per dataset) as LaTeX."""
    from benchmark.reporting.tex_views import pairs_tables, saving_tables

    saving_caption, versus_caption = captions(spec)
    ref = latex.escape(style.name(spec.get("reference", REFERENCE)))
    out: dict[Any, bytes | str] = {}
    if saved.empty:
        return out
    caption = f"Smallest budget reaching {ref} and the annotation saving"
    for suffix, text in saving_tables(saved, caption, [saving_caption], style).items():
        out[folder / f"saving{suffix}.tex"] = text
    for key, frame in against.groupby("key", sort=False):
        name = latex.escape(style.name(str(key)))
        caption = f"Strategies against SMAR's bands at the same budget on {name}"
        texts = pairs_tables(frame, caption, f"tab:versus-{key}", [versus_caption], style)
        out |= {folder / f"versus-{key}{suffix}.tex": text for suffix, text in texts.items()}
    return out


def figures(lines: pd.DataFrame, spec: dict[str, Any]) -> dict[str, bytes]:
    """One figure per strategy of the grid (its ``rows``, :func:`benchmark.pipeline.gridfile.
    report_spec`: rows other grids left in the dataset's folder are not drawn) but ``versus``,
    with the ``versus`` strategies of the same rerankers; by file name."""
    bands = list(spec.get("versus", VERSUS))
    if "rows" in spec:
        lines = lines[lines.row.isin(spec["rows"])]
    out: dict[str, bytes] = {}
    for strategy in sorted(set(lines.strategy) - set(bands)):
        rerankers = lines[lines.strategy == strategy].reranker
        shown = lines[lines.strategy.isin([strategy, *bands]) & lines.reranker.isin(rerankers)]
        out |= figure(shown, strategy)
    return out


def figure(lines: pd.DataFrame, strategy: str) -> dict[str, bytes]:
    """Every size and format (:func:`benchmark.reporting.figures.render`) of :func:`drawing`."""
    from benchmark.reporting.figures import render

    return render(strategy, drawing(lines, strategy))


def drawing(lines: pd.DataFrame, strategy: str) -> Any:
    """nDCG@10 − reference against the budget, a series per (reranker, strategy): a colour per
    reranker, a marker and a line per strategy (``strategy`` solid, with its 95 % CI, the
    headline test's); the legend below the axes (:func:`benchmark.reporting.plots.legend`)."""
    from benchmark.reporting import plots
    from benchmark.reporting.figures import MARKERS, styles

    colours = styles(sorted(set(lines.reranker)))
    order = [strategy, *sorted(set(lines.strategy) - {strategy})]
    series = sorted(lines.groupby(["reranker", "strategy"]), key=lambda s: order.index(s[0][1]))
    series.sort(key=lambda s: str(s[0][0]))  # a reranker's series together (a legend column)

    def draw(plt: Any, width: float) -> Any:
        fig, ax = plots.figure(plt, width, [f"{r} [{s}]" for (r, s), _ in series], 2.4)
        for (reranker, other), g in series:
            g, colour, i = g.sort_values("budget"), colours[reranker]["color"], order.index(other)
            line = {"color": colour, "linestyle": ("-", ":", "--", "-.")[i % 4]}
            line["marker"] = MARKERS[i % len(MARKERS)]
            ax.plot(g.budget * 100, g["diff"], label=f"{reranker} [{other}]", **line)
            if other == strategy:
                ax.fill_between(g.budget * 100, g.ci_low, g.ci_high, alpha=0.2, color=colour)
        ax.axhline(0, color="0.5", linewidth=0.8)
        plots.budget_axis(ax, lines.budget.to_numpy())
        ax.set_ylabel("Δ nDCG@10 vs reference\n(exp. gain; 95 % CI)")
        plots.legend(fig, ax, width)
        return fig

    return draw
