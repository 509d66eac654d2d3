"""``fusion-minmax``: g^m min-max normalised inside each page and modality, then merged."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from baselines.common import minmax_in_modality
from benchmark.core.data import Split
from benchmark.core.reranker import Layout, Reranker, register


@register("fusion-minmax")
@dataclass
class FusionMinMax(Reranker):
    """Score = (g - min) / (max - min) over the item's modality on its page (lone item: 0.5)."""

    description = "label-free: per-page min-max normalised g^m, merged"
    in_default_run = True
    inputs = "g^m only"
    objective = "none (label-free): g^m min-max normalised in (page, modality), merged"

    def fit(self, train: Split, valid: Split, *, layout: Layout, seed: int) -> FusionMinMax:
        return self

    def score(self, split: Split) -> np.ndarray:
        return minmax_in_modality(split)
