"""Finished cells and the measures a user adds to them (``run --metrics``).

A user-added measure is a function of the saved run, so it is not part of the cell's identity
(its config and run id): adding ``ndcg@10`` to a finished cell must neither retrain the model
nor fork the cell. A finished cell that lacks a requested measure gets it from its saved run
file, under the cell's lock; the store writes the new metrics and manifest into a copy of its
folder that replaces the folder (all or nothing); its manifest's ``mean`` lists every stored
measure. A packed cell
has no run file (run files are not kept in git): it is computed again.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd

from benchmark.pipeline import metrics
from benchmark.store import Cell, Store


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
    qrels = store.cell_qrels(found)
    run = found.source / "run.trec"
    if found.source != store.loose.folder(run_id) or not run.exists() or not qrels.exists():
        return None
    if locked:
        return add_measures(store, found, lacking(found, measures), qrels)
    with store.computing(run_id):
        return finished(store, run_id, key, measures, locked=True)


def add_measures(store: Store, cell: Cell, extra: list[str], qrels: Path) -> Cell:
    """The cell with ``extra`` computed from its saved run: its metrics and manifest rewritten
    by the store, which puts the whole folder in place at once (the caller holds the cell's
    lock)."""
    added = metrics.per_query_metrics(qrels, cell.source / "run.trec", extra)
    per_query = pd.concat([cell.metrics(), added], ignore_index=True)
    table = io.BytesIO()
    per_query.to_parquet(table, index=False)
    manifest = dict(cell.manifest, mean=per_query.groupby("metric").value.mean().to_dict())
    text = json.dumps(manifest, indent=2, default=str)
    return store.rewrite(
        cell, {"metrics.parquet": table.getvalue(), "manifest.json": text.encode()}
    )
