"""The training loop shared by ``sft`` and the ``smar*`` rerankers.

:class:`PageNetReranker` owns the network hyper-parameters, the optimiser (AdamW), batching
(``batch_pages`` padded pages per step), early stopping and the selection of the loss weights;
a subclass says which pages it trains on (:meth:`train_pages`), which loss weights it tries
(:meth:`candidates`) and what its loss is (:meth:`loss`).

* Training runs in rounds of ``round_steps`` steps over pages in a shuffled order (reshuffled
  when exhausted), so a small labelled set and a large one get the same number of updates.
* After each round the model is scored on the revealed ``page_valid`` labels (NDCG@10, gain
  2^l - 1, ties by score then item id, over the revealed items of pages with a positive revealed
  label); the best round's weights are kept; training stops after ``patience`` rounds without
  improvement or after ``max_rounds``. Without a positive revealed ``page_valid`` label there is
  nothing to select on: the first candidate is trained for ``max_rounds`` rounds (recorded).
* Each weight candidate is trained from the same seed; the one with the best validation NDCG@10
  is kept (first on ties), and the grid, the scores and the choice go to :meth:`fit_info`.
* Determinism: everything runs inside ``torch.random.fork_rng`` with ``torch.manual_seed``;
  shuffling and tie orders come from a ``numpy`` generator seeded by the cell's seed; torch's
  thread count is set to ``threads`` during fit and restored after. Nothing global changes.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from baselines.smar_net import Normaliser, Pages
from benchmark.core import progress
from benchmark.core.data import Split
from benchmark.core.lazy import lazy
from benchmark.core.ndcg import revealed_ndcg
from benchmark.core.reranker import Layout, Reranker

if TYPE_CHECKING:
    import torch

    from baselines.smar_model import WholePageNet
else:
    torch = lazy("torch")  # imported by the first fit: the registry needs no torch

Weights = dict[str, float]


@dataclass
class PageNetReranker(Reranker):
    """Base of the network rerankers; see the module docstring."""

    cost = 30.0  # relative cell time (work order only)
    #: torch._dynamo: torch's optimizers import it when first built (about 0.9 s)
    imports = ("torch", "torch._dynamo", "baselines.smar_model")

    #: Whether g^m is an input of the network (the ``*-g`` variants); off = the paper's network.
    g_input: bool = False
    width: int = 32
    head: str = "mlp"
    heads: int = 2
    lr: float = 3e-3
    weight_decay: float = 1e-4
    batch_pages: int = 32
    round_steps: int = 20
    max_rounds: int = 30
    patience: int = 3
    #: ``tanh(s - max s)`` before every ListMLE term (the released code's squash).
    squash: bool = False
    threads: int = 1
    device: str = "cpu"

    # -- what a subclass decides ------------------------------------------------------------
    def train_pages(self, pages: Pages) -> np.ndarray:
        """Indices of the training pages the loss can use."""
        raise NotImplementedError

    def candidates(self) -> list[Weights]:
        """Loss weights to try; the first is used when nothing can be validated."""
        return [{}]

    def loss(
        self, scores: torch.Tensor, batch: Pages, weights: Weights, tie_break: torch.Tensor
    ) -> torch.Tensor:
        raise NotImplementedError

    # -- the contract -------------------------------------------------------------------------
    def fit(self, train: Split, valid: Split, *, layout: Layout, seed: int) -> PageNetReranker:
        self.layout_ = layout
        self.device_ = "cuda" if self.device == "cuda" and torch.cuda.is_available() else "cpu"
        self.norm_ = Normaliser.fit(train, layout)
        tr = Pages.build(train, layout, self.norm_, self.device_)
        va = Pages.build(valid, layout, self.norm_, self.device_)
        pages = self.train_pages(tr)
        if len(pages) == 0:
            raise ValueError(f"{self.name}: no page_train page it can learn from was revealed")
        validate = bool((va.label > 0).any())
        grid = self.candidates() if validate else self.candidates()[:1]
        threads = torch.get_num_threads()
        torch.set_num_threads(self.threads)
        devices = [torch.cuda.current_device()] if self.device_ == "cuda" else []
        try:
            with torch.random.fork_rng(devices=devices):
                runs = [self.train_one(tr, (va, valid), pages, w, seed, validate) for w in grid]
        finally:
            torch.set_num_threads(threads)
        best = 0 if not validate else int(np.argmax([r[1] for r in runs]))
        self.net_ = runs[best][0]
        self.info_ = {
            "device": self.device_,
            "train_pages": len(pages),
            "validated": validate,
            "grid": [
                {**w, "valid_ndcg@10": round(r[1], 6), "rounds": r[2]}
                for w, r in zip(grid, runs, strict=True)
            ],
            "chosen": grid[best],
        }
        return self

    def train_one(
        self,
        tr: Pages,
        validation: tuple[Pages, Split],
        pages: np.ndarray,
        weights: Weights,
        seed: int,
        validate: bool,
    ) -> tuple[WholePageNet, float, int]:
        """Train one network; return it (best round's weights), its valid NDCG@10 (on the
        revealed page_valid labels, :func:`benchmark.core.ndcg.revealed_ndcg`), rounds."""
        from baselines.smar_model import WholePageNet

        va, valid = validation
        torch.manual_seed(seed)
        rng = np.random.default_rng(seed)
        net = WholePageNet(
            self.layout_, tr.query.shape[1], self.width, self.head, self.heads, self.g_input
        )
        net.to(self.device_)
        opt = torch.optim.AdamW(
            net.parameters(), lr=self.lr, weight_decay=self.weight_decay, foreach=True
        )
        best, best_state, best_round, stale = -np.inf, None, 0, 0
        batches = Batches(pages, rng, self.batch_pages)
        for rnd in progress.bar(range(1, self.max_rounds + 1), desc=f"{self.name} rounds"):
            self.train_round(net, opt, tr, batches, weights)
            if not validate:
                continue
            value = revealed_ndcg(valid, self.page_scores(net, va).reshape(-1)[va.slot])
            if value > best:
                best, best_state, best_round, stale = value, copy.deepcopy(net.state_dict()), rnd, 0
            else:
                stale += 1
                if stale >= self.patience:
                    break
        if best_state is not None:
            net.load_state_dict(best_state)
        return net, float(best) if validate else float("nan"), best_round or self.max_rounds

    def train_round(
        self, net: WholePageNet, opt: Any, tr: Pages, batches: Batches, weights: Weights
    ) -> None:
        """``round_steps`` optimiser steps on batches of training pages."""
        net.train()
        for _ in range(self.round_steps):
            batch = tr.take(batches.next())
            ties = torch.as_tensor(
                batches.rng.random(batch.mask.shape), dtype=torch.float32, device=self.device_
            )
            opt.zero_grad()
            self.loss(net(batch), batch, weights, ties).backward()
            opt.step()

    def page_scores(self, net: WholePageNet, pages: Pages, chunk: int = 512) -> np.ndarray:
        """Padded ``(pages, items)`` scores, in evaluation mode (no gradients)."""
        net.eval()
        with torch.no_grad():
            parts = [
                net(pages.take(np.arange(i, min(i + chunk, pages.n_pages)))).cpu().numpy()
                for i in range(0, pages.n_pages, chunk)
            ]
        return np.concatenate(parts).astype(np.float64)

    def score(self, split: Split) -> np.ndarray:
        pages = Pages.build(split, self.layout_, self.norm_, self.device_)
        threads = torch.get_num_threads()
        torch.set_num_threads(self.threads)
        try:
            return self.page_scores(self.net_, pages).reshape(-1)[pages.slot]
        finally:
            torch.set_num_threads(threads)

    def fit_info(self) -> dict[str, Any]:
        return self.info_


def labelled_pages(pages: Pages, at_least: int = 2) -> np.ndarray:
    """Pages with at least ``at_least`` revealed labels."""
    return np.flatnonzero(((pages.label >= 0).sum(dim=1) >= at_least).cpu().numpy())


class Batches:
    """Batches of training pages in a shuffled order, reshuffled when exhausted; the shuffles
    and the tie orders come from one seeded generator (``rng``)."""

    def __init__(self, pages: np.ndarray, rng: np.random.Generator, size: int) -> None:
        self.pages, self.rng, self.size = pages, rng, size
        self.queue = np.zeros(0, np.int64)

    def next(self) -> np.ndarray:
        if len(self.queue) == 0:
            self.queue = self.rng.permutation(self.pages)
        batch, self.queue = self.queue[: self.size], self.queue[self.size :]
        return batch
