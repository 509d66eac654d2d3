"""Golden bytes: ``letor-serp`` on a small MSLR-shaped folder (12,000 rows x 136 features,
:func:`benchmark.tools.perf_scale.mslr_folder`) gives, byte for byte, the dataset after stage 1
and the run files of a 10 % cell of ``smar``, ``sft`` and ``lambdamart`` recorded before the
memory work of issue 19 (page features and per-query means computed in chunks, each file's rows
freed once its split is built, the network's item inputs kept without their zeros). The chunks
are made tiny here, so that their boundaries fall inside pages and queries; any changed number
fails."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from baselines import smar_net
from benchmark.pipeline import grid
from benchmark.pipeline.harness import DatasetCache, run_cell
from benchmark.store import Store
from benchmark.tools.perf_scale import mslr_folder
from datasets import letor_rows
from tests.datasets.test_synthetic_golden import digest

#: Recorded at commit 05da856 (before the chunks and the item rows).
DATA = "d0a9f6523bdcbcb0ee18d647c88f27d55c2759089721c09ad2b6a711b81e5924"
RUNS = {  # sha256 of run.trec: every score written at full precision
    "smar": "ae74d5bba84d653fb25d68c3e73fd2f3ba0f8dff5e71efa921b074b7d95c752a",
    "sft": "93bdc3c24bf03c3fa224f2a597f33e3219df5611b206c3d8c02586adb6b79e0e",
    "lambdamart": "6460128e126a7110d1282f08eff6eb3a856a4a6456fca66dd1f9026ef63d4774",
}


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, DatasetCache]]:
    """The folder's ``letor-serp`` spec and a cache holding it, loaded and scored with chunks
    of 97 rows (page features, query means) and 61 rows (the network's item inputs)."""
    root = mslr_folder(tmp_path_factory.mktemp("golden") / "m", rows=12_000, features=136)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(letor_rows, "CHUNK_ROWS", 97)
        patch.setattr(smar_net, "CHUNK_ROWS", 61)
        spec, cache = f"letor-serp:{root}", DatasetCache()
        cache.get(spec, {})
        yield spec, cache


def test_dataset_bytes(prepared: tuple[str, DatasetCache]) -> None:
    spec, cache = prepared
    assert digest(cache.get(spec, {}).dataset) == DATA


@pytest.mark.parametrize("reranker", RUNS)
def test_run_file_bytes(prepared: tuple[str, DatasetCache], reranker: str, tmp_path: Path) -> None:
    spec, cache = prepared
    config = grid.plan(spec, [reranker], [0.1], 1, references=False)[0]
    done = run_cell(config, Store(tmp_path), cache, force=True)
    run = (done.run_dir / "run.trec").read_bytes()
    assert hashlib.sha256(run).hexdigest() == RUNS[reranker]
