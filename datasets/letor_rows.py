"""Row-level helpers of the LETOR families: query boundaries, seeded query splits, stable row
hashes and item ids, and the plain (one-modality) split."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from benchmark.core.data import Split
from datasets.svmlight import LtrFile

#: Rows worked on at once where a float64 copy of the features is needed (the per-query means,
#: the ``letor-serp`` page features): bounds the temporaries, whatever the size of the file.
CHUNK_ROWS = 1 << 16


def empty(width: int) -> LtrFile:
    none = np.zeros(0, dtype=np.int64)
    return LtrFile(Path(), none, none, np.zeros((0, width), dtype=np.float32))


def query_starts(f: LtrFile) -> np.ndarray:
    return np.flatnonzero(np.r_[True, f.qids[1:] != f.qids[:-1]]) if f.n_rows else f.qids


def take_queries(f: LtrFile, fraction: float, seed: int) -> tuple[LtrFile, LtrFile]:
    """Split a part by query: a seeded ``fraction`` of its queries, then the others."""
    starts = query_starts(f)
    bounds = np.r_[starts, f.n_rows]
    chosen = np.zeros(len(starts), dtype=bool)
    n_take = min(len(starts) - 1, max(1, round(fraction * len(starts))))
    chosen[np.random.default_rng(seed).permutation(len(starts))[:n_take]] = True
    row_chosen = np.repeat(chosen, np.diff(bounds))
    return tuple(  # type: ignore[return-value]
        LtrFile(f.path, f.labels[m], f.qids[m], f.features[m]) for m in (row_chosen, ~row_chosen)
    )


def positions(f: LtrFile) -> np.ndarray:
    starts = query_starts(f)
    sizes = np.diff(np.r_[starts, f.n_rows])
    return np.arange(f.n_rows) - np.repeat(starts, sizes)


def mix(values: np.ndarray) -> np.ndarray:
    """The splitmix64 finaliser: a well-spread 64-bit hash of each value."""
    x = values.astype(np.uint64)
    x ^= x >> np.uint64(30)
    x *= np.uint64(0xBF58476D1CE4E5B9)
    x ^= x >> np.uint64(27)
    x *= np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def row_hash(f: LtrFile, seed: int) -> np.ndarray:
    salt = np.uint64(seed * 0x9E3779B97F4A7C15 % 2**64)
    key = mix(f.qids.astype(np.uint64) + salt)
    return mix(key ^ positions(f).astype(np.uint64))


def item_ids(f: LtrFile) -> np.ndarray:
    tag = np.char.mod("d%08x-", (row_hash(f, 0) >> np.uint64(32)).astype(np.int64))
    return np.char.add(tag, positions(f).astype(str)).astype(str)


def plain_split(name: str, f: LtrFile) -> Split:
    n = f.n_rows
    label = f.labels.astype(np.int8)
    return Split.from_query_ids(
        name,
        f.qids.astype(str),
        item_ids=item_ids(f),
        modality=np.zeros(n, dtype=np.int8),
        features=f.features,
        query_features=np.zeros((len(query_starts(f)), 0), np.float32),
        g_score=np.full(n, np.nan, dtype=np.float32),
        page_label=label,
        modal_label=label,
    )


def query_means(f: LtrFile) -> np.ndarray:
    """Per-query mean of every real feature. The float64 copy is made for whole queries of
    about :data:`CHUNK_ROWS` rows at a time (each query's sum is its own: the same numbers as
    in one go), not for the whole file at once."""
    if not f.n_rows:
        return np.zeros((0, f.features.shape[1]))
    starts = query_starts(f)
    bounds = np.r_[starts, f.n_rows]
    firsts = np.arange(0, f.n_rows, CHUNK_ROWS)
    cuts = np.unique(np.searchsorted(starts, firsts, side="right") - 1)
    sums = np.empty((len(starts), f.features.shape[1]))
    for a, b in zip(cuts, np.r_[cuts[1:], len(starts)], strict=True):
        rows = f.features[bounds[a] : bounds[b]].astype(np.float64)
        sums[a:b] = np.add.reduceat(rows, starts[a:b] - bounds[a], axis=0)
    return sums / np.diff(bounds)[:, None]
