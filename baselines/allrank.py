"""``allrank`` and ``allrank-mlp``: allRank's listwise neural rankers on the revealed page labels.

Both are built by allRank's ``make_model`` and trained with its losses (through
:mod:`baselines.allrank_adapter`, the only module that imports allRank):

* ``allrank``: fc input layers, a transformer encoder over the items of the page (the
  context-aware model of allRank's paper), a linear output;
* ``allrank-mlp``: the same fc layers and output without the encoder, so each item is scored
  alone; the difference between the two is what list context adds.

Inputs are :func:`baselines.common.learned_features` (item and query features, modality one-hot,
g_score, within-modality rank and min-max), normalised by :class:`Standardiser`. A page is one
slate padded to the longest page of its split (allRank's padding: label -1, masked out of the
attention). Items whose page label the budget did not reveal stay in the slate as context and are
scored, but carry label -1, so the loss ignores them. Only pages with at least two different
revealed labels are trained on: the others carry no ordering information (and make allRank's
neuralNDCG return a loss without gradient). Each epoch is followed by NDCG@10 (gain 2^l - 1,
ties by item id, PROTOCOL §6) on the revealed ``page_valid`` labels; the best epoch's weights are
kept and training stops after ``patience`` epochs without improvement. Scores are the model's
``score`` per item; ties are broken downstream by item id (PROTOCOL §6), as for every reranker.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from baselines.common import learned_features
from benchmark.core import progress
from benchmark.core.data import Split
from benchmark.core.lazy import lazy
from benchmark.core.ndcg import revealed_ndcg
from benchmark.core.reranker import Layout, Reranker, register

if TYPE_CHECKING:
    import torch

    from baselines import allrank_adapter as adapter
    from baselines import allrank_slates as slates
    from baselines.allrank_adapter import Loss, LTRModel
    from baselines.allrank_slates import Slates
else:  # imported by the first fit: the registry needs neither torch nor allRank
    torch = lazy("torch")
    adapter = lazy("baselines.allrank_adapter")
    slates = lazy("baselines.allrank_slates")


@dataclass
class ListwiseAllRank(Reranker):
    """Shared fields and loop of the allRank rerankers; subclasses choose the encoder."""

    cost = 30.0  # relative cell time (work order only)
    #: torch._dynamo: torch's optimizers import it when first built (about 0.9 s)
    imports = ("torch", "torch._dynamo", "baselines.allrank_adapter", "baselines.allrank_slates")

    default_strategy = "pages"
    inputs = "item + query features, modality one-hot, g^m (raw, in-page rank and min-max)"
    objective = "allRank listwise loss (`loss`, neuralNDCG by default) on revealed labels"
    loss: str = "neuralNDCG"
    hidden: int = 64
    fc_layers: int = 2
    # No dropout by default: its Bernoulli masks tripled the CPU cost of a training forward
    # pass. On synthetic-serp (3 seeds) allrank's NDCG@10 was 0.850 without and 0.852 with 0.1
    # at 100 %, 0.767 and 0.787 at 10 % (seed std 0.015); early stopping does the regularising.
    dropout: float = 0.0
    learning_rate: float = 0.01
    batch_size: int = 64
    max_epochs: int = 30
    patience: int = 4
    # One intra-op thread: the tensors are small, and on a shared 2-core machine two OpenMP
    # threads made an epoch several times slower (measured), not faster.
    num_threads: int = 1
    device: str = "cpu"  # or "cuda" (cuda:0)

    def encoder(self) -> dict[str, int]:
        """Keyword arguments of :func:`baselines.allrank_adapter.build_model` for the encoder."""
        return {}

    def features(self, split: Split) -> np.ndarray:
        return self.scaler_.transform(learned_features(split, self.layout_), split.modality)

    def new_model(self, n_features: int) -> LTRModel:
        return adapter.build_model(
            n_features, [self.hidden] * self.fc_layers, self.dropout, **self.encoder()
        )

    def prepare(
        self, train: Split, valid: Split, layout: Layout
    ) -> tuple[Slates, Split, Slates | None]:
        """Fit the feature normalisation; return the training slates, the validation pages with
        a revealed positive and their slates."""
        self.layout_ = layout
        x = learned_features(train, layout)
        owner = np.r_[layout.feature_modality, np.full(x.shape[1] - train.features.shape[1], -1)]
        self.scaler_ = slates.Standardiser.fit(x, train.modality, owner)
        pages = slates.informative_pages(train)
        if len(pages) == 0:
            raise ValueError(
                f"{self.name}: the budget revealed no page_train page with two different labels"
            )
        train_slates = slates.to_slates(train, self.features(train)).take(pages)
        positive = np.maximum.reduceat(valid.page_label, valid.offsets[:-1]) >= 1
        valid = valid.select_queries(np.flatnonzero(positive))
        valid_slates = slates.to_slates(valid, self.features(valid)) if valid.n_queries else None
        return train_slates, valid, valid_slates

    def new_optimizer(self, model: LTRModel) -> torch.optim.Optimizer:
        return torch.optim.Adam(model.parameters(), lr=self.learning_rate)

    def epoch(
        self,
        model: LTRModel,
        loss: Loss,
        optimizer: torch.optim.Optimizer,
        train_slates: Slates,
        generator: torch.Generator,
        valid: Split,
        valid_slates: Slates | None,
    ) -> float | None:
        """One epoch of :meth:`fit`: a training pass, then NDCG@10 on the revealed validation
        labels (``None`` without validation pages)."""
        slates.train_epoch(model, loss, optimizer, train_slates, self.batch_size, generator)
        if valid_slates is None:
            return None
        return revealed_ndcg(valid, self.gather(valid, slates.predict(model, valid_slates)))

    def fit(self, train: Split, valid: Split, *, layout: Layout, seed: int) -> ListwiseAllRank:
        dev = adapter.check_device(self.loss, self.device)
        loss = adapter.loss_function(self.loss)
        train_slates, valid, valid_slates = self.prepare(train, valid, layout)
        train_slates = train_slates.to(dev)
        valid_slates = None if valid_slates is None else valid_slates.to(dev)
        best, best_epoch, state, epoch = -np.inf, 0, None, 0
        rng_devices = [dev.index or 0] if dev.type == "cuda" else []
        with slates.torch_threads(self.num_threads), torch.random.fork_rng(devices=rng_devices):
            torch.manual_seed(seed)
            model = self.new_model(train_slates.x.shape[-1]).to(dev)
            optimizer = self.new_optimizer(model)
            generator = torch.Generator().manual_seed(seed)
            for epoch in progress.bar(range(1, self.max_epochs + 1), desc=f"{self.name} epochs"):
                value = self.epoch(
                    model, loss, optimizer, train_slates, generator, valid, valid_slates
                )
                if value is None:
                    continue
                if value > best:
                    best, best_epoch, state = value, epoch, copy.deepcopy(model.state_dict())
                elif epoch - best_epoch >= self.patience:
                    break
            if state is not None:
                model.load_state_dict(state)
        self.model_, self.dev_ = model.eval(), dev
        self.info_ = {
            "loss": self.loss,
            "epochs_trained": epoch,
            "best_epoch": best_epoch or epoch,
            "early_stopping": state is not None,
            "train_pages": len(train_slates),
            "best_valid_ndcg@10": None if state is None else best,
        }
        return self

    @staticmethod
    def gather(split: Split, grid: np.ndarray) -> np.ndarray:
        """Per-row scores of ``split`` from a pages x length grid."""
        page, pos = slates.slate_cells(split)
        return grid[page, pos]

    def score(self, split: Split) -> np.ndarray:
        with slates.torch_threads(self.num_threads):
            pages = slates.to_slates(split, self.features(split)).to(self.dev_)
            grid = slates.predict(self.model_, pages)
        return self.gather(split, grid)

    def fit_info(self) -> dict[str, Any]:
        return dict(self.info_)


@register("allrank")
@dataclass
class AllRank(ListwiseAllRank):
    """allRank's context-aware transformer: fc layers, ``encoder_layers`` transformer blocks
    attending over the whole page, linear output."""

    description = "budgeted: allRank transformer over the page, listwise loss (neuralNDCG)"
    in_default_run = True
    encoder_layers: int = 1
    heads: int = 2
    d_ff: int = 128

    def encoder(self) -> dict[str, int]:
        return {"encoder_layers": self.encoder_layers, "heads": self.heads, "d_ff": self.d_ff}


@register("allrank-mlp")
@dataclass
class AllRankMLP(ListwiseAllRank):
    """allRank's model without the encoder: the same fc layers score each item alone."""

    description = "budgeted: allRank fc layers per item (no list context), listwise loss"
    in_default_run = False  # a comparison point for `allrank`; run it with --rerankers
