"""README's speed and memory targets are the output of `python -m benchmark.tools.perf_summary`
on the committed perf run: no figure in them is copied by hand."""

from __future__ import annotations

from pathlib import Path

from benchmark.tools import perf_summary

ROOT = Path(__file__).resolve().parents[2]


def test_readme_perf_block_is_generated() -> None:
    readme = (ROOT / "README.md").read_text()
    start = readme.index(perf_summary.START)
    end = readme.index(perf_summary.END) + len(perf_summary.END)
    assert readme[start:end] == perf_summary.block(), (
        "README's perf block is stale: paste `python -m benchmark.tools.perf_summary` over it"
    )


def test_table_marks_met_missed_and_unmeasured() -> None:
    figures = {"fixed_cost_s": 2.5, "small_jobs1_s": 11.0, "small_identical": 1.0}
    figures |= {"lambdamart_cell_per_10x": 14.3, "lambdamart_harness_per_10x": 11.9}
    rows = perf_summary.table(figures).splitlines()
    fixed = next(r for r in rows if r.startswith("| fixed cost of a process"))
    small = next(r for r in rows if r.startswith("| 12-cell run, empty folder"))
    memory = next(r for r in rows if "peak RSS" in r)
    assert fixed.endswith("| 2.50 s | ≤ 3 s | yes |")
    assert small.endswith("| 11.00 s | ≤ 10 s | **no** |")
    assert "not measured" in memory and "≤ 10 GB" in memory
    cell, harness = (next(r for r in rows if w in r) for w in ("LambdaMART cell", "harness"))
    assert cell.endswith("| 14.3x | — | — |") and harness.endswith("| 11.9x | ≤ 12x | yes |")
    assert rows[-1].endswith("| identical | identical | yes |")
