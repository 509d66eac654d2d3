"""Every grid file in grids/ is found by name, passes the schema and plans cells of registered
rerankers; a grid's [report] table is read back."""

from __future__ import annotations

import pytest

from benchmark.pipeline import gridfile

NAMES = sorted(p.stem for p in gridfile.GRIDS.glob("*.toml"))


def test_the_grid_folder_is_found() -> None:
    assert "default" in NAMES and "smar-main" in NAMES and "premise-map" in NAMES


@pytest.mark.parametrize("name", NAMES)
def test_grid_files_plan(name: str) -> None:
    assert gridfile.load_grid(name)


def test_report_table() -> None:
    spec = gridfile.report_spec("premise-map")
    assert spec is not None and spec["axes"] == ["context_effect", "annotator_noise"]
    assert gridfile.report_spec("default") is None
