"""The harness: one :func:`run_cell` that annotates, fits, scores, saves and evaluates a cell.

A cell is computed under its lock in a staging folder of the store and moved into place when
complete (:mod:`benchmark.store.cells`); an existing cell (a folder or a packed copy) is reused
unless forced; a failed or interrupted cell leaves nothing behind. The manifest records
everything a report needs without the registry: the row label and method, written here.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import subprocess
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from benchmark.core.annotation import ANNOTATED_SPLITS
from benchmark.core.catalog import dataset_key, fingerprint, load_dataset
from benchmark.core.config import CellConfig, canonical_json, derive_seed
from benchmark.core.data import DataError, Dataset
from benchmark.core.reranker import Layout, Reranker, make_reranker
from benchmark.pipeline import metrics
from benchmark.pipeline.annotation import annotate
from benchmark.pipeline.stage1 import add_g_scores
from benchmark.store import Cell, Store, write_atomic

PACKAGES = ("numpy", "pandas", "lightgbm", "ranx", "scipy", "pyarrow", "torch", "allRank")
PROJECT = Path(__file__).resolve().parents[2]


class CellError(RuntimeError):
    """A cell failed; the message names the cell and the cause."""


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
            if not metrics.positive_queries(raw["test"]).any():
                raise DataError(
                    f"dataset {spec}: no test query has an item with a positive label, so "
                    "nothing can be evaluated; check the labels of its test file"
                )
            filled, diag = add_g_scores(raw, derive_seed("stage1", spec, params))
            print_ = fingerprint(spec, params, self.data_dir)
            self.prepared[name] = Prepared(filled, dataset_key(spec, params), print_, diag)
        return self.prepared[name]


def default_data_dir() -> Path:
    """Where named real datasets live by default: ``$BENCHMARK_DATA_DIR``, else
    ``<project>/../shared/data`` (read once, here; the CLI's ``--data-dir`` overrides it)."""
    env = os.environ.get("BENCHMARK_DATA_DIR")
    return Path(env) if env else PROJECT.parent / "shared" / "data"


@dataclass
class CellResult:
    config: CellConfig
    cell: Cell
    cached: bool

    @property
    def manifest(self) -> dict[str, Any]:
        return self.cell.manifest

    @property
    def run_dir(self) -> Path:
        return self.cell.source


def versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for pkg in PACKAGES:
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            continue
    return out


def git_sha() -> str:
    try:
        done = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=PROJECT, capture_output=True, text=True, timeout=10
        )
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return done.stdout.strip() if done.returncode == 0 else "unknown"


def ensure_qrels(store: Store, prepared: Prepared) -> Path:
    """The test qrels of this version of the dataset (written once per fingerprint)."""
    path = store.qrels_path(prepared.key, prepared.fingerprint)
    if not path.exists():
        write_atomic(path, "".join(metrics.qrels_lines(prepared.dataset["test"])))
    return path


def run_cell(
    config: CellConfig,
    store: Store,
    cache: DatasetCache,
    *,
    force: bool = False,
    command: str = "",
) -> CellResult:
    """Run one cell, or return the finished one (computed once even by concurrent runs)."""
    key = dataset_key(config.dataset, config.dataset_params)
    found = None if force else store.find(config.run_id, key)
    if found is not None:
        return CellResult(config, found, cached=True)
    prepared = cache.get(config.dataset, config.dataset_params)
    if prepared.fingerprint != config.data_fingerprint:
        raise CellError(
            f"the data of {key} changed since the cell was planned "
            f"({config.data_fingerprint} -> {prepared.fingerprint}); plan the run again"
        )
    with store.computing(config.run_id):
        found = None if force else store.find(config.run_id, key)
        if found is not None:  # another run finished it while we waited for the lock
            return CellResult(config, found, cached=True)
        qrels = ensure_qrels(store, prepared)
        with store.staging(config.run_id) as tmp:
            manifest = execute(config, prepared, tmp, qrels)
            manifest["command"] = command
            write_atomic(tmp / "manifest.json", json.dumps(manifest, indent=2, default=str))
    cell = store.loose.get(config.run_id)
    assert cell is not None
    return CellResult(config, cell, cached=False)


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def execute(config: CellConfig, prepared: Prepared, tmp: Path, qrels: Path) -> dict[str, Any]:
    """Annotate, fit, score and evaluate; write the run and metrics into ``tmp``; return the
    manifest."""
    started, t0 = now(), time.perf_counter()
    data = prepared.dataset
    reranker = make_reranker(config.reranker, config.params)
    write_atomic(tmp / "config.json", json.dumps(config.to_dict(), indent=2))
    views, used, total = annotated_views(config, data)
    t1 = time.perf_counter()
    reranker.fit(
        views["page_train"], views["page_valid"], layout=prepared.layout, seed=config.model_seed
    )
    t2 = time.perf_counter()
    test = data["test"]
    scores = checked_scores(config, reranker, test.hide_labels())
    t3 = time.perf_counter()
    defaults = type(reranker)().params()
    label = config.label(reranker.default_strategy, defaults)
    tag = "".join(label.split()) + f"#seed{config.seed}"
    per_query, kind = save_and_evaluate(test, scores, tag, tmp, qrels)
    return {
        "run_id": config.run_id,
        "config": config.to_dict(),
        "label": label,
        "method": config.method(defaults),
        "run_tag": tag,
        "run_scores": kind,
        "dataset_key": prepared.key,
        "qrels": os.path.relpath(qrels, tmp.parent.parent),
        **provenance(started),
        "annotation_time_s": round(t1 - t0, 3),
        "fit_time_s": round(t2 - t1, 3),
        "score_time_s": round(t3 - t2, 3),
        "wall_time_s": round(time.perf_counter() - t0, 3),
        "annotation": {"units_used": used, "units_total": total, "fraction_used": used / total},
        **evaluation(per_query, test, scores, data.modalities),
        "stage1": prepared.stage1,
        "fit_info": reranker.fit_info(),
    }


def save_and_evaluate(
    test: Any, scores: np.ndarray, tag: str, tmp: Path, qrels: Path
) -> tuple[Any, str]:
    """Write the TREC run and the per-query metrics ranx computes from it (read back from the
    saved files); returns the metrics and the kind of score the run file holds."""
    lines, kind = metrics.run_lines(test, scores, tag)
    write_atomic(tmp / "run.trec", "".join(lines))
    per_query = metrics.per_query_metrics(qrels, tmp / "run.trec")
    per_query.to_parquet(tmp / "metrics.parquet", index=False)
    return per_query, kind


def provenance(started: str) -> dict[str, Any]:
    return {"git_sha": git_sha(), "versions": versions(), "started": started, "finished": now()}


def evaluation(
    per_query: Any, test: Any, scores: np.ndarray, modalities: tuple[str, ...]
) -> dict[str, Any]:
    """The manifest's summary of the evaluation: queries, exclusions, means, modality mix."""
    excluded = test.qids[~metrics.positive_queries(test)].tolist()
    return {
        "queries_evaluated": int(per_query.qid.nunique()),
        "excluded_queries": {"count": len(excluded), "qids": excluded},
        "mean": per_query.groupby("metric").value.mean().to_dict(),
        "modality_mix": metrics.modality_shares(test, scores, modalities),
    }


def annotated_views(config: CellConfig, data: Dataset) -> tuple[dict[str, Any], int, int]:
    """The reranker's views of page_train/page_valid (labels it did not buy are -1)."""
    labelled = {name: data[name] for name in ANNOTATED_SPLITS}
    if config.budget is None:
        views = {name: s.hide_labels() for name, s in labelled.items()}
        return views, 0, sum(s.n_items for s in labelled.values())
    assert config.strategy is not None
    return annotate(labelled, config.strategy, config.budget, config.annotation_seed)


def checked_scores(config: CellConfig, reranker: Reranker, test: Any) -> np.ndarray:
    scores = np.asarray(reranker.score(test), dtype=np.float64)
    if scores.shape != (test.n_items,):
        raise CellError(f"{config.reranker} returned {scores.shape} scores for {test.n_items} rows")
    if not np.isfinite(scores).all():
        bad = int((~np.isfinite(scores)).sum())
        raise CellError(f"{config.reranker} returned {bad} non-finite scores")
    return scores
