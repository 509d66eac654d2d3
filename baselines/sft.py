"""``sft``: the SMAR network trained on the revealed page labels only (SMAR.md's "SFT"), and its
variants ``sft-g`` (g^m as an input) and ``sft-squash`` (the released code's squash)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from baselines.smar_losses import list_mle
from baselines.smar_net import Pages
from baselines.smar_train import PageNetReranker, Weights, labelled_pages
from benchmark.core.lazy import lazy
from benchmark.core.reranker import register

if TYPE_CHECKING:
    import torch
else:
    torch = lazy("torch")

#: What the paper's network sees (``g_input`` off).
NET_INPUTS = "item + query features, modality embedding"
#: What the ``*-g`` variants' network sees.
NET_INPUTS_G = NET_INPUTS + " + g^m (standardised per modality, min-max in the page's modality)"


@register("sft")
@dataclass
class SFT(PageNetReranker):
    """``L = ListMLE(f on the revealed items of a page, in page-label order)`` (ties ordered at
    random, a new order every step), on the pages with at least two revealed labels. The same
    network, optimiser and early stopping as ``smar``."""

    description = "budgeted: the SMAR network trained on the revealed page labels (ListMLE)"
    in_default_run = True
    default_strategy = "pages"
    inputs = NET_INPUTS + " (no g^m)"
    objective = "ListMLE on the revealed page labels"

    def train_pages(self, pages: Pages) -> np.ndarray:
        return labelled_pages(pages)

    def loss(
        self, scores: torch.Tensor, batch: Pages, weights: Weights, tie_break: torch.Tensor
    ) -> torch.Tensor:
        known = batch.mask & (batch.label >= 0)
        return list_mle(scores, batch.label, known, tie_break, squash=self.squash)


@register("sft-g")
@dataclass
class SFTG(SFT):
    """``sft`` whose network also takes g^m as an input (the "upstream scores as features"
    setting, PROTOCOL §5)."""

    description = "budgeted: sft with g^m as an input feature"
    in_default_run = True
    inputs = NET_INPUTS_G
    g_input: bool = True


@register("sft-squash")
@dataclass
class SFTSquash(SFT):
    """``sft`` with the released code's ``tanh(s - max s)`` squash before ListMLE: the control
    of ``smar-released``."""

    description = "budgeted: sft with the released code's tanh(s - max s) squash"
    in_default_run = False
    objective = "ListMLE on tanh(s - max s) (the released squash) on the revealed page labels"
    squash: bool = True
