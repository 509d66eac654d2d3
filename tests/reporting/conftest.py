"""One tiny run shared by the reporting tests: two rerankers at two budgets and their
references (2 seeds), a label-free baseline, a strategy variant and a hyper-parameter variant
with a long label (ablation rows), and a user-added measure (ranx ``ndcg@10``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmark.pipeline import grid
from benchmark.store import Store
from tests.conftest import TINY

ROOT = Path(__file__).resolve().parents[2]
VARIANT = {"lambdamart": {"num_leaves": 7, "min_data_in_leaf": 5, "learning_rate": 0.1}}


@pytest.fixture(scope="session")
def swept(tmp_path_factory: pytest.TempPathFactory, cache) -> tuple[Store, str]:
    out = tmp_path_factory.mktemp("report")
    cells = grid.plan(
        "synthetic-serp", ["lambdamart", "fusion-zscore"], [0.1, 0.3], 2, dataset_params=TINY
    )
    cells += grid.plan(
        "synthetic-serp", ["lambdamart"], [0.1], 2, strategy="random", dataset_params=TINY,
        references=False,
    )  # fmt: skip
    cells += grid.plan(
        "synthetic-serp", ["lambdamart"], [0.1], 2, params=VARIANT, dataset_params=TINY,
        references=False,
    )  # fmt: skip
    store = Store(out)
    grid.mark_datasets(cells, store)
    outcome = grid.run(cells, store, progress=False, cache=cache, measures=("ndcg@10",))
    assert not outcome.failures
    return store, outcome.results[0].manifest["dataset_key"]
