"""``fusion-zscore``: g^m z-scored inside each page and modality, then merged."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from baselines.common import group_stats, page_modality_groups
from benchmark.core.data import Split
from benchmark.core.reranker import Layout, Reranker, register


@register("fusion-zscore")
@dataclass
class FusionZScore(Reranker):
    """Score = (g - mean) / std over the item's modality on its page (std 0: score 0)."""

    description = "label-free: per-page z-scored g^m, merged"
    in_default_run = True
    inputs = "g^m only"
    objective = "none (label-free): g^m z-scored in (page, modality), merged"

    def fit(self, train: Split, valid: Split, *, layout: Layout, seed: int) -> FusionZScore:
        return self

    def score(self, split: Split) -> np.ndarray:
        g = split.g_score.astype(np.float64)
        _, _, mean, std = group_stats(g, page_modality_groups(split))
        return np.where(std > 0, (g - mean) / np.where(std > 0, std, 1), 0.0)
