"""``interleave``: round-robin over modalities, each in its g^m order (label-free)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from baselines.common import within_modality_rank
from benchmark.core.data import Split
from benchmark.core.reranker import Layout, Reranker, register


@register("interleave")
@dataclass
class Interleave(Reranker):
    """Round r takes the r-th best item of every modality, modalities in the dataset's order."""

    description = "label-free: round-robin over modalities, each in g^m order"
    in_default_run = True
    inputs = "g^m order within each modality, modality"
    objective = "none (label-free): round-robin over modalities in the dataset's order"

    def fit(self, train: Split, valid: Split, *, layout: Layout, seed: int) -> Interleave:
        self.n_modalities_ = len(layout.modalities)
        return self

    def score(self, split: Split) -> np.ndarray:
        slot = within_modality_rank(split) * self.n_modalities_ + split.modality
        return -slot.astype(np.float64)
