"""Finished cells and the measures a user adds to them (``run --metrics``).

A user-added measure is a function of the saved run, so it is not part of the cell's identity
(its config and run id): adding ``ndcg@10`` to a finished cell must neither retrain the model
nor fork the cell. A finished cell that lacks a requested measure gets it from its saved run
file, under the cell's lock, in a staging copy of its folder that replaces the folder (the
store's all-or-nothing move); its manifest's ``mean`` lists every stored measure. A packed cell
has no run file (run files are not kept in git): it is computed again.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd

from benchmark.pipeline import metrics
from benchmark.store import Cell, Store, write_atomic


def lacking(cell: Cell, measures: tuple[str, ...]) -> list[str]:
    """The requested measures a finished cell has not stored."""
    return [m for m in measures if m not in cell.manifest["mean"]]


def finished(
    store: Store, run_id: str, key: str, measures: tuple[str, ...], *, locked: bool = False
) -> Cell | None:
    """The finished cell with every requested measure (added from its run file when it lacks
    some), or None when it must be computed."""
    found = store.find(run_id, key)
    if found is None or not lacking(found, measures):
        return found
    folder = store.loose.folder(run_id)
    qrels = store.out / found.manifest["qrels"]
    if found.source != folder or not (folder / "run.trec").exists() or not qrels.exists():
        return None
    if locked:
        return add_measures(store, found, lacking(found, measures), qrels)
    with store.computing(run_id):
        return finished(store, run_id, key, measures, locked=True)


def add_measures(store: Store, cell: Cell, extra: list[str], qrels: Path) -> Cell:
    """A copy of the cell folder with ``extra`` computed from its saved run, put in place of
    the folder (the caller holds the cell's lock)."""
    with store.staging(cell.run_id) as tmp:
        for path in cell.source.iterdir():
            if path.name not in ("metrics.parquet", "manifest.json"):
                shutil.copy2(path, tmp / path.name)
        added = metrics.per_query_metrics(qrels, tmp / "run.trec", extra)
        per_query = pd.concat([cell.metrics(), added], ignore_index=True)
        per_query.to_parquet(tmp / "metrics.parquet", index=False)
        manifest = dict(cell.manifest, mean=per_query.groupby("metric").value.mean().to_dict())
        write_atomic(tmp / "manifest.json", json.dumps(manifest, indent=2, default=str))
    updated = store.loose.get(cell.run_id)
    assert updated is not None
    return updated
