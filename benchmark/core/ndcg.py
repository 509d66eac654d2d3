"""NDCG@k for training-time validation (early stopping, weight choice), the one copy every
reranker uses. Evaluation never uses it: reported numbers come from ranx on saved runs
(:mod:`benchmark.pipeline.metrics`); tests/core/test_ndcg.py checks the two agree.

Same definition as PROTOCOL §6: gain 2^label - 1, log2 discount, ranking by score descending then
item id ascending; only items whose label is known (``>= 0``, i.e. revealed by the budget) count,
and only queries with a known positive label (others have no ideal ranking).
"""

from __future__ import annotations

import numpy as np

from benchmark.core.data import Split


def revealed_ndcg(split: Split, scores: np.ndarray, k: int = 10) -> float:
    """Mean NDCG@k over the queries of ``split`` with a revealed positive label (NaN if none)."""
    rows = np.flatnonzero(split.page_label >= 0)
    q, ids, lab = split.query_index[rows], split.item_ids[rows], split.page_label[rows]
    gain = 2.0 ** lab.astype(np.float64) - 1
    dcg = np.zeros(split.n_queries)
    ideal = np.zeros(split.n_queries)
    for total, order in (
        (dcg, np.lexsort((ids, -np.asarray(scores, dtype=np.float64)[rows], q))),
        (ideal, np.lexsort((-lab, q))),
    ):
        qs = q[order]
        starts = np.flatnonzero(np.r_[True, qs[1:] != qs[:-1]])
        rank = np.arange(len(qs)) - np.repeat(starts, np.diff(np.r_[starts, len(qs)]))
        np.add.at(total, qs, np.where(rank < k, gain[order] / np.log2(rank + 2.0), 0.0))
    keep = ideal > 0
    return float(np.mean(dcg[keep] / ideal[keep])) if keep.any() else float("nan")
