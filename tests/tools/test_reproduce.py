"""The numbers docs/results.md and README publish are what ``python -m benchmark.tools.reproduce``
writes from the committed results: its generated blocks and files equal the command's output
(p-values included), and the grid behind ``run --budget 10%`` is ``grids/default.toml``."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from benchmark.tools import reproduce

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def written() -> dict[Path, str]:
    return reproduce.generated(ROOT / "results")


def test_generated_blocks_and_files_are_current(written) -> None:
    stale = [str(p.relative_to(ROOT)) for p, text in written.items() if p.read_text() != text]
    assert not stale, f"stale: {stale}; run python -m benchmark.tools.reproduce"
    docs = (ROOT / "docs" / "results.md").read_text()
    for name in reproduce.BLOCKS:
        block = reproduce.marked(name).search(docs)
        assert block and block.group(2).strip(), f"block {name} is empty"


def test_every_p_value_the_page_quotes_is_in_a_generated_file(written) -> None:
    """Every ``p (Holm) X`` docs/results.md quotes, on the whole page, is a p-value of a
    generated table or file (the views' Markdown, the claim tables, the generated blocks)."""
    docs = (ROOT / "docs" / "results.md").read_text()
    generated = "\n".join(written.values()) + (ROOT / "results" / "claims.md").read_text()
    generated += "".join(p.read_text() for p in (ROOT / "results" / "reports").glob("*/*.md"))
    quoted = re.findall(r"p \(Holm\)[ =]+([0-9.e-]+[0-9])", docs)
    assert quoted, "no p-value found: the pattern is wrong"
    unknown = [p for p in quoted if not re.search(rf"(?<![\d.]){re.escape(p)}(?![\d])", generated)]
    assert not unknown, f"p-values in docs/results.md that no generated file holds: {unknown}"


def test_the_strategies_prose_quotes_only_generated_numbers(written) -> None:
    """The annotation-strategies section states its measured numbers in generated blocks: every
    number with three decimals or more in its prose (outside the blocks) is in a generated
    file, and its blocks hold the view's three tables."""
    docs = (ROOT / "docs" / "results.md").read_text()
    section = docs.split("## Annotation strategies")[1].split("\n## ")[0]
    blocks = re.findall(r"<!-- generated:(\S+) -->", section)
    assert blocks == ["strategies-curve", "strategies-reached", "strategies-versus"]
    prose = re.sub(r"<!-- generated:(\S+) -->.*?<!-- /generated:\1 -->", "", section, flags=re.S)
    view = ROOT / "results" / "reports" / "active"
    generated = "".join(p.read_text() for p in [*view.glob("*.md"), *view.glob("*.csv")])
    quoted = re.findall(r"(?<![\d.])\d*\.\d{3,}", prose.replace("−", "-"))
    assert not [n for n in quoted if n not in generated], "hand-copied numbers in the prose"
    assert "0.8635" in written[reproduce.DOCS].split("## Annotation strategies")[1]


def test_fill_replaces_only_between_markers() -> None:
    text = "a\n<!-- generated:x -->\nold\n<!-- /generated:x -->\nb"
    assert reproduce.fill(text, {"x": "new"}) == text.replace("old", "new")
    with pytest.raises(ValueError, match="no generated block 'y'"):
        reproduce.fill(text, {"y": "new"})


def test_the_default_grid_is_the_default_run() -> None:
    from benchmark.cli_parser import parser, settle
    from benchmark.cli_plan import planned_cells

    def cells(argv: list[str]) -> set[str]:
        return {c.run_id for c in planned_cells(settle(parser(), parser().parse_args(argv)))}

    assert cells(["run", "--grid", "default"]) == cells(["run", "--budget", "10%"])
    assert "default" in reproduce.GRIDS and len(set(reproduce.GRIDS)) == len(reproduce.GRIDS)
