"""The comparison tables of docs/results.md, from the committed results (``results/cells``).

``python -m benchmark.tools.results_tables [--out results]`` prints every table of pairwise
comparisons that docs/results.md quotes: each is :func:`benchmark.reporting.compare.compare`
(paired two-sided t-test on seed-averaged per-query nDCG@10, Holm over the table's rows), so
every number there is re-computed from the files in git by this command.
"""

from __future__ import annotations

import argparse
from pathlib import Path

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
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmark.tools.results_tables")
    parser.add_argument("--out", type=Path, default=Path("results"))
    args = parser.parse_args(argv)
    configure_environment()
    from benchmark.reporting.compare import compare, markdown
    from benchmark.reporting.rows import group_rows
    from benchmark.store import Store

    for title, (key, pairs) in TABLES.items():
        known = {r.label for r in group_rows(Store(args.out).cells(key))}
        present = [p for p in pairs if p[0] in known and p[1] in known]
        print(f"### {title} ({key})\n")
        print(markdown(compare(args.out, key, present)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
