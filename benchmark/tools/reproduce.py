"""One command that regenerates every number docs/results.md and README publish.

``python -m benchmark.tools.reproduce [--out results] [--no-runs] [--check]``:

1. ``python -m benchmark run --grid <name> --out <out> --quiet`` for each grid of :data:`GRIDS`
   (the runs behind docs/results.md; finished cells are reused, so on the committed results
   nothing is computed) — each rewrites its datasets' reports and the grid's own view;
2. every dataset's report (``report``) of the results folder, those no grid names included
   (the LETOR runs of docs/datasets.md), LaTeX at a two-column page's column width, and the
   grids' own views (``report --grid``: the premise map, the strategies);
3. ``<out>/claims.md`` and ``<out>/claims.tex``
   (``python -m benchmark.tools.results_tables --latex``);
4. README's verdict block (``python -m benchmark.tools.verdict``) and docs/results.md's
   generated blocks, each between ``<!-- generated:NAME -->`` and ``<!-- /generated:NAME -->``
   (:data:`BLOCKS`).

``--no-runs`` skips step 1 (the views from the cells as they are); ``--check`` writes nothing
and exits 1 naming the blocks that differ from what the command would write
(tests/tools/test_reproduce.py does the same). Adding a grid is one line of :data:`GRIDS`.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from benchmark import configure_environment
from benchmark.tools import regime, results_tables, strategy_blocks, verdict

ROOT = Path(__file__).resolve().parents[2]
GRIDS = (
    "default",  # = python -m benchmark run --budget 10%
    "smar-main",
    "smar-sweep",
    "smar-ablations",
    "smar-distill-form",
    "smar-strength",
    "premise-screen",
    "premise-map",
    "active",
    "premise-regime",
)
#: The per-dataset reports whose figures git keeps in every format and width (.gitignore)
FULL_REPORTS = ("synthetic-serp",)
DOCS = ROOT / "docs" / "results.md"
README = ROOT / "README.md"
Found = dict[str, tuple[str, pd.DataFrame]]


EXCERPT = [
    "sft@100%", "smar@100%", "sft-g@100%", "allrank@100%", "smar-z@10%", "smar@10%",
    "lambdamart@100%", "smar@30%", "smar-no-distill@10%", "smar-g@10%", "smar-released@20%",
    "sft@10%",
]  # fmt: skip


def main_table(out: Path, claims: Found) -> str:
    """The rows :data:`EXCERPT` of the default data's leaderboard, with its tests."""
    from benchmark.reporting.text import p_text

    board = pd.read_csv(out / "leaderboards" / "synthetic-serp.csv")
    rows = board.set_index("row").loc[[r for r in EXCERPT if r in set(board.row)]]
    head = ["reranker@budget", "nDCG@10", "seeds", "− sft@100% [95 % CI]", "p (Holm)"]
    head += ["p queries (Holm)"]
    lines = ["| " + " | ".join(head) + " |", "|---" * len(head) + "|"]
    for label, r in rows.iterrows():
        diff = (
            "—" if pd.isna(r["diff"]) else f"{r['diff']:+.4f} [{r.ci_low:+.4f}, {r.ci_high:+.4f}]"
        )
        mark = r.significance if isinstance(r.significance, str) else ""
        mean = f"{r['ndcg_burges@10_mean']:.4f} ± {r['ndcg_burges@10_std']:.4f} {mark}".strip()
        ref = " (ref)" if r.reference else ""
        lines.append(
            f"| {label}{ref} | {mean} | {r.seeds} | {diff} | {p_text(r.p_holm)} "
            f"| {p_text(r.p_queries_holm)} |"
        )
    return "\n".join(lines)


def claims_table(out: Path, claims: Found) -> str:
    from benchmark.reporting.compare import markdown

    _, frame = next(iter(claims.values()))
    return markdown(frame).strip()


def premise_map(out: Path, claims: Found) -> str:
    return regime.summary(out, "premise-map")


def sweep(out: Path, claims: Found) -> str:
    """The budget sweep's differences to sft@100 % (the claim tables' fourth), a budget per
    line, with the headline test's marks and p (Holm)."""
    from benchmark.reporting.settings import verdict as marks
    from benchmark.reporting.text import p_text

    title = next(t for t in claims if t.startswith("budget sweep"))
    frame = claims[title][1]
    split = frame.a.str.extract(r"^(?P<method>[^@]+)@(?P<budget>\d+)%(?P<strategy>.*)$")
    frame = pd.concat([frame, split], axis=1)
    frame["column"] = frame.method + frame.strategy
    frame["cell"] = [
        f"{r['diff']:+.4f} {marks(r)} (p {p_text(r.p_holm)})" for _, r in frame.iterrows()
    ]
    grid = frame.pivot(index="budget", columns="column", values="cell")
    grid = grid.loc[sorted(grid.index, key=int), list(dict.fromkeys(frame.column))]
    head = "| budget | " + " | ".join(f"{c} − sft@100%" for c in grid.columns) + " |"
    lines = [head, "|---" * (len(grid.columns) + 1) + "|"]
    lines += [f"| {b} % | " + " | ".join(row) + " |" for b, row in grid.iterrows()]
    return "\n".join(lines)


#: docs/results.md's generated blocks: name -> the text between its markers
BLOCKS: dict[str, Callable[[Path, Found], str]] = {
    "main-table": main_table,
    "claims": claims_table,
    "premise-map": premise_map,
    "sweep": sweep,
    "strategies-curve": strategy_blocks.curve,
    "strategies-reached": strategy_blocks.reached,
    "strategies-versus": strategy_blocks.versus,
    "regime-hypotheses": regime.hypotheses,
    "regime-gaps": regime.gaps,
    "bandsel": regime.bandsel,
}


def marked(name: str) -> re.Pattern[str]:
    return re.compile(rf"(<!-- generated:{name} -->\n)(.*?)(\n<!-- /generated:{name} -->)", re.S)


def fill(text: str, blocks: dict[str, str]) -> str:
    """``text`` with each block's content replaced; a block without its markers is an error."""
    for name, content in blocks.items():
        pattern = marked(name)
        if not pattern.search(text):  # the content between the markers, replaced below
            raise ValueError(f"docs/results.md has no generated block {name!r}")
        found = pattern.search(text)
        assert found is not None
        text = text[: found.start(2)] + content + text[found.end(2) :]
    return text


def generated(out: Path) -> dict[Path, str]:
    """The files this command writes from ``out`` (after the runs), by path: their text."""
    configure_environment()
    claims = results_tables.frames(out)
    blocks = {name: make(out, claims) for name, make in BLOCKS.items()}
    readme = README.read_text()
    start, end = readme.index(verdict.START), readme.index(verdict.END) + len(verdict.END)
    return {
        out / "claims.md": results_tables.markdown_text(claims),
        out / "claims.tex": results_tables.latex_text(claims),
        DOCS: fill(DOCS.read_text(), blocks),
        README: readme[:start] + verdict.block(out) + readme[end:],
    }


def run_grids(out: Path) -> None:
    for name in GRIDS:
        command = [sys.executable, "-m", "benchmark", "run", "--grid", name]
        print("$", " ".join(command[1:]), flush=True)
        subprocess.run([*command, "--out", str(out), "--quiet"], check=True, cwd=ROOT)


def report_all(out: Path) -> None:
    from benchmark.store import Store

    store = Store(out)
    for key in store.keys():  # noqa: SIM118 (a Store, not a dict)
        write_report(store, key)
        print(f"report {key}", flush=True)


def write_report(store: Any, key: str) -> list[Path]:
    """``report`` of ``key`` as git keeps it: every figure format and width for
    :data:`FULL_REPORTS`, the full-width PNGs only for the others (.gitignore), so a committed
    index.html links no file a fresh clone lacks. Returns the written paths."""
    from benchmark.reporting import report

    if key in FULL_REPORTS:
        return report.write(store, key)[2]
    return report.write(store, key, formats=("png",), widths=("full",), keep=False)[2]


def views(out: Path) -> None:
    """The grids' own views (their ``[report]`` tables), as ``report --grid`` writes them."""
    import os

    from benchmark.core.catalog import dataset_key
    from benchmark.pipeline.gridfile import load_grid, report_spec
    from benchmark.reporting import settings, strategies
    from benchmark.store import Store, publish

    data = Path(os.environ.get("BENCHMARK_DATA_DIR", ROOT.parent / "shared" / "data"))
    for name in GRIDS:
        spec = report_spec(name)
        if spec is not None:
            cells = load_grid(name, data)
            keys = list(dict.fromkeys(dataset_key(c.dataset, c.dataset_params) for c in cells))
            view = {"settings": settings.files, "strategies": strategies.files}[spec["kind"]]
            publish(view(Store(out), spec, keys))
            print(f"view {spec['name']}", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmark.tools.reproduce")
    parser.add_argument("--out", type=Path, default=ROOT / "results")
    parser.add_argument("--no-runs", action="store_true", help="skip the grids' runs")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if stale")
    args = parser.parse_args(argv)
    if args.check:
        stale = [p for p, t in generated(args.out).items() if p.read_text() != t]
        print("\n".join(f"stale: {p}" for p in stale) or "every generated file is current")
        return 1 if stale else 0
    if not args.no_runs:
        run_grids(args.out)
    configure_environment()
    report_all(args.out)
    views(args.out)
    for path, text in generated(args.out).items():
        path.write_text(text)
        print(f"written: {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
