"""Views across dataset settings: the same comparison (e.g. ``smar@10%`` against ``sft@100%``)
in each of several datasets, such as the knob settings of the premise map
(``grids/premise-map.toml``). Each comparison is paired on its own dataset's test queries; the
statistics are :func:`benchmark.reporting.rows.paired_tests` (the two-way query x seed test,
its CI and the non-inferiority test), with Holm's correction over every comparison of the view
(all settings and pairs together).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from benchmark.reporting import latex, significance
from benchmark.reporting.latex import Style
from benchmark.reporting.rows import group_rows, paired_tests
from benchmark.reporting.tex_views import wide_table
from benchmark.reporting.text import p_text
from benchmark.store import Store


def setting_params(store: Store, key: str) -> dict[str, Any]:
    """The dataset parameters of a key (from its dataset record, else its cells)."""
    record = store.pack(key).dataset()
    if record is not None:
        return dict(record["params"])
    cells = store.cells(key)
    return dict(cells[0].config["dataset_params"]) if cells else {}


def settings_table(store: Store, keys: list[str], pairs: list[tuple[str, str]]) -> pd.DataFrame:
    """One line per (dataset key, pair) whose rows both exist: the key's parameters, the means
    of ``a`` and ``b`` over their shared test queries (seed-averaged), ``a - b``, the number of
    seeds of each, the raw p and the Holm-adjusted p over every line."""
    tables: dict[str, pd.DataFrame] = {}
    named, lines = [], []
    for key in keys:
        rows = {r.label: r for r in group_rows(store.cells(key))}
        for a, b in pairs:
            if a not in rows or b not in rows:
                continue
            for label in (a, b):
                tables[f"{key}|{label}"] = rows[label].table()
            named.append((f"{key}|{a}", f"{key}|{b}"))
            lines.append({"key": key, **setting_params(store, key), "a": a, "b": b})
    if not lines:
        return pd.DataFrame()
    tests = paired_tests(tables, named)
    table = pd.DataFrame(lines)
    for column in params_columns(table):  # a list parameter as the CLI writes it: 0.8,0.2
        table[column] = table[column].map(
            lambda v: ",".join(f"{x:g}" for x in v) if isinstance(v, list | tuple) else v
        )
    for column in STAT_COLUMNS:
        table[column] = tests[column].to_numpy()
    return table


STAT_COLUMNS = (
    "mean_a", "mean_b", "diff", "ci_low", "ci_high", "queries", "seeds_a", "seeds_b", "p",
    "p_holm", "significant", "p_queries_holm", "p_noninf_holm", "noninferior",
)  # fmt: skip


def verdict(row: pd.Series) -> str:
    """``▲``/``▼``: significantly above/below after Holm (headline test); ``≈``: not
    significantly different; then ``(reaches)`` when non-inferior within the margin."""
    mark = "≈" if not row["significant"] else "▲" if row["diff"] > 0 else "▼"
    return mark + (" ≥" if row.get("noninferior", False) else "")


def grid_of(table: pd.DataFrame, x: str, y: str, a: str, b: str) -> pd.DataFrame:
    """The lines of one pair on the (x, y) plane: the settings where every other knob that
    varies is at its default (absent), one line per (x, y) value pair."""
    lines = table[(table.a == a) & (table.b == b)]
    same = set(shared(lines))
    others = [c for c in params_columns(table) if c not in (x, y) and c not in same]
    if others:
        lines = lines[lines[others].isna().all(axis=1)]
    return lines.assign(**{x: lines[x].fillna(np.nan), y: lines[y].fillna(np.nan)})


def shared(table: pd.DataFrame) -> list[str]:
    """The parameter columns whose value (absence included) is the same on every line."""
    return [c for c in params_columns(table) if table[c].astype(str).nunique() <= 1]


def params_columns(table: pd.DataFrame) -> list[str]:
    fixed = {"key", "a", "b", *STAT_COLUMNS}
    return [c for c in table.columns if c not in fixed]


def markdown(table: pd.DataFrame) -> str:
    """The table as Markdown: parameters, both means, the difference with its verdict, p."""
    params = params_columns(table)
    head = [*params, "a", "b", "nDCG@10 a", "nDCG@10 b", "a − b", "95 % CI", "p (Holm)"]
    head += ["p queries (Holm)", "seeds"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for _, r in table.iterrows():
        values = [
            "" if pd.isna(r[c]) else f"{r[c]:g}" if isinstance(r[c], float) else str(r[c])
            for c in params
        ]
        values += [r.a, r.b, f"{r.mean_a:.4f}", f"{r.mean_b:.4f}", f"{r['diff']:+.4f} {verdict(r)}"]
        values += [f"[{r.ci_low:+.4f}, {r.ci_high:+.4f}]", p_text(r.p_holm)]
        values += [p_text(r.p_queries_holm), f"{r.seeds_a}/{r.seeds_b}"]
        lines.append("| " + " | ".join(values) + " |")
    return "\n".join(lines) + "\n"


def wide_markdown(table: pd.DataFrame) -> str:
    """One line per setting (its non-default parameters), one column per pair: ``a - b`` and
    its verdict, after the first pair's ``b`` (the reference) mean."""
    params = params_columns(table)

    def setting(r: pd.Series) -> str:
        return ", ".join(f"{c}={r[c]:g}" for c in params if pd.notna(r[c])) or "default"

    lines = table.assign(
        setting=table.apply(setting, axis=1),
        pair=table.a + " − " + table.b,
        cell=[f"{r['diff']:+.4f} {verdict(r)}" for _, r in table.iterrows()],
    )
    grid = lines.pivot_table(
        index="setting", columns="pair", values="cell", aggfunc="first", sort=False
    )
    grid = grid[list(dict.fromkeys(lines.pair))]
    first = lines[lines.pair == lines.pair.iloc[0]].set_index("setting")
    head = ["setting", f"{first.b.iloc[0]}", *grid.columns]
    rows = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for name, values in grid.iterrows():
        ref = f"{first.mean_b[name]:.4f}" if name in first.index else ""
        cells = ["" if pd.isna(v) else str(v) for v in values]  # a pair absent there: blank
        rows.append("| " + " | ".join([str(name), ref, *cells]) + " |")
    return "\n".join(rows) + "\n"


def heatmap(table: pd.DataFrame, x: str, y: str, pair: tuple[str, str]) -> dict[str, bytes]:
    """``a - b`` over the (x, y) plane, coloured around 0, each cell labelled with the
    difference and its Holm verdict (▲ ▼ ≈); every size and format of
    :func:`benchmark.reporting.figures.render`."""
    from benchmark.reporting.figures import render

    lines = grid_of(table, x, y, *pair)
    diff = lines.pivot_table(index=y, columns=x, values="diff", aggfunc="first")
    marks = lines.assign(mark=lines.apply(verdict, axis=1))
    mark = marks.pivot_table(index=y, columns=x, values="mark", aggfunc="first")
    bound = float(np.nanmax(np.abs(diff.to_numpy()))) or 1.0

    def draw(plt: Any, width: float) -> Any:
        fig, ax = plt.subplots(figsize=(width, min(0.8 * width, 3.0)), layout="constrained")
        image = ax.imshow(
            diff.to_numpy(), cmap="RdBu", vmin=-bound, vmax=bound, origin="lower", aspect="auto"
        )
        for (i, j), value in np.ndenumerate(diff.to_numpy()):
            colour = "white" if abs(value) > 0.6 * bound else "black"
            ax.text(j, i, f"{value:+.3f} {mark.iat[i, j]}", ha="center", va="center", color=colour)
        ax.set_xticks(range(len(diff.columns)), [f"{v:g}" for v in diff.columns])
        ax.set_yticks(range(len(diff.index)), [f"{v:g}" for v in diff.index])
        ax.set_xlabel(x)
        ax.set_ylabel(y)
        fig.colorbar(image, ax=ax, label=f"Δ nDCG@10 (exp. gain)\n{pair[0]}\n− {pair[1]}")
        return fig

    return render("heatmap", draw)


def without_fixed(table: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """The table without the parameters every setting shares, and a caption line naming them
    (empty when there are none): said once, not on every line."""
    several = len(table) > 1
    fixed = {c: table[c].iloc[0] for c in shared(table) if several and table[c].notna().all()}
    if not fixed:
        return table, ""
    line = "Every setting: " + ", ".join(f"{c}={v}" for c, v in fixed.items()) + ".\n"
    return table.drop(columns=list(fixed)), line


def files(
    store: Store, spec: dict[str, Any], keys: list[str], style: Style | None = None
) -> dict[Any, bytes | str]:
    """The files of a grid's settings view (``[report]`` of a grid file): the table (Markdown,
    CSV), its summary (Markdown, LaTeX) and, with ``axes``, the heatmap of the first pair
    (``heatmap-*``) or of each pair ``heatmaps`` lists (``heatmap-*``, ``heatmap-2-*``, ...),
    under ``reports/<name>/``."""
    pairs = [tuple(p) for p in spec.get("pairs", [])]
    table = settings_table(store, keys, pairs)
    folder = store.out / "reports" / str(spec["name"])
    caption = (
        "nDCG@10 (exp. gain) of a and b on each setting's test queries, seed-averaged; "
        f"a − b with its 95 % CI and p from the {significance.TEST_NAME} (query and seed "
        "variance, docs/protocol.md §7), Holm over all lines, alpha "
        f"{significance.ALPHA}; ▲/▼ significant, ≈ not significant; ≥: a reaches b "
        f"(non-inferior, margin {significance.MARGIN}, one-sided alpha "
        f"{significance.ALPHA_NONINF}, Holm). p queries: {significance.QUERY_TEST_NAME}, "
        "Holm.\n"
    )
    shown, fixed = without_fixed(table)
    caption += fixed
    out: dict[Any, bytes | str] = {
        folder / "table.md": markdown(shown) + "\n" + caption,
        folder / "table.csv": table.to_csv(index=False),
    }
    if not table.empty:
        out[folder / "summary.md"] = wide_markdown(shown) + "\n" + caption
        name = latex.escape(str(spec["name"]))
        for suffix, text in wide_table(
            shown, params_columns(shown), f"{name}: nDCG@10 differences per setting",
            f"tab:{spec['name']}", [caption.strip()], style or Style(),
        ).items():  # fmt: skip
            out[folder / f"summary{suffix}.tex"] = text
    if spec.get("axes") and not table.empty:
        x, y = spec["axes"]
        drawn = [tuple(p) for p in spec.get("heatmaps", pairs[:1])]
        for k, pair in enumerate(drawn):
            for name, data in heatmap(table, x, y, pair).items():
                out[folder / (name.replace("heatmap", f"heatmap-{k + 1}") if k else name)] = data
    return out
