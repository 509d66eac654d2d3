"""Pages as allRank slates, and the training pass, prediction and thread control the ``allrank``
rerankers share (:mod:`baselines.allrank`)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import torch

from baselines.allrank_adapter import Loss, LTRModel
from benchmark.core.data import Split

#: Columns whose largest absolute training value exceeds this get a signed log1p first (the
#: log-normal image features and video counts of synthetic-serp, raw counts in LETOR data).
LOG_ABOVE = 10.0


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
