"""``sft``: the SMAR network trained on the revealed page labels only (SMAR.md's "SFT")."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from baselines.smar_losses import list_mle
from baselines.smar_net import Pages
from baselines.smar_train import PageNetReranker, Weights, labelled_pages
from benchmark.core.reranker import register


@register("sft")
@dataclass
class SFT(PageNetReranker):
    """``L = ListMLE(f on the revealed items of a page, in page-label order)`` (ties ordered at
    random, a new order every step), on the pages with at least two revealed labels. The same
    network, optimiser and early stopping as ``smar``."""

    description = "budgeted: the SMAR network trained on the revealed page labels (ListMLE)"
    default_strategy = "pages"

    def train_pages(self, pages: Pages) -> np.ndarray:
        return labelled_pages(pages)

    def loss(
        self, scores: torch.Tensor, batch: Pages, weights: Weights, tie_break: torch.Tensor
    ) -> torch.Tensor:
        known = batch.mask & (batch.label >= 0)
        return list_mle(scores, batch.label, known, tie_break, squash=self.squash)
