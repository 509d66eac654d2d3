"""Finished cells, one folder each: ``<out>/runs/<run_id>/`` (the store's loose cells).

A cell folder holds ``config.json``, ``run.trec`` (the TREC run, bulk, not in git),
``metrics.parquet`` (per-query metrics, long format) and ``manifest.json``, written last. It is
built in a hidden staging folder ``.tmp-<run_id>-<host>-<pid>`` and renamed into place, so a
folder named by a run id is always complete. Only folders named by a run id (16 hex digits) are
cells: hidden folders are never read, and :meth:`LooseCells.sweep` removes those of dead
processes (restoring a finished cell that a killed ``--force`` had moved aside). Computing a
cell holds an exclusive lock (``runs/.locks/<run_id>.lock``, :mod:`.locks`), so two runs into
one folder compute each cell once.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from benchmark.store import locks
from benchmark.store.files import HOST, StoreError, alive, sweep_temporaries, why

RUN_ID = re.compile(r"^[0-9a-f]{16}$")
STAGING = re.compile(r"^\.(?P<kind>tmp|old)-(?P<run_id>[0-9a-f]{16})-(?P<host>\w+)-(?P<pid>\d+)$")
REQUIRED = ("run_id", "config", "label", "method", "dataset_key", "mean", "annotation")


@dataclass
class Cell:
    """A finished cell: its manifest and a loader of its per-query metrics."""

    run_id: str
    manifest: dict[str, Any]
    source: Path
    load_metrics: Callable[[], pd.DataFrame]

    @property
    def config(self) -> dict[str, Any]:
        config: dict[str, Any] = self.manifest["config"]
        return config

    @property
    def label(self) -> str:
        return str(self.manifest["label"])

    @property
    def method(self) -> str:
        return str(self.manifest["method"])

    @property
    def seed(self) -> int:
        return int(self.config["seed"])

    @property
    def dataset_key(self) -> str:
        return str(self.manifest["dataset_key"])

    def metrics(self) -> pd.DataFrame:
        """Long frame ``qid, metric, value``."""
        return self.load_metrics()


def parse_manifest(text: str, where: Path) -> dict[str, Any]:
    """A manifest from its JSON text, or a :class:`StoreError` naming ``where``."""
    try:
        manifest = json.loads(text)
    except ValueError as exc:
        raise StoreError(f"{where}: not a readable manifest ({exc})") from None
    missing = [k for k in REQUIRED if not isinstance(manifest, dict) or k not in manifest]
    if missing:
        raise StoreError(f"{where}: manifest without {', '.join(missing)}")
    return dict(manifest)


#: the columns of a cell folder's per-query metrics
CELL_COLUMNS = ("qid", "metric", "value")


def read_parquet(
    path: Path, columns: tuple[str, ...] = CELL_COLUMNS, remedy: str = ""
) -> pd.DataFrame:
    """A metrics table, with at least ``columns``; a :class:`StoreError` naming the file and
    how to get it back (``remedy``; by default: recompute the cell) otherwise."""
    remedy = remedy or (
        f"restore it (git restore, if it is tracked) or delete {path.parent} and run the same "
        "command again to recompute its cell"
    )
    try:
        frame = pd.read_parquet(path)
    except (OSError, ValueError) as exc:
        raise StoreError(f"{path}: unreadable per-query metrics ({exc}); {remedy}") from None
    if not set(columns) <= set(frame.columns):
        found = ", ".join(map(str, frame.columns[:6]))
        raise StoreError(
            f"{path}: not a table of per-query metrics (columns {found}; expected "
            f"{', '.join(columns)}); {remedy}"
        )
    return frame


class LooseCells:
    """The cell folders under ``<out>/runs``."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def folder(self, run_id: str) -> Path:
        return self.root / run_id

    def get(self, run_id: str) -> Cell | None:
        folder = self.folder(run_id)
        path = folder / "manifest.json"
        if not folder.is_dir():
            return None
        try:
            text = path.read_text()
        except OSError as exc:
            raise StoreError(f"{path}: cannot read ({why(path, exc, writing=False)})") from None
        metrics = folder / "metrics.parquet"
        return Cell(run_id, parse_manifest(text, path), folder, lambda: read_parquet(metrics))

    def scan(self) -> list[Cell]:
        """Every cell folder (hidden and staging folders are not cells)."""
        if not self.root.is_dir():
            return []
        names = sorted(p.name for p in self.root.iterdir() if RUN_ID.match(p.name))
        return [c for c in map(self.get, names) if c is not None]

    def lock_path(self, run_id: str) -> Path:
        return self.root / ".locks" / f"{run_id}.lock"

    @contextmanager
    def lock(self, run_id: str) -> Iterator[None]:
        """Hold the exclusive lock of a cell while computing it (waits, saying so, while
        another run holds it: :mod:`.locks`)."""
        with locks.held(self.lock_path(run_id), f"another run is computing cell {run_id}"):
            yield

    def try_lock(self, run_id: str) -> Any:
        """The cell's lock without waiting: an open handle, or None when another run holds
        it."""
        return locks.try_lock(self.lock_path(run_id))

    def release(self, handle: Any) -> None:
        locks.release(handle)

    def aside(self, kind: str, run_id: str) -> Path:
        """This process's ``.tmp-`` (staging) or ``.old-`` (moved-aside) folder of a cell, named
        so that :meth:`sweep` knows whose it is (:data:`STAGING`)."""
        return self.root / f".{kind}-{run_id}-{HOST}-{os.getpid()}"

    @contextmanager
    def staging(self, run_id: str) -> Iterator[Path]:
        """A fresh staging folder; on success it replaces the cell folder, on any failure
        (an exception, Ctrl-C) it is removed and the cell folder is left as it was."""
        tmp = self.aside("tmp", run_id)
        shutil.rmtree(tmp, ignore_errors=True)
        try:
            tmp.mkdir(parents=True)
        except OSError as exc:
            raise StoreError(f"cannot write {tmp}: {why(tmp, exc)}") from None
        try:
            yield tmp
            self._replace(tmp, self.folder(run_id))
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    def _replace(self, src: Path, dst: Path) -> None:
        """Move a finished cell into place; an older version is removed only after the move
        (a kill in between leaves ``.old-*``, which :meth:`sweep` puts back)."""
        old = self.aside("old", dst.name)
        if dst.exists():
            os.replace(dst, old)
        os.replace(src, dst)
        shutil.rmtree(old, ignore_errors=True)

    def discard(self, run_id: str) -> None:
        """Remove a cell folder: moved aside as a staging folder first, so that a kill midway
        leaves what :meth:`sweep` removes, never half a cell."""
        aside = self.aside("tmp", run_id)
        os.replace(self.folder(run_id), aside)
        shutil.rmtree(aside, ignore_errors=True)

    def sweep(self) -> list[Path]:
        """Remove what dead processes left: staging folders, temporary files; a moved-aside
        finished cell whose replacement never arrived is restored."""
        removed = sweep_temporaries(self.root)
        for path in self.root.glob(".*-*") if self.root.is_dir() else []:
            m = STAGING.match(path.name)
            if not m or alive(m["host"], int(m["pid"])):
                continue
            target = self.folder(m["run_id"])
            if m["kind"] == "old" and not target.exists():
                os.replace(path, target)
                continue
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
        return removed
