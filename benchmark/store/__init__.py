"""The results store: the only code that reads or writes a results folder.

Layout of ``<out>/``:

=============================================  ================================================
``runs/<run_id>/``                             a finished cell (see :mod:`.cells`); local
``runs/qrels/<key>-<fingerprint>.qrels``       test labels of one version of a dataset; local
``runs/.locks/``                               cell and pack locks; local
``cells/<key>/``                               the packed cells of a dataset (see :mod:`.packs`)
``leaderboards/``, ``reports/<key>/``          derived views, written with :func:`publish`
=============================================  ================================================

"local" means not kept in git (bulk or machine-specific); ``cells/`` is what a clone carries.
A cell is identified by its config's hash, which includes the dataset's content fingerprint, so a
cell computed on other data is never reused, and a dataset's views show only the cells of its
current data (``cells/<key>/dataset.json``: its fingerprint, version and identity). Cells are
read from the packs and the cell folders (a folder wins over a packed copy of the same cell: it
is at least as new).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from benchmark.core.annotation import strategy_version
from benchmark.core.config import SUITE_VERSION
from benchmark.store.cells import Cell, LooseCells
from benchmark.store.files import (
    DiskFull,
    StoreError,
    publish,
    staged,
    sweep_temporaries,
    temporary,
    why,
    write_atomic,
)
from benchmark.store.packs import MANIFESTS, Pack

__all__ = ["Cell", "DiskFull", "Store", "StoreError", "publish", "staged", "write_atomic"]


def qrels_ref(name: str) -> str:
    """Where the qrels file ``name`` is, relative to a results folder (as manifests say)."""
    return f"runs/qrels/{name}"


class Store:
    """One results folder."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.loose = LooseCells(out / "runs")
        self._packed: dict[str, tuple[float, dict[str, Cell]]] = {}

    # -- cells ----------------------------------------------------------------------------
    def pack(self, key: str) -> Pack:
        return Pack(self.out / "cells" / key, self.loose.root / ".locks")

    def packed(self, key: str) -> dict[str, Cell]:
        """The packed cells of ``key`` by run id (re-read when the pack changed)."""
        path = self.pack(key).folder / MANIFESTS
        stamp = path.stat().st_mtime_ns if path.exists() else -1.0
        if key not in self._packed or self._packed[key][0] != stamp:
            self._packed[key] = (stamp, {c.run_id: c for c in self.pack(key).read()})
        return self._packed[key][1]

    def find(self, run_id: str, key: str) -> Cell | None:
        """A finished cell, from its folder or from the pack of dataset ``key``."""
        return self.loose.get(run_id) or self.packed(key).get(run_id)

    def keys(self) -> list[str]:
        """Every dataset key with cells, packed or loose."""
        packed = {p.parent.name for p in (self.out / "cells").glob(f"*/{MANIFESTS}")}
        return sorted(packed | {c.dataset_key for c in self.loose.scan()})

    def cells(self, key: str, record: dict[str, Any] | None = None) -> list[Cell]:
        """The current cells of dataset ``key``: this suite version, each strategy's current
        version, the dataset's current data as ``dataset.json`` (or ``record``, one about to be
        written) says: its fingerprint (one per fold of a cross-validated key), version and
        identity (``spec``: cells of an older version that named a folder by its path are not
        current); cell folders win over packed copies. Raises :class:`StoreError` on an
        unreadable cell or when, without a record, a fold has cells of several data versions."""
        merged = dict(self.packed(key))
        merged |= {c.run_id: c for c in self.loose.scan() if c.dataset_key == key}
        cells = [c for c in merged.values() if current_code(c.config)]
        record = self.pack(key).dataset() if record is None else record
        if record is not None:
            prints = self.pack(key).fingerprints(record)
            cells = [c for c in cells if current_data(c.config, record, prints)]
        else:
            self.check_one_version(key, cells)
        return sorted(cells, key=lambda c: c.run_id)

    def check_one_version(self, key: str, cells: list[Cell]) -> None:
        """Without a dataset record, every fold's cells must be of one data version."""
        by_fold: dict[str, set[str]] = {}
        for c in cells:
            fold = str(c.config.get("dataset_params", {}).get("fold"))
            by_fold.setdefault(fold, set()).add(c.config.get("data_fingerprint", ""))
        versions = max((len(v) for v in by_fold.values()), default=1)
        if versions > 1:
            raise StoreError(
                f"{self.out / 'cells' / key}: cells of {versions} versions of the data and no "
                "dataset.json saying which is current; re-run to mark it"
            )

    @contextmanager
    def computing(self, run_id: str) -> Iterator[None]:
        """The cell's lock: two runs into one folder compute a cell once."""
        with self.loose.lock(run_id):
            yield

    def staging(self, run_id: str) -> Any:
        return self.loose.staging(run_id)

    def try_lock(self, run_id: str) -> Any:
        """The cell's lock if free (an open handle for :meth:`release`), else None."""
        return self.loose.try_lock(run_id)

    def release(self, handle: Any) -> None:
        self.loose.release(handle)

    def commit(self, run_id: str, files: dict[str, bytes]) -> Cell:
        """Write a cell computed elsewhere (a worker) into place; the caller holds its lock.
        The manifest is written last."""
        with self.staging(run_id) as tmp:
            for name in sorted(files, key=lambda n: n == "manifest.json"):
                write_atomic(tmp / name, files[name])
        cell = self.loose.get(run_id)
        assert cell is not None
        return cell

    def rewrite(self, cell: Cell, files: dict[str, bytes]) -> Cell:
        """A finished cell folder with ``files`` written over or added, the rest kept, put in
        place all at once (:meth:`commit`); the caller holds the cell's lock."""
        kept = {p.name: p.read_bytes() for p in cell.source.iterdir() if p.name not in files}
        return self.commit(cell.run_id, kept | files)

    # -- qrels ----------------------------------------------------------------------------
    def qrels(self, name: str, lines: Iterator[str]) -> Path:
        """The test qrels file ``name`` of one version of a dataset, written from ``lines``
        the first time it is asked for (:func:`qrels_ref`)."""
        path = self.out / qrels_ref(name)
        if not path.exists():
            write_atomic(path, "".join(lines))
        return path

    def cell_qrels(self, cell: Cell) -> Path:
        """The qrels file a finished cell was evaluated against (named in its manifest)."""
        return self.out / cell.manifest["qrels"]

    def pack_cells(self, key: str) -> int:
        """Fold the cell folders of ``key`` into its pack; returns how many were added or
        replaced (0: the pack is left untouched)."""
        pack = self.pack(key)
        with pack.locked():
            packed = {c.run_id: c for c in pack.read()}
            loose = [c for c in self.loose.scan() if c.dataset_key == key]
            changed = [
                c
                for c in loose
                if c.run_id not in packed or c.manifest != packed[c.run_id].manifest
            ]
            if changed:
                pack.write(list((packed | {c.run_id: c for c in changed}).values()))
        return len(changed)

    def repair(self, key: str) -> int:
        """Rebuild the pack of ``key`` if it is damaged (:meth:`Pack.damage`) from the cell
        folders of its cells, the pack they give afresh; returns how many cells it was rebuilt
        from (0: nothing to do). A :class:`StoreError` naming the file and how to get it back
        when some of its cells have no folder here (a clone: cell folders are local)."""
        pack = self.pack(key)
        if pack.damage() is None:
            return 0
        with pack.locked():
            problem = pack.damage()
            if problem is None:
                return 0
            ids = pack.packed_ids()
            found = {run_id: self.loose.get(run_id) for run_id in ids or []}
            missing = [run_id for run_id, cell in found.items() if cell is None]
            if ids is None or missing:
                lost = (
                    f"{len(missing)} of its {len(found)} cells have no folder in {self.loose.root}"
                    if ids is not None
                    else "neither of its two files says which cells it holds"
                )
                raise StoreError(
                    f"{problem}; it cannot be rebuilt ({lost}): restore it (git restore "
                    f"{pack.folder}, if it is tracked) or delete {pack.folder} and run the same "
                    "command again to recompute its cells"
                )
            pack.write([cell for cell in found.values() if cell is not None])
        self._packed.pop(key, None)
        return len(found)

    def prune(self, key: str) -> int:
        """Remove the cells of ``key`` that :meth:`cells` no longer shows (an older suite or
        strategy version, data that is no longer current) from its pack and its cell folders
        (a folder whose cell is being computed is left); returns how many were removed."""
        keep = {c.run_id for c in self.cells(key)}
        removed: set[str] = set()
        pack = self.pack(key)
        with pack.locked():
            packed = pack.read()
            stale = {c.run_id for c in packed} - keep
            if stale:
                pack.write([c for c in packed if c.run_id in keep])
                removed |= stale
        for cell in self.loose.scan():
            if cell.dataset_key != key or cell.run_id in keep:
                continue
            handle = self.loose.try_lock(cell.run_id)
            if handle is not None:
                try:
                    self.loose.discard(cell.run_id)
                finally:
                    self.loose.release(handle)
                removed.add(cell.run_id)
        return len(removed)

    # -- datasets -------------------------------------------------------------------------
    def mark_dataset(self, key: str, record: dict[str, Any]) -> None:
        """Record the data version the views of ``key`` show from now on: ``fingerprint``, or
        ``fingerprints`` (every fold's) for a cross-validated key."""
        pack = self.pack(key)
        with pack.locked():
            pack.mark(record)

    def check_writable(self, keys: Iterable[str] = ()) -> None:
        """Create the results folder if needed and write (then remove) a probe file in it and
        in each folder a run writes to (``runs/`` and its ``qrels/``, ``cells/``,
        ``leaderboards/``, ``reports/``; the ``cells/`` and ``reports/`` folders of ``keys``)
        that exists, so that a read-only or full folder, or a file where a folder must be, is
        one :class:`StoreError` before any cell runs (the lock files: :mod:`.locks`)."""
        runs = self.loose.root
        folders = [self.out, runs, runs / "qrels", self.out / "leaderboards"]
        for kind in ("cells", "reports"):
            folders += [self.out / kind, *(self.out / kind / key for key in keys)]
        for folder in folders:
            blocked = any(p.exists() and not p.is_dir() for p in [folder, *folder.parents])
            if folder != self.out and not folder.exists() and not blocked:
                continue  # made when needed
            probe = temporary(folder / "probe")
            try:
                folder.mkdir(parents=True, exist_ok=True)
                probe.write_bytes(b"probe")
            except OSError as exc:
                raise StoreError(
                    f"cannot write to the results folder {self.out}: {why(probe, exc)}"
                ) from None
            finally:
                with suppress(OSError):
                    probe.unlink(missing_ok=True)

    def sweep(self) -> list[Path]:
        """Remove what dead processes left behind in the results folder."""
        removed = self.loose.sweep()
        folders = [self.out / "leaderboards", self.loose.root / "qrels"]
        folders += [*(self.out / "reports").glob("*"), *(self.out / "cells").glob("*")]
        for folder in folders:
            removed += sweep_temporaries(folder)
        return removed


def current_data(config: dict[str, Any], record: dict[str, Any], prints: set[str]) -> bool:
    """The cell was computed on the data ``record`` names: one of its fingerprints, its version
    and its dataset identity (each when the record has it)."""
    return (
        config.get("data_fingerprint", "") in prints
        and config.get("dataset_version") == record.get("version", config.get("dataset_version"))
        and config.get("dataset") == record.get("spec", config.get("dataset"))
    )


def current_code(config: dict[str, Any]) -> bool:
    """The cell was computed by this suite version and its strategy's current version."""
    return config.get("suite_version") == SUITE_VERSION and config.get(
        "strategy_version", "1"
    ) == strategy_version(config.get("strategy"))
