"""README's verdict is the output of `python -m benchmark.tools.verdict`
on the committed results: no number in it is copied by hand."""

from __future__ import annotations

from pathlib import Path

from benchmark.tools import verdict

ROOT = Path(__file__).resolve().parents[2]


def test_readme_verdict_is_generated() -> None:
    readme = (ROOT / "README.md").read_text()
    start, end = readme.index(verdict.START), readme.index(verdict.END) + len(verdict.END)
    assert readme[start:end] == verdict.block(ROOT / "results"), (
        "README's verdict block is stale: paste `python -m benchmark.tools.verdict` over it"
    )
