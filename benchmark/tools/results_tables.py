"""The comparison tables of docs/results.md, from the committed results (``results/cells``).

``python -m benchmark.tools.results_tables [--out results] [--latex FILE]`` prints every table
of pairwise comparisons that docs/results.md quotes (``results/claims.md`` is its output): each
is :func:`benchmark.reporting.compare.compare` (the headline two-way query x seed test, Holm
over the table's rows), so every number there is re-computed from the files in git by this
command. ``--latex`` also writes them as LaTeX floats (``results/claims.tex``; a two-column
page's column width, :func:`benchmark.reporting.tex_views.pairs_tables`).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from benchmark import configure_environment

MAIN = "synthetic-serp"
TABLES: dict[str, tuple[str, list[tuple[str, str]]]] = {
    "the paper's claim and SMAR's parts (default data, 5 seeds)": (
        MAIN,
        [
            ("smar@10%", "sft@100%"),
            ("smar@30%", "sft@100%"),
            ("smar@10%", "sft@10%"),
            ("smar@10%", "smar-no-distill@10%"),
            ("smar@10%", "smar-distill-only@10%"),
            ("smar-g@10%", "sft-g@100%"),
            ("smar-g@10%", "sft-g@10%"),
            ("smar-z@10%", "smar@10%"),
            ("smar-z@10%", "sft@100%"),
        ],
    ),
    "the released configuration (squash, beta 1, middle band)": (
        MAIN,
        [
            ("smar-released@20%", "sft@100%"),
            ("smar-released@10%", "smar@10%"),
            ("smar-released@10%", "sft-squash@10%[middle]"),
        ],
    ),
    "band position at 10 % (smar)": (
        MAIN,
        [
            ("smar@10%[top-p]", "smar@10%"),
            ("smar@10%[bottom]", "smar@10%"),
            ("smar@10%[random]", "smar@10%"),
        ],
    ),
    "budget sweep against sft@100% (smar: middle band, smar[top-p], sft: pages)": (
        MAIN,
        [
            (f"{m}@{b}%{s}", "sft@100%")
            for m, s in (("smar", ""), ("smar", "[top-p]"), ("sft", ""))
            for b in (5, 10, 20, 30, 50)
        ],
    ),
    "band chosen on page_valid (smar-bandsel) against sft@100% and the fixed bands": (
        MAIN,
        [(f"smar-bandsel@{b}%", "sft@100%") for b in (5, 10, 20, 30, 50)]
        + [(f"smar-bandsel@{b}%", f"smar@{b}%{s}") for b in (10, 30) for s in ("", "[top-p]")],
    ),
}


def frames(out: Path) -> dict[str, tuple[str, pd.DataFrame]]:
    """Every claim table by title: its dataset key and its comparisons (the pairs present)."""
    configure_environment()
    from benchmark.reporting.compare import compare
    from benchmark.reporting.rows import group_rows
    from benchmark.store import Store

    found = {}
    for title, (key, pairs) in TABLES.items():
        known = {r.label for r in group_rows(Store(out).cells(key))}
        present = [p for p in pairs if p[0] in known and p[1] in known]
        found[title] = (key, compare(out, key, present))
    return found


def markdown_text(found: dict[str, tuple[str, pd.DataFrame]]) -> str:
    """What the command prints (``results/claims.md``)."""
    from benchmark.reporting.compare import markdown

    return "".join(
        f"### {title} ({key})\n\n{markdown(frame)}\n" for title, (key, frame) in found.items()
    )


def latex_text(found: dict[str, tuple[str, pd.DataFrame]]) -> str:
    """Every claim table as a LaTeX float (``results/claims.tex``)."""
    from benchmark.reporting import latex, significance
    from benchmark.reporting.latex import Style
    from benchmark.reporting.tex_views import pairs_tables

    texts: list[str] = []
    for i, (title, (key, frame)) in enumerate(found.items(), start=1):
        note = significance.caption(len(frame), "the row named in column b")
        caption = f"{latex.escape(title[0].upper() + title[1:])}, {latex.escape(key)}"
        texts += pairs_tables(frame, caption, f"tab:claims-{i}", [note], Style()).values()
    return "\n".join(texts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmark.tools.results_tables")
    parser.add_argument("--out", type=Path, default=Path("results"))
    parser.add_argument("--latex", type=Path, help="also write the tables as LaTeX here")
    args = parser.parse_args(argv)
    found = frames(args.out)
    print(markdown_text(found), end="")
    if args.latex:
        args.latex.write_text(latex_text(found))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
