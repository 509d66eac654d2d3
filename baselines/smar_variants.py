"""SMAR's distillation variants and ablations (SMAR.md section 5), all on the paper's network
(no g^m input) and with ``smar``'s beta grid:

=====================  ========================================================  ===========
reranker               loss                                                      strategy
=====================  ========================================================  ===========
``smar-pairwise``      ListMLE(labels) + beta * sum_m hinge(g^m pairs, gamma)    middle
``smar-kl``            ListMLE(labels) + beta * sum_m KL(g^m / tau || f / tau)   middle
``smar-anchors``       ``smar`` + hinge(iso-anchor cross-modal pairs, gamma)     iso-anchors
``smar-no-distill``    ListMLE(labels) only (= ``sft`` on the band labels)       middle
``smar-distill-only``  sum_m ListMLE(f in g^m order) only (labels: validation)   middle
=====================  ========================================================  ===========

gamma and tau are chosen with beta on the revealed ``page_valid`` labels (``fit_info``).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar

from baselines.sft import SFT
from baselines.smar import SMAR, SMAR_INPUTS
from baselines.smar_losses import kl_distillation, pair_hinge, pairwise_distillation
from baselines.smar_net import Pages
from baselines.smar_train import Weights
from benchmark.core.lazy import lazy
from benchmark.core.reranker import register

if TYPE_CHECKING:
    import torch
else:
    torch = lazy("torch")


def beta_gamma_grid(betas: list[float], gammas: list[float]) -> list[Weights]:
    """Every (beta, gamma) pair: the validation grid of the hinge-based variants."""
    return [{"beta": float(b), "gamma": float(g)} for b, g in itertools.product(betas, gammas)]


@register("smar-pairwise")
@dataclass
class SMARPairwise(SMAR):
    """Pairwise hinge distillation (the paper's formula), margin gamma chosen on validation."""

    description = "budgeted: SMAR with pairwise hinge distillation (margin gamma)"
    in_default_run = False
    objective = "ListMLE(labels) + beta x sum_m hinge(gamma) on g^m pairs; beta, gamma on valid"
    gammas: list[float] = field(default_factory=lambda: [1.0, 0.3])

    def candidates(self) -> list[Weights]:
        return beta_gamma_grid(self.betas, self.gammas)

    def distillation(
        self, scores: torch.Tensor, batch: Pages, weights: Weights, tie_break: torch.Tensor
    ) -> torch.Tensor:
        return pairwise_distillation(scores, *self.teacher(batch), weights["gamma"])


@register("smar-kl")
@dataclass
class SMARKL(SMAR):
    """KL distillation between the softmaxes of g^m (z-scored in the page) and f, temperature
    tau chosen on validation."""

    description = "budgeted: SMAR with KL distillation (temperature tau)"
    in_default_run = False
    objective = "ListMLE(labels) + beta x sum_m KL(g^m/tau || f/tau); beta, tau on valid"
    taus: list[float] = field(default_factory=lambda: [1.0, 0.5])

    def candidates(self) -> list[Weights]:
        return [
            {"beta": float(b), "tau": float(t)} for b, t in itertools.product(self.betas, self.taus)
        ]

    def distillation(
        self, scores: torch.Tensor, batch: Pages, weights: Weights, tie_break: torch.Tensor
    ) -> torch.Tensor:
        return kl_distillation(scores, *self.teacher(batch), weights["tau"])


@register("smar-anchors")
@dataclass
class SMARAnchors(SMAR):
    """``smar`` on the labels bought by the iso-anchor search, plus the hinge (margin gamma)
    on the cross-modal preference pairs the anchors imply."""

    description = "budgeted: SMAR + iso-label anchor search and its cross-modal pairs"
    in_default_run = False
    default_strategy = "iso-anchors"
    objective = "smar's loss + hinge(gamma) on iso-anchor cross-modal pairs; beta, gamma on valid"
    gammas: list[float] = field(default_factory=lambda: [1.0, 0.3])

    def candidates(self) -> list[Weights]:
        return beta_gamma_grid(self.betas, self.gammas)

    def loss(
        self, scores: torch.Tensor, batch: Pages, weights: Weights, tie_break: torch.Tensor
    ) -> torch.Tensor:
        better, worse = batch.flat_pairs()
        return super().loss(scores, batch, weights, tie_break) + pair_hinge(
            scores, better, worse, weights["gamma"]
        )


@register("smar-distill-only")
@dataclass
class SMARDistillOnly(SMAR):
    """Ablation: distillation only; revealed labels serve early stopping, not the loss (beta is
    then only a step size, so it is fixed at 1)."""

    description = "budgeted ablation: SMAR without the annotation term"
    in_default_run = False
    objective = "sum_m ListMLE(f in g^m order) only; revealed labels only for early stopping"
    annotation: ClassVar[bool] = False
    betas: list[float] = field(default_factory=lambda: [1.0])


@register("smar-no-distill")
@dataclass
class SMARNoDistill(SFT):
    """Ablation: SMAR without distillation, i.e. ``sft`` on SMAR's band labels."""

    description = "budgeted ablation: SMAR without distillation (sft on the band labels)"
    in_default_run = False
    default_strategy = "middle"
    inputs = SMAR_INPUTS
    objective = "ListMLE on the revealed (band) labels only"
