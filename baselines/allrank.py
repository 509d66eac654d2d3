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
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from baselines.allrank_adapter import Loss, LTRModel, build_model, check_device, loss_function
from baselines.common import learned_features
from benchmark.core.data import Split
from benchmark.core.reranker import Layout, Reranker, register

#: Columns whose largest absolute training value exceeds this get a signed log1p first (the
#: log-normal image features and video counts of synthetic-serp, raw counts in LETOR data).
LOG_ABOVE = 10.0
TOP = 10


@dataclass(frozen=True)
class Standardiser:
    """Per column: optional signed log1p, then standardisation over the training rows the column
    applies to (its modality's rows, or every row for shared columns); other rows stay 0."""

    owner: np.ndarray
    log: np.ndarray
    mean: np.ndarray
    std: np.ndarray

    @staticmethod
    def active(owner: np.ndarray, modality: np.ndarray) -> np.ndarray:
        return (owner[None, :] == -1) | (owner[None, :] == modality[:, None])

    @classmethod
    def fit(cls, x: np.ndarray, modality: np.ndarray, owner: np.ndarray) -> Standardiser:
        active = cls.active(owner, modality)
        x = np.where(active, x.astype(np.float64), np.nan)
        has = active.any(axis=0)
        log = np.max(np.abs(x), axis=0, initial=0.0, where=active) > LOG_ABOVE
        x = np.where(log, np.sign(x) * np.log1p(np.abs(x)), x)
        mean = np.zeros(len(owner))
        std = np.ones(len(owner))
        mean[has] = np.nanmean(x[:, has], axis=0)
        std[has] = np.nanstd(x[:, has], axis=0)
        return cls(owner, log, mean, np.where(std > 0, std, 1.0))

    def transform(self, x: np.ndarray, modality: np.ndarray) -> np.ndarray:
        x = x.astype(np.float64)
        x = np.where(self.log, np.sign(x) * np.log1p(np.abs(x)), x)
        z = (x - self.mean) / self.std
        return np.where(self.active(self.owner, modality), z, 0.0).astype(np.float32)


@dataclass(frozen=True)
class Slates:
    """Pages as allRank slates: ``x`` (pages x length x features), ``y`` (pages x length, -1 for
    padding and unrevealed items), ``pad`` (True on padding) and ``indices`` (positions)."""

    x: torch.Tensor
    y: torch.Tensor
    pad: torch.Tensor
    indices: torch.Tensor

    def __len__(self) -> int:
        return len(self.x)

    @property
    def lengths(self) -> torch.Tensor:
        return (~self.pad).sum(dim=1)

    def take(self, pages: torch.Tensor | np.ndarray) -> Slates:
        """The slates ``pages``, cut to the longest of them (items sit first in a slate)."""
        idx = torch.as_tensor(pages, dtype=torch.long)
        n = int(self.lengths[idx].max()) if len(idx) else 0
        return Slates(self.x[idx, :n], self.y[idx, :n], self.pad[idx, :n], self.indices[idx, :n])

    def to(self, device: torch.device) -> Slates:
        return Slates(*(t.to(device) for t in (self.x, self.y, self.pad, self.indices)))


def slate_cells(split: Split) -> tuple[np.ndarray, np.ndarray]:
    """For each row, its slate (= query index) and its position in the slate."""
    pos = np.arange(split.n_items) - np.repeat(split.offsets[:-1], split.group_sizes)
    return split.query_index, pos


def to_slates(split: Split, x: np.ndarray) -> Slates:
    """The pages of ``split`` as padded slates with features ``x`` and the revealed labels."""
    page, pos = slate_cells(split)
    length = int(split.group_sizes.max())
    xs = np.zeros((split.n_queries, length, x.shape[1]), dtype=np.float32)
    ys = np.full((split.n_queries, length), -1.0, dtype=np.float32)
    pad = np.ones((split.n_queries, length), dtype=bool)
    xs[page, pos], ys[page, pos], pad[page, pos] = x, split.page_label, False
    indices = np.broadcast_to(np.arange(length), pad.shape)
    return Slates(*(torch.from_numpy(np.ascontiguousarray(a)) for a in (xs, ys, pad, indices)))


def ndcg_at(split: Split, scores: np.ndarray, k: int = TOP) -> float:
    """Mean NDCG@k (gain 2^l - 1, log2 discount) over the revealed labels of the queries with a
    revealed positive; ranking by score descending, then item id (PROTOCOL §6)."""
    rows = np.flatnonzero(split.page_label >= 0)
    q, ids, lab = split.query_index[rows], split.item_ids[rows], split.page_label[rows]
    gain = 2.0 ** lab.astype(np.float64) - 1
    dcg = np.zeros(split.n_queries)
    ideal = np.zeros(split.n_queries)
    for total, order in (
        (dcg, np.lexsort((ids, -scores[rows], q))),
        (ideal, np.lexsort((-lab, q))),
    ):
        qs = q[order]
        starts = np.flatnonzero(np.r_[True, qs[1:] != qs[:-1]])
        rank = np.arange(len(qs)) - np.repeat(starts, np.diff(np.r_[starts, len(qs)]))
        np.add.at(total, qs, np.where(rank < k, gain[order] / np.log2(rank + 2.0), 0.0))
    keep = ideal > 0
    return float(np.mean(dcg[keep] / ideal[keep])) if keep.any() else float("nan")


def train_epoch(
    model: LTRModel,
    loss: Loss,
    optimizer: torch.optim.Optimizer,
    slates: Slates,
    batch_size: int,
    generator: torch.Generator,
) -> None:
    """One pass over ``slates`` in batches of pages of similar length (less padding to compute
    on), drawn from ``generator``: pages sorted by length with random tie order, cut into batches,
    batches in random order."""
    model.train()
    order = torch.randperm(len(slates), generator=generator)
    order = order[torch.argsort(slates.lengths.cpu()[order], stable=True)]
    batches = torch.split(order, batch_size)
    for b in torch.randperm(len(batches), generator=generator).tolist():
        batch = slates.take(batches[b])
        value = loss(model(batch.x, batch.pad, batch.indices), batch.y)
        optimizer.zero_grad()
        value.backward()
        optimizer.step()


@torch.no_grad()
def predict(model: LTRModel, slates: Slates, batch_size: int = 256) -> np.ndarray:
    """The model's scores, pages x length (padding cells are meaningless)."""
    model.eval()
    grid = np.zeros(tuple(slates.pad.shape))
    for start in range(0, len(slates), batch_size):
        batch = slates.take(torch.arange(start, min(start + batch_size, len(slates))))
        grid[start : start + len(batch), : batch.pad.shape[1]] = (
            model.score(batch.x, batch.pad, batch.indices).cpu().numpy()
        )
    return grid


@contextmanager
def torch_threads(n: int) -> Iterator[None]:
    """Use ``n`` intra-op threads inside the block, then restore the previous setting."""
    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def informative_pages(split: Split) -> np.ndarray:
    """Indices of the pages with at least two different revealed labels."""
    lab = split.page_label.astype(np.int64)
    hi = np.maximum.reduceat(lab, split.offsets[:-1])
    lo = np.minimum.reduceat(np.where(lab >= 0, lab, 99), split.offsets[:-1])
    return np.flatnonzero(hi > lo)


@dataclass
class ListwiseAllRank(Reranker):
    """Shared fields and loop of the allRank rerankers; subclasses choose the encoder."""

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
        return build_model(
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
        self.scaler_ = Standardiser.fit(x, train.modality, owner)
        pages = informative_pages(train)
        if len(pages) == 0:
            raise ValueError(
                f"{self.name}: the budget revealed no page_train page with two different labels"
            )
        train_slates = to_slates(train, self.features(train)).take(pages)
        positive = np.maximum.reduceat(valid.page_label, valid.offsets[:-1]) >= 1
        valid = valid.select_queries(np.flatnonzero(positive))
        valid_slates = to_slates(valid, self.features(valid)) if valid.n_queries else None
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
        train_epoch(model, loss, optimizer, train_slates, self.batch_size, generator)
        if valid_slates is None:
            return None
        return ndcg_at(valid, self.gather(valid, predict(model, valid_slates)))

    def fit(self, train: Split, valid: Split, *, layout: Layout, seed: int) -> ListwiseAllRank:
        dev = check_device(self.loss, self.device)
        loss = loss_function(self.loss)
        train_slates, valid, valid_slates = self.prepare(train, valid, layout)
        train_slates = train_slates.to(dev)
        valid_slates = None if valid_slates is None else valid_slates.to(dev)
        best, best_epoch, state, epoch = -np.inf, 0, None, 0
        rng_devices = [dev.index or 0] if dev.type == "cuda" else []
        with torch_threads(self.num_threads), torch.random.fork_rng(devices=rng_devices):
            torch.manual_seed(seed)
            model = self.new_model(train_slates.x.shape[-1]).to(dev)
            optimizer = self.new_optimizer(model)
            generator = torch.Generator().manual_seed(seed)
            for epoch in range(1, self.max_epochs + 1):
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
        page, pos = slate_cells(split)
        return grid[page, pos]

    def score(self, split: Split) -> np.ndarray:
        with torch_threads(self.num_threads):
            grid = predict(self.model_, to_slates(split, self.features(split)).to(self.dev_))
        return self.gather(split, grid)

    def fit_info(self) -> dict[str, Any]:
        return dict(self.info_)


@register("allrank")
@dataclass
class AllRank(ListwiseAllRank):
    """allRank's context-aware transformer: fc layers, ``encoder_layers`` transformer blocks
    attending over the whole page, linear output."""

    description = "budgeted: allRank transformer over the page, listwise loss (neuralNDCG)"
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
