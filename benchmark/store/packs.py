"""Packed cells: every finished cell of one dataset in two files, the form kept in git.

``<out>/cells/<dataset_key>/manifests.jsonl.gz`` holds one manifest per line (sorted by run id;
gzip without a timestamp, so equal manifests give equal bytes) and ``metrics.parquet`` the
per-query nDCG@10 of all of them in one table (``run_id, qid, ndcg_burges@10``; zstd). What a
report needs is kept: the manifests carry each cell's mean of every measure (computed by the
harness from ranx's float64 per-query values), and the per-query nDCG@10 that the paired tests,
confidence intervals and figures use is kept at float32 precision (7 significant digits;
exact per-query float64 values take about twice the space and are incompressible), which every
report reads it at (:mod:`benchmark.reporting.rows`), so every committed number is re-computed
exactly from the committed files. ``dataset.json`` records the dataset the folder's current
cells were computed on (``spec``, its identity: a folder named by its content, not its path;
parameters, version, content ``fingerprint``; a cross-validated dataset has ``fingerprints``,
one per fold). The cell folders (local) keep every measure per query at float64.

Writers hold the pack's lock and write ``metrics.parquet`` before the manifests (each
atomically); a pack only ever gains cells, so a reader that reads the manifests first always finds
their metrics.
"""

from __future__ import annotations

import gzip
import io
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from benchmark.core.measures import MAIN_METRIC
from benchmark.store import locks
from benchmark.store.cells import Cell, parse_manifest, read_parquet
from benchmark.store.files import StoreError, publish, why

MANIFESTS = "manifests.jsonl.gz"
METRICS = "metrics.parquet"
DATASET = "dataset.json"
PACK_COLUMNS = ("run_id", "qid", MAIN_METRIC)
#: how a damaged pack is got back
REBUILD = (
    "`run` rebuilds a pack from its cell folders (<out>/runs/<run_id>) when they are there; "
    "else restore it (git restore, if it is tracked) or delete its folder and run the same "
    "command again to recompute its cells"
)


def wide_metrics(cells: list[Cell]) -> pd.DataFrame:
    """One row per (cell, query) with its nDCG@10 at float32, in each cell's original order."""
    frames = []
    for cell in cells:
        long = cell.metrics()
        main = long[long.metric == MAIN_METRIC]
        frames.append(
            pd.DataFrame(
                {
                    "run_id": cell.run_id,
                    "qid": main.qid.to_numpy(),
                    MAIN_METRIC: main.value.to_numpy().astype(np.float32),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def long_metrics(wide: pd.DataFrame) -> pd.DataFrame:
    """The long frame ``qid, metric, value`` of one cell's rows of the packed table."""
    value = wide[MAIN_METRIC].to_numpy().astype(np.float64)
    return pd.DataFrame({"qid": wide["qid"].to_numpy(), "metric": MAIN_METRIC, "value": value})


class Pack:
    """The packed cells of one dataset key."""

    def __init__(self, folder: Path, lock_dir: Path) -> None:
        self.folder = folder
        self.lock_path = lock_dir / f"pack-{folder.name}.lock"

    def manifests(self) -> list[dict[str, Any]]:
        """The packed cells' manifests (none without a pack); a :class:`StoreError` naming the
        file otherwise."""
        path = self.folder / MANIFESTS
        if not path.exists():
            return []
        try:
            lines = gzip.decompress(path.read_bytes()).decode().splitlines()
        except (OSError, EOFError, UnicodeDecodeError) as exc:
            raise StoreError(f"{path}: cannot read ({exc}); {REBUILD}") from None
        return [parse_manifest(line, path) for line in lines if line.strip()]

    def read(self) -> list[Cell]:
        manifests = self.manifests()
        table: dict[str, pd.DataFrame] = {}

        def loader(run_id: str) -> Any:
            def load() -> pd.DataFrame:
                if not table:
                    frame = read_parquet(self.folder / METRICS, PACK_COLUMNS, REBUILD)
                    table.update(dict(iter(frame.groupby("run_id", sort=False))))
                if run_id not in table:
                    raise StoreError(f"{self.folder / METRICS}: no metrics of cell {run_id}")
                return long_metrics(table[run_id])

            return load

        path = self.folder / MANIFESTS
        return [Cell(m["run_id"], m, path, loader(m["run_id"])) for m in manifests]

    def damage(self) -> str | None:
        """What is wrong with the pack (a message naming the file), None when nothing is: its
        manifests read, and its metrics' footer names the pack's columns and one row per
        evaluated test query of each cell (a check of milliseconds: the rows are not read)."""
        try:
            manifests = self.manifests()
            if manifests:
                self.check_metrics(manifests)
        except StoreError as exc:
            return str(exc).removesuffix(f"; {REBUILD}")
        return None

    def check_metrics(self, manifests: list[dict[str, Any]]) -> None:
        path = self.folder / METRICS
        try:
            meta = pq.read_metadata(path)
        except (OSError, ValueError) as exc:
            raise StoreError(f"{path}: unreadable per-query metrics ({exc})") from None
        if not set(PACK_COLUMNS) <= set(meta.schema.names):
            found = ", ".join(meta.schema.names[:6])
            raise StoreError(f"{path}: not a table of per-query metrics (columns {found})")
        counts = [n for m in manifests if isinstance(n := m.get("queries_evaluated"), int)]
        if len(counts) == len(manifests) and sum(counts) != meta.num_rows:
            raise StoreError(
                f"{path}: {meta.num_rows} rows for the {sum(counts)} evaluated test queries of "
                f"the {len(manifests)} cells of {self.folder / MANIFESTS}"
            )

    def packed_ids(self) -> list[str] | None:
        """The run ids of the packed cells: from the manifests, else from the metrics' run ids;
        None when neither file reads."""
        try:
            return [m["run_id"] for m in self.manifests()]
        except StoreError:
            pass
        try:
            column = pq.read_table(self.folder / METRICS, columns=["run_id"]).column(0)
        except (OSError, ValueError, KeyError):
            return None
        return sorted(set(map(str, column.to_pylist())))

    @contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the pack's exclusive lock (waits, saying so, while another run holds it)."""
        with locks.held(self.lock_path, f"another run is writing {self.folder}"):
            yield

    def write(self, cells: list[Cell]) -> None:
        """Replace the pack by ``cells`` (the caller holds :meth:`locked`); no cells leaves an
        empty pack (its ``dataset.json`` stays)."""
        if not cells:
            for name in (MANIFESTS, METRICS):
                (self.folder / name).unlink(missing_ok=True)
            return
        cells = sorted(cells, key=lambda c: c.run_id)
        buffer = io.BytesIO()
        wide_metrics(cells).to_parquet(
            buffer, index=False, compression="zstd", compression_level=19
        )
        lines = "".join(json.dumps(c.manifest, sort_keys=True) + "\n" for c in cells)
        publish({self.folder / METRICS: buffer.getvalue()})
        publish({self.folder / MANIFESTS: gzip.compress(lines.encode(), mtime=0)})

    def mark(self, record: dict[str, Any]) -> None:
        """Write ``dataset.json`` (the caller holds :meth:`locked`) unless it already says so."""
        if self.dataset() != record:
            publish({self.folder / DATASET: json.dumps(record, indent=2, sort_keys=True) + "\n"})

    def dataset(self) -> dict[str, Any] | None:
        path = self.folder / DATASET
        if not path.exists():
            return None
        try:
            record = json.loads(path.read_text())
        except OSError as exc:
            problem = why(path, exc, writing=False)
            raise StoreError(f"{path}: not a readable dataset record ({problem})") from None
        except ValueError as exc:
            raise StoreError(f"{path}: not a readable dataset record ({exc})") from None
        if not isinstance(record, dict):
            raise StoreError(f"{path}: not a readable dataset record (not a JSON object)")
        return record

    def fingerprints(self, record: dict[str, Any]) -> set[str]:
        """The current data fingerprints of ``record`` (its ``dataset.json`` or one about to be
        written; one per fold of a cross-validated dataset)."""
        prints = record.get("fingerprints", [record.get("fingerprint")])
        if not isinstance(prints, list) or not all(isinstance(p, str) for p in prints):
            raise StoreError(f"{self.folder / DATASET}: a dataset record without a fingerprint")
        return set(prints)
