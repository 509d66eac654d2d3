"""Every grid file in grids/ is found by name, passes the schema and plans cells of registered
rerankers; a grid's [report] table is read back."""

from __future__ import annotations

import pytest

from benchmark.pipeline import gridfile
from benchmark.pipeline.prepare import default_data_dir

NAMES = sorted(p.stem for p in gridfile.GRIDS.glob("*.toml"))


def test_the_grid_folder_is_found() -> None:
    assert "default" in NAMES and "smar-main" in NAMES and "premise-map" in NAMES


@pytest.mark.parametrize("name", NAMES)
def test_grid_files_plan(name: str) -> None:
    text = (gridfile.GRIDS / f"{name}.toml").read_text()
    if "letor" in text and not default_data_dir().is_dir():  # a clone without shared/ data
        pytest.skip(f"grid {name} names LETOR data; no data folder at {default_data_dir()}")
    assert gridfile.load_grid(name)


def test_report_table() -> None:
    spec = gridfile.report_spec("premise-map")
    assert spec is not None and spec["axes"] == ["context_effect", "annotator_noise"]
    assert spec["kind"] == "settings"  # the default kind
    assert gridfile.report_spec("default") is None
    active = gridfile.report_spec("active")
    assert active is not None and {k: v for k, v in active.items() if k != "rows"} == {
        "kind": "strategies",
        "name": "active",
        "reference": "sft@100%",
        "versus": ["middle", "top-p"],
    }
    # the rows its groups plan (what the figures draw): 13 methods x 5 budgets, 2 references
    assert len(active["rows"]) == 67 and "smar-z@10%" not in active["rows"]
    assert {"sft@100%", "smar@100%", "sft@5%", "smar@50%[pages-active]"} <= set(active["rows"])


def test_report_kind_is_checked_before_any_cell(tmp_path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(
        '[report]\nkind = "strategy"\nname = "x"\n\n'
        '[[group]]\nrerankers = ["fusion-zscore"]\ndataset_params = { n_queries = 200 }\n'
    )
    with pytest.raises(ValueError, match="kind 'strategy' is not one of"):
        gridfile.load_grid(str(path))
