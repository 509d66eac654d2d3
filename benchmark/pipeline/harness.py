"""The harness: one :func:`run_cell` that annotates, fits, scores, saves and evaluates a cell,
and :func:`run_grid` that loops over cells.

A finished cell is a directory ``<out>/runs/<run_id>/`` holding ``config.json``, ``run.trec``
(TREC run), ``metrics.parquet`` (per-query metrics, long format) and ``manifest.json`` (written
last). It is built in a temporary directory and renamed into place, so a cell directory exists
only when complete; an existing one is reused unless forced; a failed cell leaves nothing behind.
Each dataset's test labels are written once to ``<out>/runs/qrels/<dataset_key>.qrels``.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from benchmark.core.annotation import ANNOTATED_SPLITS
from benchmark.core.catalog import dataset_key, load_dataset
from benchmark.core.config import CellConfig, derive_seed
from benchmark.core.data import Dataset
from benchmark.core.reranker import Layout, make_reranker
from benchmark.pipeline import metrics
from benchmark.pipeline.annotation import annotate
from benchmark.pipeline.stage1 import add_g_scores

PACKAGES = ("numpy", "pandas", "lightgbm", "ranx", "scipy", "pyarrow", "torch", "allRank")
PROJECT = Path(__file__).resolve().parents[2]


class CellError(RuntimeError):
    """A cell failed; the message names the cell and the cause."""


@dataclass
class Prepared:
    """A dataset with stage-1 scores filled, its file key and the stage-1 diagnostics."""

    dataset: Dataset
    key: str
    stage1: dict[str, Any]

    @property
    def layout(self) -> Layout:
        return Layout(self.dataset.modalities, self.dataset.feature_modality)


@dataclass
class DatasetCache:
    """Loads each dataset (and runs stage 1) once per process."""

    prepared: dict[str, Prepared] = field(default_factory=dict)

    def get(self, spec: str, params: dict[str, Any]) -> Prepared:
        key = dataset_key(spec, params)
        if key not in self.prepared:
            raw = load_dataset(spec, params)
            filled, diag = add_g_scores(raw, derive_seed("stage1", spec, params))
            self.prepared[key] = Prepared(filled, key, diag)
        return self.prepared[key]


@dataclass
class CellResult:
    config: CellConfig
    run_dir: Path
    manifest: dict[str, Any]
    cached: bool


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


def qrels_path(out: Path, key: str) -> Path:
    return out / "runs" / "qrels" / f"{key}.qrels"


def ensure_qrels(out: Path, prepared: Prepared) -> Path:
    path = qrels_path(out, prepared.key)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        metrics.write_atomic_text(path, metrics.qrels_lines(prepared.dataset["test"]))
    return path


def load_manifest(run_dir: Path) -> dict[str, Any] | None:
    path = run_dir / "manifest.json"
    if not path.exists():
        return None
    manifest: dict[str, Any] = json.loads(path.read_text())
    return manifest


def run_cell(
    config: CellConfig, out: Path, cache: DatasetCache, *, force: bool = False
) -> CellResult:
    """Run one cell, or return the cached one."""
    run_dir = out / "runs" / config.run_id
    cached = None if force else load_manifest(run_dir)
    if cached is not None:
        return CellResult(config, run_dir, cached, cached=True)
    started = time.perf_counter()
    prepared = cache.get(config.dataset, config.dataset_params)
    qrels = ensure_qrels(out, prepared)
    tmp = out / "runs" / f".tmp-{config.run_id}-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    try:
        manifest = execute(config, prepared, tmp, qrels)
        manifest["wall_time_s"] = round(time.perf_counter() - started, 3)
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str))
        replace_dir(tmp, run_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return CellResult(config, run_dir, manifest, cached=False)


def replace_dir(src: Path, dst: Path) -> None:
    """Move a finished cell into place; an older version is removed only after the move."""
    old = dst.with_name(f".old-{dst.name}-{os.getpid()}")
    if dst.exists():
        os.replace(dst, old)
    os.replace(src, dst)
    shutil.rmtree(old, ignore_errors=True)


def execute(config: CellConfig, prepared: Prepared, tmp: Path, qrels: Path) -> dict[str, Any]:
    """Annotate, fit, score and evaluate; write the run and metrics into ``tmp``."""
    data = prepared.dataset
    reranker = make_reranker(config.reranker, config.params)
    labelled = {name: data[name] for name in ANNOTATED_SPLITS}
    if config.budget is None:
        views = {name: s.hide_labels() for name, s in labelled.items()}
        used, total = 0, sum(s.n_items for s in labelled.values())
    else:
        assert config.strategy is not None
        views, used, total = annotate(
            labelled, config.strategy, config.budget, config.annotation_seed
        )
    (tmp / "config.json").write_text(json.dumps(config.to_dict(), indent=2))
    test = data["test"]
    t0 = time.perf_counter()
    reranker.fit(
        views["page_train"], views["page_valid"], layout=prepared.layout, seed=config.model_seed
    )
    t1 = time.perf_counter()
    scores = np.asarray(reranker.score(test.hide_labels()), dtype=np.float64)
    t2 = time.perf_counter()
    if scores.shape != (test.n_items,):
        raise CellError(f"{config.reranker} returned {scores.shape} scores for {test.n_items} rows")
    if not np.isfinite(scores).all():
        bad = int((~np.isfinite(scores)).sum())
        raise CellError(f"{config.reranker} returned {bad} non-finite scores")
    run_path = tmp / "run.trec"
    metrics.write_atomic_text(run_path, metrics.run_lines(test, scores, config.reranker))
    per_query = metrics.per_query_metrics(qrels, run_path)
    per_query.to_parquet(tmp / "metrics.parquet", index=False)
    excluded = test.qids[~metrics.positive_queries(test)].tolist()

    return {
        "run_id": config.run_id,
        "config": config.to_dict(),
        "label": config.label(reranker.default_strategy),
        "dataset_key": prepared.key,
        "qrels": os.path.relpath(qrels, tmp.parent.parent),
        "git_sha": git_sha(),
        "versions": versions(),
        "fit_time_s": round(t1 - t0, 3),
        "score_time_s": round(t2 - t1, 3),
        "annotation": {
            "units_used": used,
            "units_total": total,
            "fraction_used": used / total if total else 0.0,
        },
        "queries_evaluated": int(per_query.qid.nunique()),
        "excluded_queries": {"count": len(excluded), "qids": excluded},
        "mean": per_query.groupby("metric").value.mean().to_dict(),
        "modality_mix": metrics.modality_shares(test, scores, data.modalities),
        "stage1": prepared.stage1,
        "fit_info": reranker.fit_info(),
    }


def load_metrics(run_dir: Path) -> pd.DataFrame:
    return pd.read_parquet(run_dir / "metrics.parquet")
