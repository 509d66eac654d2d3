"""The front door and the docs (issue 23): README.md stays short, and every repository path the
README and docs/*.md cite (in backticks or as a relative link) exists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
README_BYTES = 12_500  # 12,000 until issue 19 asked the README to carry its speed targets
#: the top-level entries a backticked path may start with to count as a repository path
TOP = ("benchmark/", "baselines/", "datasets/", "strategies/", "tests/", "docs/", "grids/",
       "requirements/", "results/", ".ci/")  # fmt: skip
LOCAL = ("results/runs/",)  # written by a local run, never in a clone
FENCE = re.compile(r"^```.*?^```", re.M | re.S)


def cited_paths(text: str) -> list[str]:
    """Backticked repository paths outside code blocks (no placeholders or globs), with a
    ``#anchor`` or ``:line`` dropped."""
    out = []
    for span in re.findall(r"`([^`\n]+)`", FENCE.sub("", text)):
        path = re.split(r"[#:]", span)[0]
        if path.startswith(TOP) and re.fullmatch(r"[\w./-]+", path) and "..." not in path:
            out.append(path)
    return out


def linked_paths(text: str) -> list[str]:
    """Relative markdown link targets (no URL, no in-page anchor), the anchor dropped."""
    targets = re.findall(r"\]\(([^)\s]+)\)", FENCE.sub("", text))
    return [t.split("#")[0] for t in targets if not re.match(r"[a-z]+:|#", t)]


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_cited_paths_exist(doc: Path) -> None:
    text = doc.read_text()
    missing = [p for p in cited_paths(text) if not p.startswith(LOCAL) and not (ROOT / p).exists()]
    missing += [p for p in linked_paths(text) if not (doc.parent / p).exists()]
    assert not missing, f"{doc.relative_to(ROOT)} cites paths that do not exist: {missing}"


def test_the_check_sees_a_wrong_path() -> None:
    text = "see `benchmark/core/nothing.py` and [x](docs/nothing.md)\n```\n`tests/no.py`\n```\n"
    assert cited_paths(text) == ["benchmark/core/nothing.py"]
    assert linked_paths(text) == ["docs/nothing.md"]


def test_readme_is_short() -> None:
    size = len((ROOT / "README.md").read_bytes())
    assert size <= README_BYTES, f"README.md is {size:,} bytes; at most {README_BYTES:,}"
