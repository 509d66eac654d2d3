"""Every grid file in grids/ is found by name and plans cells of registered rerankers."""

from __future__ import annotations

import pytest

from benchmark.core.annotation import parse_budget
from benchmark.pipeline import grid

NAMES = sorted(p.stem for p in grid.GRIDS.glob("*.toml"))


def test_the_grid_folder_is_found() -> None:
    assert "default" in NAMES and "smar-main" in NAMES


@pytest.mark.parametrize("name", NAMES)
def test_grid_files_plan(name: str) -> None:
    assert grid.load_grid(name, parse_budget)
