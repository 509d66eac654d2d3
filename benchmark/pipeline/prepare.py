"""Datasets ready for cells: loaded from the data folder, stage 1 run, fingerprinted; once per
process (:class:`DatasetCache`), and handed to worker processes as they are."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmark.core.catalog import dataset_identity, dataset_key, fingerprint, load_dataset
from benchmark.core.config import canonical_json, derive_seed
from benchmark.core.data import DataError, Dataset
from benchmark.core.reranker import Layout
from benchmark.pipeline.metrics import positive_queries
from benchmark.pipeline.stage1 import add_g_scores

PROJECT = Path(__file__).resolve().parents[2]


@dataclass
class Prepared:
    """A dataset with stage-1 scores filled, its file key, fingerprint and stage-1 diagnostics."""

    dataset: Dataset
    key: str
    fingerprint: str
    stage1: dict[str, Any]

    @property
    def layout(self) -> Layout:
        return Layout(self.dataset.modalities, self.dataset.feature_modality)


@dataclass
class DatasetCache:
    """Loads each dataset (and runs stage 1) once per process, from ``data_dir``."""

    data_dir: Path = field(default_factory=lambda: default_data_dir())
    prepared: dict[str, Prepared] = field(default_factory=dict)

    def loaded(self, spec: str, params: dict[str, Any]) -> Prepared | None:
        """The prepared dataset if it was loaded, else None."""
        return self.prepared.get(canonical_json([spec, params]))

    def get(self, spec: str, params: dict[str, Any]) -> Prepared:
        """The prepared dataset; a test split without a positive label is a
        :class:`~benchmark.core.data.DataError` (there would be nothing to evaluate)."""
        name = canonical_json([spec, params])  # the folds of a cross-validated key differ
        if name not in self.prepared:
            raw = load_dataset(spec, params, self.data_dir)
            if not positive_queries(raw["test"]).any():
                raise DataError(
                    f"dataset {spec}: no test query has an item with a positive label, so "
                    "nothing can be evaluated; check the labels of its test file"
                )
            seed = derive_seed("stage1", dataset_identity(spec), params)  # not the path
            filled, diag = add_g_scores(raw, seed)
            print_ = fingerprint(spec, params, self.data_dir)
            self.prepared[name] = Prepared(filled, dataset_key(spec, params), print_, diag)
        return self.prepared[name]


def default_data_dir() -> Path:
    """Where named real datasets live by default: ``$BENCHMARK_DATA_DIR``, else
    ``<project>/../shared/data`` (read once, here; the CLI's ``--data-dir`` overrides it)."""
    env = os.environ.get("BENCHMARK_DATA_DIR")
    return Path(env) if env else PROJECT.parent / "shared" / "data"
