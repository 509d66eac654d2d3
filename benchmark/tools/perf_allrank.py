"""Training time per epoch of the ``allrank`` reranker against allRank's own training loop.

Both sides start each repeat from the same freshly initialised model (allRank's ``make_model``
with the reranker's defaults), a fresh Adam with the same learning rate, the same loss callable
and the same slates: the fully labelled ``page_train`` pages of the default synthetic-serp that
the reranker trains on (those with two different labels: 797 of 800) and the ``page_valid``
pages with a positive label.

* ours: one :meth:`baselines.allrank.ListwiseAllRank.epoch`, exactly the body of the reranker's
  fit loop (a training pass over length-bucketed batches, then NDCG@10 on the validation pages);
* allRank's: ``allrank.training.train_utils.fit`` with ``epochs=1`` (through
  :func:`baselines.allrank_adapter.allrank_fit`) on ``DataLoader``\\ s of the padded slates
  (shuffled training batches, as allRank's ``create_data_loaders`` builds them). Per epoch it runs
  ``loss_batch`` over the training batches, then NDCG@10 on the training and validation loaders
  and the validation loss; its once-per-fit extras (counting parameters, a no-op tensorboard
  writer when tensorboardX is absent, ``torch.save`` into a temporary folder) are included.

``allrank_train_pass_ratio`` compares the training passes alone: our ``train_epoch`` against
allRank's ``loss_batch`` on every batch of the shuffled loader. Ratios are ours / allRank's,
medians over ``repeats`` (the perf command's goal for the epoch ratio: at most 1.1).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

import torch
from torch.utils.data import DataLoader, TensorDataset

from baselines.allrank import AllRank
from baselines.allrank_adapter import LTRModel, allrank_fit, allrank_train_pass, loss_function
from baselines.allrank_slates import Slates, torch_threads, train_epoch
from benchmark.pipeline.harness import DatasetCache


def loader(slates: Slates, batch_size: int, shuffle: bool = True) -> DataLoader:
    """allRank's data format: batches of ``(x, y, indices)``, shuffled from torch's RNG."""
    data = TensorDataset(slates.x, slates.y, slates.indices)
    return DataLoader(data, batch_size=batch_size, shuffle=shuffle)


def timed(run: Callable[..., Any], *args: Any, **kwargs: Any) -> float:
    """Wall seconds of ``run(*args, **kwargs)``."""
    start = time.perf_counter()
    run(*args, **kwargs)
    return time.perf_counter() - start


def epoch_ratio(
    repeats: int = 5, cache: DatasetCache | None = None, params: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Median seconds per training epoch of ``allrank`` and of allRank's ``fit``, their ratio,
    and the same for the training pass alone (``train_epoch`` against allRank's ``loss_batch``
    over the training loader), on synthetic-serp with ``params`` (default: the default one)."""
    prepared = (cache or DatasetCache()).get("synthetic-serp", params or {})
    data = prepared.dataset
    reranker = AllRank()
    train, valid, valid_slates = reranker.prepare(
        data["page_train"], data["page_valid"], prepared.layout
    )
    assert valid_slates is not None
    loss = loss_function(reranker.loss)
    cpu = torch.device("cpu")

    def fresh(seed: int) -> tuple[LTRModel, torch.optim.Optimizer, torch.Generator, DataLoader]:
        torch.manual_seed(seed)
        model = reranker.new_model(train.x.shape[-1])
        generator = torch.Generator().manual_seed(seed)
        return model, reranker.new_optimizer(model), generator, loader(train, reranker.batch_size)

    valid_dl = loader(valid_slates, reranker.batch_size, shuffle=False)
    runs = {
        "epoch": lambda m, o, g, _: reranker.epoch(m, loss, o, train, g, valid, valid_slates),
        "fit": lambda m, o, g, dl: allrank_fit(m, loss, o, dl, valid_dl, epochs=1, device=cpu),
        "pass": lambda m, o, g, _: train_epoch(m, loss, o, train, reranker.batch_size, g),
        "loss_batch": lambda m, o, g, dl: allrank_train_pass(m, loss, o, dl, device=cpu),
    }
    times: dict[str, list[float]] = {key: [] for key in runs}
    with torch_threads(reranker.num_threads), torch.random.fork_rng(devices=[]):
        for seed in range(repeats):
            for key, run in runs.items():
                times[key].append(timed(run, *fresh(seed)))
    return figures({key: statistics.median(values) for key, values in times.items()})


def figures(med: dict[str, float]) -> dict[str, Any]:
    return {
        "allrank_epoch_s": med["epoch"],
        "allrank_fit_epoch_s": med["fit"],
        "allrank_epoch_ratio": med["epoch"] / med["fit"],
        "allrank_train_pass_ratio": med["pass"] / med["loss_batch"],
        "allrank_timed": "allrank.training.train_utils.fit(epochs=1); pass: its loss_batch",
    }
