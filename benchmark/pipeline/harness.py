"""The harness: one :func:`run_cell` that annotates, fits, scores, saves and evaluates a cell.

A cell is computed under its lock in a staging folder of the store and moved into place when
complete (:mod:`benchmark.store.cells`); an existing cell (a folder or a packed copy) is reused
unless forced; a failed or interrupted cell leaves nothing behind. The manifest records
everything a report needs without the registry: the row label and method, written here.
"""

from __future__ import annotations

import datetime as dt
import json
import platform
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from benchmark.core.annotation import ANNOTATED_SPLITS
from benchmark.core.catalog import dataset_key
from benchmark.core.config import CellConfig
from benchmark.core.measures import METRICS
from benchmark.core.reranker import Reranker, make_reranker
from benchmark.pipeline import metrics
from benchmark.pipeline.annotation import (
    Annotation,
    annotate_rounds,
    unlabelled_record,
    with_unlabelled,
)
from benchmark.pipeline.cached import finished
from benchmark.pipeline.prepare import PROJECT, DatasetCache, Prepared
from benchmark.store import Cell, Store, qrels_ref, write_atomic
from benchmark.store.files import stop_when_full

PACKAGES = ("numpy", "pandas", "lightgbm", "ranx", "scipy", "pyarrow", "torch", "allRank")


class CellError(RuntimeError):
    """A cell failed; the message names the cell and the cause."""


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


_QRELS: dict[str, str] = {}  # a process's test qrels texts by qrels_name (names the fingerprint)


def qrels_name(prepared: Prepared) -> str:
    return f"{prepared.key}-{prepared.fingerprint[:12]}.qrels"


def ensure_qrels(store: Store, prepared: Prepared) -> Path:
    """The test qrels of this version of the dataset (the store writes it once per
    fingerprint)."""
    return store.qrels(qrels_name(prepared), qrels_lines(prepared))


def qrels_lines(prepared: Prepared) -> Iterator[str]:
    """The qrels lines of the test split, made only when iterated."""
    yield from metrics.qrels_lines(prepared.dataset["test"])


def run_cell(
    config: CellConfig,
    store: Store,
    cache: DatasetCache,
    *,
    force: bool = False,
    command: str = "",
    measures: tuple[str, ...] = (),
) -> CellResult:
    """Run one cell in this process, or return the finished one (computed once even by
    concurrent runs: the cell's lock is held while computing). ``measures`` are user-added ranx
    measures: a finished cell that lacks some gets them from its saved run file; one whose run
    file is not here (a packed copy) is computed again."""
    key = dataset_key(config.dataset, config.dataset_params)
    found = None if force else finished(store, config.run_id, key, measures)
    if found is not None:
        return CellResult(config, found, cached=True)
    prepared = checked_prepared(config, cache)
    with store.computing(config.run_id):
        found = None if force else finished(store, config.run_id, key, measures, locked=True)
        if found is not None:  # another run finished it while we waited for the lock
            return CellResult(config, found, cached=True)
        qrels = ensure_qrels(store, prepared)
        with store.staging(config.run_id) as tmp, stop_when_full(tmp):
            compute(config, prepared, tmp, qrels, command, measures)
    return computed(config, store)


def checked_prepared(config: CellConfig, cache: DatasetCache) -> Prepared:
    """The cell's dataset, which must still be the data the cell was planned on."""
    prepared = cache.get(config.dataset, config.dataset_params)
    if prepared.fingerprint != config.data_fingerprint:
        raise CellError(
            f"the data of {prepared.key} changed since the cell was planned "
            f"({config.data_fingerprint} -> {prepared.fingerprint}); plan the run again"
        )
    return prepared


def computed(config: CellConfig, store: Store) -> CellResult:
    cell = store.loose.get(config.run_id)
    assert cell is not None
    return CellResult(config, cell, cached=False)


def compute(
    config: CellConfig,
    prepared: Prepared,
    folder: Path,
    qrels: Path,
    command: str,
    measures: tuple[str, ...] = (),
) -> None:
    """Compute a cell into ``folder``: config, run, metrics (the protocol's and the
    user-added ``measures``) and (last) the manifest; the data must be the cell's own."""
    if prepared.fingerprint != config.data_fingerprint:
        raise CellError(
            f"cell {config.run_id} was given the data of {prepared.key} with fingerprint "
            f"{prepared.fingerprint[:12]}, not its own ({config.data_fingerprint[:12]})"
        )
    manifest = execute(config, prepared, folder, qrels, (*METRICS, *measures))
    manifest["qrels"] = qrels_ref(qrels_name(prepared))
    manifest["command"] = command
    write_atomic(folder / "manifest.json", json.dumps(manifest, indent=2, default=str))


def compute_files(
    config: CellConfig, prepared: Prepared, command: str, measures: tuple[str, ...] = ()
) -> dict[str, bytes]:
    """:func:`compute` in a temporary folder (a worker process or another machine); returns
    the cell's files, which the client writes through its store."""
    with tempfile.TemporaryDirectory(prefix="wholepage-cell-") as tmp:
        folder = Path(tmp)
        qrels = folder / qrels_name(prepared)
        if qrels.name not in _QRELS:  # made once per process and dataset (17 ms a cell)
            _QRELS[qrels.name] = "".join(qrels_lines(prepared))
        qrels.write_text(_QRELS[qrels.name])
        cell = folder / "cell"
        cell.mkdir()
        compute(config, prepared, cell, qrels, command, measures)
        return {p.name: p.read_bytes() for p in sorted(cell.iterdir())}


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def execute(
    config: CellConfig, prepared: Prepared, tmp: Path, qrels: Path, measures: tuple[str, ...]
) -> dict[str, Any]:
    """Annotate, fit, score and evaluate ``measures``; write the run and metrics into ``tmp``;
    return the manifest."""
    started, t0 = now(), time.perf_counter()
    data = prepared.dataset
    reranker = make_reranker(config.reranker, config.params)
    write_atomic(tmp / "config.json", json.dumps(config.to_dict(), indent=2))
    views, annotation = annotated_views(config, prepared)
    t1 = time.perf_counter()
    train = with_unlabelled(views["page_train"], reranker, data)
    reranker.fit(train, views["page_valid"], layout=prepared.layout, seed=config.model_seed)
    t2 = time.perf_counter()
    test = data["test"]
    scores = checked_scores(config, reranker, test.hide_labels())
    t3 = time.perf_counter()
    names = row_names(config, reranker)
    per_query, kind = save_and_evaluate(test, scores, names["run_tag"], tmp, qrels, measures)
    return {
        "run_id": config.run_id,
        "config": config.to_dict(),
        **names,
        "run_scores": kind,
        "dataset_key": prepared.key,
        **provenance(started),
        "annotation_time_s": round(t1 - t0, 3),
        "fit_time_s": round(t2 - t1, 3),
        "score_time_s": round(t3 - t2, 3),
        "wall_time_s": round(time.perf_counter() - t0, 3),
        "annotation": annotation,
        **unlabelled_record(train, views["page_train"], data),
        **evaluation(per_query, test, scores, data.modalities),
        "stage1": prepared.stage1,
        "fit_info": reranker.fit_info(),
    }


def row_names(config: CellConfig, reranker: Reranker) -> dict[str, Any]:
    """What a report needs to name and place the cell's row, without the registry: its label
    and method, the run file's tag (unique per dataset key, row and seed), and whether it is
    the reranker's default variant (default strategy and hyper-parameters) of a reranker in
    the default run (a row of the main table)."""
    defaults = type(reranker)().params()
    label = config.label(reranker.default_strategy, defaults)
    return {
        "label": label,
        "method": config.method(defaults),
        # unique across dataset keys too: ranx keeps one run per name, so comparing runs of
        # two datasets' folders dropped the runs whose tags repeated
        "run_tag": f"{dataset_key(config.dataset, config.dataset_params)}:"
        + "".join(label.split())
        + f"#seed{config.seed}",
        "default_variant": config.strategy == reranker.default_strategy
        and not config.changed_params(defaults),
        "in_default_run": type(reranker).in_default_run,
    }


def save_and_evaluate(
    test: Any, scores: np.ndarray, tag: str, tmp: Path, qrels: Path, measures: tuple[str, ...]
) -> tuple[Any, str]:
    """Write the TREC run and the per-query metrics ranx computes from it (read back from the
    saved files); returns the metrics and the kind of score the run file holds."""
    lines, kind = metrics.run_lines(test, scores, tag)
    write_atomic(tmp / "run.trec", "".join(lines))
    per_query = metrics.per_query_metrics(qrels, tmp / "run.trec", measures)
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


def annotated_views(
    config: CellConfig, prepared: Prepared
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The reranker's views of page_train/page_valid (labels it did not buy are -1) and the
    manifest's annotation record (units, and per round: units per split, proxy fit time)."""
    labelled = {name: prepared.dataset[name] for name in ANNOTATED_SPLITS}
    if config.budget is None:
        views = {name: s.hide_labels() for name, s in labelled.items()}
        return views, Annotation(views, 0, sum(s.n_items for s in labelled.values()), []).manifest()
    assert config.strategy is not None
    done = annotate_rounds(
        labelled, config.strategy, config.budget, config.annotation_seed, prepared.layout
    )
    return done.views, done.manifest()


def checked_scores(config: CellConfig, reranker: Reranker, test: Any) -> np.ndarray:
    scores = np.asarray(reranker.score(test), dtype=np.float64)
    if scores.shape != (test.n_items,):
        raise CellError(f"{config.reranker} returned {scores.shape} scores for {test.n_items} rows")
    if not np.isfinite(scores).all():
        bad = int((~np.isfinite(scores)).sum())
        raise CellError(f"{config.reranker} returned {bad} non-finite scores")
    return scores
