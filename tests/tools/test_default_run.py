"""README's excerpt of what the default run prints is the output of
`python -m benchmark.tools.default_run` (which runs it on a copy of the committed pack): nothing
in it is copied by hand."""

from __future__ import annotations

from pathlib import Path

from benchmark.tools import default_run

ROOT = Path(__file__).resolve().parents[2]


def test_readme_default_run_is_generated() -> None:
    readme = (ROOT / "README.md").read_text()
    start = readme.index(default_run.START)
    end = readme.index(default_run.END) + len(default_run.END)
    assert readme[start:end] == default_run.block(ROOT / "results"), (
        "README's default-run block is stale: paste `python -m benchmark.tools.default_run` over it"
    )


def test_excerpt_cuts_columns_and_rows() -> None:
    header = "reranker@budget  nDCG@10  MRR@1  Δ ref [95 % CI]  p (Holm)  seeds  nDCG@1"
    row = "a@10%            0.5      0.6    -0.1 [-0.2, 0.0]  0.04      3      0.4"
    text = "\n".join(["1 cells done", "", "Leaderboard: k", header, *[row] * 10, "Mean ± std"])
    lines = default_run.excerpt(text).splitlines()
    assert lines[:3] == ["1 cells done", "", "Leaderboard: k"]
    assert lines[3].split() == ["reranker@budget", "nDCG@10", "Δ", "ref", "[95", "%", "CI]",
                                "p", "(Holm)", "seeds"]  # fmt: skip
    assert lines[4].split() == ["a@10%", "0.5", "-0.1", "[-0.2,", "0.0]", "0.04", "3"]
    assert len(lines) == 4 + default_run.ROWS + 1 and lines[-1].startswith("… 2 more rows")
