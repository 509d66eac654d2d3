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


def test_report_kind_is_checked_before_any_cell(tmp_path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(
        '[report]\nkind = "strategy"\nname = "x"\n\n'
        '[[group]]\nrerankers = ["fusion-zscore"]\ndataset_params = { n_queries = 200 }\n'
    )
    with pytest.raises(ValueError, match="kind 'strategy' is not one of"):
        grid.load_grid(str(path), parse_budget)
    assert grid.report_spec("active") == {
        "kind": "strategies",
        "name": "active",
        "reference": "sft@100%",
        "versus": ["middle", "top-p"],
    }
    assert grid.report_spec("premise-map")["kind"] == "settings"  # the default kind
