"""Helpers shared by several rerankers: per-(page, modality) groups and the learned models'
feature matrix."""

from __future__ import annotations

import numpy as np

from benchmark.core.data import Split
from benchmark.core.reranker import Layout


def page_modality_groups(split: Split) -> np.ndarray:
    """A group id per row: one group per (page, modality)."""
    n_mod = int(split.modality.max()) + 1 if split.n_items else 1
    return split.query_index * n_mod + split.modality


def group_stats(values: np.ndarray, groups: np.ndarray) -> tuple[np.ndarray, ...]:
    """Per-row min, max, mean and std of ``values`` over each row's group."""
    ids, inverse = np.unique(groups, return_inverse=True)
    count = np.bincount(inverse).astype(np.float64)
    total = np.bincount(inverse, values)
    mean = total / count
    var = np.maximum(np.bincount(inverse, values**2) / count - mean**2, 0)
    lo = np.full(len(ids), np.inf)
    hi = np.full(len(ids), -np.inf)
    np.minimum.at(lo, inverse, values)
    np.maximum.at(hi, inverse, values)
    return lo[inverse], hi[inverse], mean[inverse], np.sqrt(var)[inverse]


def within_modality_rank(split: Split) -> np.ndarray:
    """0-based rank of each row by g_score (descending, ties by item id) inside its
    (page, modality) group."""
    groups = page_modality_groups(split)
    order = np.lexsort((split.item_ids, -split.g_score.astype(np.float64), groups))
    sorted_groups = groups[order]
    starts = np.flatnonzero(np.r_[True, sorted_groups[1:] != sorted_groups[:-1]])
    first = np.repeat(starts, np.diff(np.r_[starts, len(order)]))
    rank = np.empty(split.n_items, dtype=np.int64)
    rank[order] = np.arange(len(order)) - first
    return rank


def minmax_in_modality(split: Split) -> np.ndarray:
    """g_score min-max normalised inside each (page, modality); a lone item gets 0.5."""
    g = split.g_score.astype(np.float64)
    lo, hi, _, _ = group_stats(g, page_modality_groups(split))
    span = hi - lo
    return np.where(span > 0, (g - lo) / np.where(span > 0, span, 1), 0.5)


def learned_features(split: Split, layout: Layout) -> np.ndarray:
    """Item features, query features, modality one-hot, g_score, and g's position inside its
    modality on the page (rank and min-max value): the input of the learned rerankers. (The
    stacked columns are float32 already on float32 features: no second copy, which cost 0.3 s
    per million rows in fresh memory, issue 19.)"""
    onehot = np.eye(len(layout.modalities), dtype=np.float32)[split.modality]
    return np.hstack(
        [
            split.features,
            split.row_query_features(),
            onehot,
            split.g_score[:, None],
            within_modality_rank(split)[:, None].astype(np.float32),
            minmax_in_modality(split)[:, None].astype(np.float32),
        ]
    ).astype(np.float32, copy=False)


def revealed_rows(split: Split) -> tuple[np.ndarray, np.ndarray]:
    """Rows whose page label was revealed, and their group sizes (pages without any dropped)."""
    known = split.page_label >= 0
    counts = np.add.reduceat(known.astype(np.int64), split.offsets[:-1])
    return np.flatnonzero(known), counts[counts > 0]


def revealed_features(split: Split, layout: Layout) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`learned_features` of the rows of :func:`revealed_rows`, their page labels and
    group sizes. Only the pages with a revealed label are stacked (every feature is computed
    within its page, so the values are the whole split's, row for row): at a 10 % budget a
    tenth of the matrix, which in fresh memory cost 0.1 s per 100k rows (issue 19)."""
    pages = np.unique(split.query_index[split.page_label >= 0])
    labelled = split if len(pages) == split.n_queries else split.select_queries(pages)
    rows, sizes = revealed_rows(labelled)
    return learned_features(labelled, layout)[rows], labelled.page_label[rows], sizes
