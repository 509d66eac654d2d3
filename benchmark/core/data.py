"""The data model of PROTOCOL.md section 2.

A :class:`Split` holds the items of a set of queries, grouped contiguously by query. Query
boundaries are explicit ``offsets`` (rows of query ``k`` are ``offsets[k]:offsets[k + 1]``), so
nobody ever rebuilds a LightGBM ``group`` from ``np.unique`` counts. A :class:`Dataset` bundles
the four splits with the names of the modalities and the feature layout.

Labels use ``-1`` for "unknown": the harness hands rerankers copies of the splits in which the
labels they may not see are ``-1`` (:meth:`Split.hide_labels`), so hidden labels are not merely
discouraged, they are absent from the objects a reranker receives.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

UNKNOWN = -1
SPLITS = ("modal_train", "page_train", "page_valid", "test")
#: The arrays of a :class:`Split` with one entry per row (``modal_features`` aside: optional).
ROW_FIELDS = ("item_ids", "modality", "features", "g_score", "page_label", "modal_label")
#: An optional split of pages with single-modal scores and no page label (a protocol
#: extension, off by default): never sold by the oracle, given only to rerankers that declare
#: :attr:`benchmark.core.reranker.Reranker.unlabelled_pages`.
UNLABELLED = "page_unlabelled"
MAX_LABEL = 4


class DataError(ValueError):
    """Malformed or inconsistent data; the message names the problem."""


@dataclass(frozen=True, eq=False)
class Split:
    """Items of a set of queries, contiguous by query.

    Arrays of length ``n_items``: ``item_ids`` (str), ``modality`` (int8), ``features``
    (float32, ``n_items x n_features``), ``g_score`` (float32, NaN before stage 1),
    ``page_label`` and ``modal_label`` (int8, ``-1`` = unknown). Arrays of length ``n_queries``:
    ``qids`` (str) and ``query_features`` (float32). ``pairs`` optionally holds row-index pairs
    ``(i, j)`` meaning "i is preferred to j" within one query (bought by the iso-anchor strategy).
    ``modal_features`` optionally holds a second view of the item features, same shape as
    ``features``, seen only by the single-modal rankers of stage 1 (a dataset with a view gap);
    ``None`` means stage 1 sees ``features`` too. Stage 1 drops it, so no reranker receives it.
    """

    name: str
    qids: np.ndarray
    offsets: np.ndarray
    item_ids: np.ndarray
    modality: np.ndarray
    features: np.ndarray
    query_features: np.ndarray
    g_score: np.ndarray
    page_label: np.ndarray
    modal_label: np.ndarray
    pairs: np.ndarray = field(default_factory=lambda: np.zeros((0, 2), dtype=np.int64))
    modal_features: np.ndarray | None = None

    def __post_init__(self) -> None:
        self.validate()

    # -- construction helpers ---------------------------------------------------------------
    @classmethod
    def from_query_ids(cls, name: str, row_qids: np.ndarray, **arrays: np.ndarray) -> Split:
        """Build a split from a per-row query id column that is already grouped contiguously.

        Raises :class:`DataError` when a query's rows are not contiguous.
        """
        row_qids = np.asarray(row_qids).astype(str)
        if len(row_qids) == 0:
            starts = np.zeros(0, dtype=np.int64)
        else:
            starts = np.flatnonzero(np.r_[True, row_qids[1:] != row_qids[:-1]])
        qids = row_qids[starts]
        if len(set(qids.tolist())) != len(qids):
            raise DataError(f"split {name!r}: rows of a query are not contiguous")
        offsets = np.r_[starts, len(row_qids)].astype(np.int64)
        return cls(name=name, qids=qids, offsets=offsets, **arrays)

    def validate(self) -> None:
        """Check shapes, dtypes, contiguity and values; raise :class:`DataError` on any problem."""
        n, nq = len(self.item_ids), len(self.qids)
        where = f"split {self.name!r}"
        if self.offsets.shape != (nq + 1,) or (nq and self.offsets[0] != 0):
            raise DataError(f"{where}: offsets must have n_queries + 1 entries starting at 0")
        if self.offsets[-1] != n:
            raise DataError(f"{where}: offsets end at {self.offsets[-1]} but there are {n} items")
        sizes = np.diff(self.offsets)
        if np.any(sizes <= 0):
            empty = self.qids[np.flatnonzero(sizes <= 0)[0]]
            raise DataError(f"{where}: query {str(empty)!r} has no items")
        for col in ("modality", "g_score", "page_label", "modal_label"):
            if getattr(self, col).shape != (n,):
                raise DataError(f"{where}: column {col!r} has shape {getattr(self, col).shape}")
        if self.features.ndim != 2 or self.features.shape[0] != n:
            raise DataError(f"{where}: features must be a 2-d array with one row per item")
        if self.query_features.ndim != 2 or self.query_features.shape[0] != nq:
            raise DataError(f"{where}: query_features must have one row per query")
        if not (np.isfinite(self.features).all() and np.isfinite(self.query_features).all()):
            row = int(np.flatnonzero(~np.isfinite(self.features).all(axis=1))[0]) if n else 0
            raise DataError(
                f"{where}: non-finite (NaN/inf) feature values, first at item row {row}"
            )
        for col in ("page_label", "modal_label"):
            lab = getattr(self, col)
            if lab.size and (lab.min() < UNKNOWN or lab.max() > MAX_LABEL):
                raise DataError(f"{where}: {col} outside -1..{MAX_LABEL}")
        if self.modal_features is not None and (
            self.modal_features.shape != self.features.shape
            or not np.isfinite(self.modal_features).all()
        ):
            raise DataError(f"{where}: modal_features must be finite and shaped like features")
        if self.pairs.ndim != 2 or self.pairs.shape[1] != 2:
            raise DataError(f"{where}: pairs must be an (n, 2) array of row indices")

    # -- views ------------------------------------------------------------------------------
    @property
    def n_items(self) -> int:
        return len(self.item_ids)

    @property
    def n_queries(self) -> int:
        return len(self.qids)

    @property
    def stage1_features(self) -> np.ndarray:
        """The item features the single-modal rankers see (``modal_features`` if any)."""
        return self.features if self.modal_features is None else self.modal_features

    @property
    def group_sizes(self) -> np.ndarray:
        """Items per query in row order: exactly what LightGBM's ``group`` wants."""
        return np.diff(self.offsets)

    @property
    def query_index(self) -> np.ndarray:
        """For each row, the index of its query in ``qids``."""
        return np.repeat(np.arange(self.n_queries), self.group_sizes)

    def queries(self) -> Iterator[tuple[int, slice]]:
        """Yield ``(query_index, row_slice)`` for each query."""
        for k in range(self.n_queries):
            yield k, slice(int(self.offsets[k]), int(self.offsets[k + 1]))

    def replace(self, **changes: np.ndarray | str | None) -> Split:
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]

    def hide_labels(self, page_label: np.ndarray | None = None) -> Split:
        """A copy with ``modal_label`` unknown and ``page_label`` replaced (default: unknown)."""
        unknown = np.full(self.n_items, UNKNOWN, dtype=np.int8)
        return self.replace(
            page_label=unknown if page_label is None else page_label.astype(np.int8),
            modal_label=unknown,
            pairs=np.zeros((0, 2), dtype=np.int64),
        )

    def select_queries(self, keep: np.ndarray, name: str | None = None) -> Split:
        """The sub-split made of the queries whose indices are in ``keep`` (order kept)."""
        keep = np.sort(np.asarray(keep, dtype=np.int64))
        rows = (
            np.concatenate([np.arange(self.offsets[k], self.offsets[k + 1]) for k in keep])
            if len(keep)
            else np.zeros(0, dtype=np.int64)
        )
        sizes = self.group_sizes[keep]
        return Split(
            name=name or self.name,
            qids=self.qids[keep],
            offsets=np.r_[0, np.cumsum(sizes)].astype(np.int64),
            query_features=self.query_features[keep],
            modal_features=None if self.modal_features is None else self.modal_features[rows],
            **{f: getattr(self, f)[rows] for f in ROW_FIELDS},
        )

    def concat(self, other: Split) -> Split:
        """This split's queries followed by ``other``'s, under this split's name (no pairs).
        Stage 1's own view (``modal_features``) is kept when both have it; only one having it
        is a ``ValueError`` (dropping it would silently change what stage 1 sees)."""
        rows = {f: np.concatenate([getattr(self, f), getattr(other, f)]) for f in ROW_FIELDS}
        extra = None
        if (self.modal_features is None) != (other.modal_features is None):
            raise ValueError(
                f"cannot join splits {self.name!r} and {other.name!r}: only one has stage 1's "
                "own view of the items (modal_features)"
            )
        if self.modal_features is not None and other.modal_features is not None:
            extra = np.concatenate([self.modal_features, other.modal_features])
        return Split(
            name=self.name,
            qids=np.concatenate([self.qids, other.qids]),
            offsets=np.r_[self.offsets, self.offsets[-1] + other.offsets[1:]].astype(np.int64),
            query_features=np.concatenate([self.query_features, other.query_features]),
            modal_features=extra,
            **rows,
        )

    def row_query_features(self) -> np.ndarray:
        """Query features repeated onto every row."""
        return self.query_features[self.query_index]


@dataclass(frozen=True, eq=False)
class Dataset:
    """The four splits of PROTOCOL.md section 2 plus the modality and feature layout.

    ``feature_modality[j]`` is the modality that feature column ``j`` belongs to (each modality
    has its own feature space; a row has zeros in the other modalities' columns), or ``-1`` for
    a column shared by every modality.
    """

    name: str
    modalities: tuple[str, ...]
    feature_modality: np.ndarray
    splits: dict[str, Split]
    info: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        missing = [s for s in SPLITS if s not in self.splits]
        if missing:
            raise DataError(f"dataset {self.name!r}: missing splits {missing}")
        seen: dict[str, str] = {}
        for split in self.splits.values():
            if split.features.shape[1] != len(self.feature_modality):
                raise DataError(f"dataset {self.name!r}: split {split.name!r} feature count")
            if split.modality.size and split.modality.max() >= len(self.modalities):
                raise DataError(f"dataset {self.name!r}: modality id out of range")
            for q in split.qids.tolist():
                if q in seen:
                    raise DataError(
                        f"dataset {self.name!r}: query {q!r} in both {seen[q]!r} and "
                        f"{split.name!r}; splits must be disjoint by query"
                    )
                seen[q] = split.name

    def __getitem__(self, split: str) -> Split:
        return self.splits[split]

    def modality_columns(self, m: int) -> np.ndarray:
        """Indices of the feature columns modality ``m`` uses (its own and the shared ones)."""
        return np.flatnonzero((self.feature_modality == m) | (self.feature_modality == -1))

    def with_splits(self, **splits: Split) -> Dataset:
        return dataclasses.replace(self, splits={**self.splits, **splits})
