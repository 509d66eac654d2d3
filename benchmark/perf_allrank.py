"""Training time per epoch of the ``allrank`` reranker against allRank's own training loop.

Both sides start each repeat from the same freshly initialised model (allRank's ``make_model``
with the reranker's defaults), a fresh Adam with the same learning rate, the same loss callable
and the same slates: the fully labelled ``page_train`` pages of the default synthetic-serp (all
of them carry two different labels) and the ``page_valid`` pages with a positive label.

* ours: one :meth:`baselines.allrank.ListwiseAllRank.epoch`, exactly the body of the reranker's
  fit loop (a training pass over length-bucketed batches, then NDCG@10 on the validation pages);
* allRank's: ``allrank.training.train_utils.fit`` with ``epochs=1`` (through
  :func:`baselines.allrank_adapter.allrank_fit`) on ``DataLoader``\\ s of the padded slates
  (shuffled training batches, as allRank's ``create_data_loaders`` builds them). Per epoch it runs
  ``loss_batch`` over the training batches, then NDCG@10 on the training and validation loaders
  and the validation loss; its once-per-fit extras (counting parameters, a no-op tensorboard
  writer when tensorboardX is absent, ``torch.save`` into a temporary folder) are included.

The ratio is ours / allRank's, medians over ``repeats`` (the perf command's goal: at most 1.1).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

import torch
from torch.utils.data import DataLoader, TensorDataset

from baselines.allrank import AllRank, Slates, torch_threads
from baselines.allrank_adapter import allrank_fit, loss_function
from benchmark.harness import DatasetCache


def loader(slates: Slates, batch_size: int, shuffle: bool, seed: int) -> DataLoader:
    """allRank's data format: batches of ``(x, y, indices)``."""
    data = TensorDataset(slates.x, slates.y, slates.indices)
    generator = torch.Generator().manual_seed(seed)
    return DataLoader(data, batch_size=batch_size, shuffle=shuffle, generator=generator)


def timed(run: Callable[..., Any], *args: Any, **kwargs: Any) -> float:
    """Wall seconds of ``run(*args, **kwargs)``."""
    start = time.perf_counter()
    run(*args, **kwargs)
    return time.perf_counter() - start


def epoch_ratio(repeats: int = 5, cache: DatasetCache | None = None) -> dict[str, Any]:
    """Median seconds per training epoch of ``allrank`` and of allRank's ``fit``, their ratio."""
    import datasets  # noqa: F401  (registers synthetic-serp)

    prepared = (cache or DatasetCache()).get("synthetic-serp", {})
    data = prepared.dataset
    reranker = AllRank()
    train, valid, valid_slates = reranker.prepare(
        data["page_train"], data["page_valid"], prepared.layout
    )
    assert valid_slates is not None
    loss = loss_function(reranker.loss)
    device = torch.device("cpu")
    ours, theirs = [], []
    with torch_threads(reranker.num_threads), torch.random.fork_rng(devices=[]):
        for seed in range(repeats):
            torch.manual_seed(seed)
            model = reranker.new_model(train.x.shape[-1])
            optimizer = reranker.new_optimizer(model)
            generator = torch.Generator().manual_seed(seed)
            ours.append(
                timed(reranker.epoch, model, loss, optimizer, train, generator, valid, valid_slates)
            )
            torch.manual_seed(seed)
            model = reranker.new_model(train.x.shape[-1])
            optimizer = reranker.new_optimizer(model)
            train_dl = loader(train, reranker.batch_size, True, seed)
            valid_dl = loader(valid_slates, reranker.batch_size, False, seed)
            theirs.append(
                timed(
                    allrank_fit, model, loss, optimizer, train_dl, valid_dl, epochs=1, device=device
                )
            )
    ours_s, theirs_s = statistics.median(ours), statistics.median(theirs)
    return {
        "allrank_epoch_s": ours_s,
        "allrank_fit_epoch_s": theirs_s,
        "allrank_epoch_ratio": ours_s / theirs_s,
        "allrank_timed": "allrank.training.train_utils.fit(epochs=1)",
    }
