"""LaTeX of the views across rows and datasets (:mod:`benchmark.reporting.latex` sets them):

* :func:`pairs_tables`: a table of paired comparisons (``a − b`` per line, as
  :func:`benchmark.reporting.rows.paired_tests` gives them): the claim tables of
  ``python -m benchmark.tools.results_tables``, the strategies view's ``versus`` table;
* :func:`wide_table`: the premise map's summary (a setting per line, a pair per column);
* :func:`saving_tables`: the strategies view's annotation saving, a table per dataset.

Each fits the style's width as the leaderboards do (a ``table`` in a two-column page's column,
else a ``table*``), long ones split into floats of :data:`benchmark.reporting.tables.MAX_LINES`
lines; ▲/▼ a significant difference (Holm), ≥ a non-inferior one (reaches b).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import pandas as pd

from benchmark.reporting import latex
from benchmark.reporting.latex import Column, Style, Table
from benchmark.reporting.tables import MAX_LINES, chunks

Cells = list[tuple[str, list[str]]]  # (header, LaTeX cells) per column but the first


def signed(x: float, digits: int = 3) -> str:
    """``+.025`` / ``−.025`` (LaTeX), ``---`` for NaN."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "---"
    return ("$+$" if x >= 0 else "$-$") + latex.decimal(abs(x), digits)


def mark(line: pd.Series) -> str:
    sig = bool(line.get("significant", False))
    arrow = r"$^{\blacktriangle}$" if line["diff"] > 0 else r"$^{\blacktriangledown}$"
    return (arrow if sig else "") + (r"$^{\geq}$" if bool(line.get("noninferior", False)) else "")


def estimate(cell: str) -> float:
    """The printed width of a LaTeX cell, roughly: its text without the commands."""
    plain = cell.replace(r"^{\blacktriangledown}", "v").replace(r"^{\blacktriangle}", "v")
    plain = plain.replace(r"^{\geq}", "v").replace(r"\pm", "+").replace("$-$", "+")
    plain = plain.replace("$+$", "+")  # a math sign is as wide as "+" (7.78 pt)
    for drop in ("$", "{", "}", r"\mathbf", "\\"):
        plain = plain.replace(drop, "")
    return latex.text_width(plain)


def assemble(
    names: list[str], head: str, columns: Cells, caption: str, label: str, notes: list[str],
    style: Style, rules: Callable[[range], list[int]] | None = None,
) -> dict[str, str]:  # fmt: skip
    """Floats of ``names`` (the first column, plain text) and ``columns``, split into parts of
    at most :data:`MAX_LINES` lines; by label suffix (``""``, ``"-2"``...)."""
    widest = max(map(latex.text_width, [*names, head]))
    specs = [Column(head, widest, "l", latex.least(names, head))]
    specs += [Column(h, max([estimate(h), *map(estimate, cells)]), "r") for h, cells in columns]
    rows = [[latex.breakable(n), *(c[i] for _, c in columns)] for i, n in enumerate(names)]
    table = Table(specs, rows, "", "", [], notes, style.width)
    parts = chunks([latex.lines(n, table.first_width()) for n in names], MAX_LINES)
    out = {}
    for i, part in enumerate(parts):
        where = f" (part {i + 1} of {len(parts)})" if len(parts) > 1 else ""
        table.rows = [rows[j] for j in part]
        table.rules = rules(part) if rules else []
        table.caption = caption + where + "."
        table.label = label + (f"-{i + 1}" if i else "")
        out[f"-{i + 1}" if i else ""] = latex.render(table)
    return out


def pairs_tables(
    frame: pd.DataFrame, caption: str, label: str, notes: list[str], style: Style
) -> dict[str, str]:
    """Paired comparisons: ``a − b``, the difference (marked), its 95 % CI, p (Holm); both
    means at text width; the seeds (``n``) when they differ between lines."""
    names = [f"{style.name(a)} − {style.name(b)}" for a, b in zip(frame.a, frame.b, strict=True)]
    lines = [line for _, line in frame.iterrows()]
    columns: Cells = []
    if style.width == "text":
        columns += [("$a$", [latex.decimal(x, 3) for x in frame.mean_a])]
        columns += [("$b$", [latex.decimal(x, 3) for x in frame.mean_b])]
    columns += [(r"$\Delta$", [signed(r["diff"]) + mark(r) for r in lines])]
    ci = [f"[{signed(r.ci_low)}, {signed(r.ci_high)}]" for r in lines]
    columns += [("95~\\% CI", ci), ("$p$", [latex.p_value(p)[0] for p in frame.p_holm])]
    seeds = [f"{a}/{b}" for a, b in zip(frame.seeds_a, frame.seeds_b, strict=True)]
    if len(set(seeds)) > 1:
        columns += [("$n$", seeds)]
    return assemble(names, "comparison", columns, caption, label, notes, style)


def wide_table(
    table: pd.DataFrame, params: list[str], caption: str, label: str, notes: list[str],
    style: Style,
) -> dict[str, str]:  # fmt: skip
    """A setting per line (its non-default parameters), a column per pair ``a − b``: the
    difference and its marks, after the first pair's ``b`` mean."""

    def setting(r: pd.Series) -> str:
        return ", ".join(f"{c}={r[c]:g}" for c in params if pd.notna(r[c])) or "default"

    lines = table.assign(setting=table.apply(setting, axis=1))
    settings = list(dict.fromkeys(lines.setting))
    pairs = list(dict.fromkeys(zip(lines.a, lines.b, strict=True)))
    first = lines[(lines.a == pairs[0][0]) & (lines.b == pairs[0][1])].set_index("setting")
    columns: Cells = [(latex.escape(style.name(pairs[0][1])), [
        latex.decimal(first.mean_b[s], 3) if s in first.index else "" for s in settings
    ])]  # fmt: skip
    for a, b in pairs:
        at = lines[(lines.a == a) & (lines.b == b)].set_index("setting")
        head = rf"\begin{{tabular}}[b]{{@{{}}r@{{}}}}{latex.escape(style.name(a))}\\"
        head += rf"$-${latex.escape(style.name(b))}\end{{tabular}}"
        cells = [signed(at.loc[s, "diff"]) + mark(at.loc[s]) if s in at.index else ""
                 for s in settings]  # fmt: skip
        columns.append((head, cells))
    return assemble(settings, "setting", columns, caption, label, notes, style)


def saving_tables(
    saving: pd.DataFrame, caption: str, notes: list[str], style: Style
) -> dict[str, str]:
    """The strategies view's saving, a float per dataset: per method the smallest budget that
    reaches the reference, the saving, its difference to the reference and p (non-inf.)."""
    out: dict[str, str] = {}
    for key, frame in saving.groupby("key", sort=False):
        budget = [r"---" if pd.isna(b) else latex.escape(f"{b:.0%}") for b in frame.smallest_budget]
        columns: Cells = [
            ("smallest", budget),
            ("saving", ["---" if pd.isna(s) else latex.escape(f"{s:.0%}") for s in frame.saving]),
            (r"$\Delta$ ref", [signed(d) for d in frame["diff"]]),
            ("$p$", [latex.p_value(p)[0] for p in frame.p_noninf_holm]),
        ]
        names = [style.name(m) for m in frame.method]
        name = latex.escape(style.name(str(key)))
        texts = assemble(names, "method", columns, f"{caption} on {name}",
                         f"tab:saving-{key}", notes, style)  # fmt: skip
        out |= {f"-{key}{suffix}": text for suffix, text in texts.items()}
    return out
