"""The one module that imports allRank (``allrank==1.4.3``, installed with ``--no-deps``).

allRank's model code needs only ``attrs`` and torch, but its losses and metrics import
``allrank.data.dataset_loading`` (scikit-learn, torchvision) for one constant and, through
``allrank.models.model_utils``, ``allrank.utils.file_utils`` (gcsfs, pkg_resources) for two
functions that only matter for ``gs://`` paths. :func:`_stand_in` puts tiny stand-ins for those
two allRank modules in ``sys.modules`` when the real ones cannot import, before anything else of
allRank is imported. ``allrank.utils.tensorboard_utils`` (tensorboardX) is shimmed the same way,
but only by :func:`allrank_fit`, the one caller of allRank's training loop.

Known allRank breakages on torch 2.13 and what this module does about them:

* ``ordinal``, ``bce`` (crash on padded batches), ``rankNet`` (NaN on a batch without valid
  pairs): not offered; :data:`LOSSES` lists the five listwise losses that work.
* ``make_model`` mutates the ``sizes`` list it is given: :func:`build_model` passes a fresh list.
* ``neuralNDCG`` masks rows of its soft permutation matrix by *item* index although rows are
  *positions*, so it is only right when the masked items (label -1) come last in the slate;
  unrevealed items sit anywhere in a page. :func:`loss_function` moves every -1 item to the end
  of its slate (a permutation the losses are invariant to) before calling allRank.
* ``neuralNDCG`` returns a constant without gradient for a batch in which no slate has a
  positive label (``backward`` then fails): ``baselines/allrank.py`` trains only on pages with
  two different revealed labels.
* ``neuralNDCG`` builds helper tensors on ``get_torch_device()`` (cuda:0 whenever CUDA exists):
  :func:`check_device` refuses a CPU run of it on a CUDA machine instead of crashing mid-fit.
* ``fit`` keeps the last epoch, not the best: the rerankers use their own loop (see
  ``baselines/allrank.py``); :func:`allrank_fit` exists only for the perf comparison.
"""

from __future__ import annotations

import importlib
import sys
import tempfile
import types
from collections.abc import Callable, Iterable
from functools import partial
from typing import Any

import torch


def _stand_in(name: str, doc: str, **attrs: Any) -> None:
    """Make ``import name`` work: keep the real allRank module when it imports, else register a
    module holding ``attrs`` under ``name`` in ``sys.modules`` and on its parent package."""
    try:
        importlib.import_module(name)
        return
    # A missing extra raises ImportError; a torchvision built for another torch can raise
    # RuntimeError or AttributeError at import. Either way the real module is unusable.
    except Exception:
        pass
    module = types.ModuleType(name, f"Stand-in from baselines.allrank_adapter: {doc}")
    module.__dict__.update(attrs)
    sys.modules[name] = module
    parent, _, child = name.rpartition(".")
    setattr(importlib.import_module(parent), child, module)


def _no_gs(uri: str) -> str:
    raise NotImplementedError(f"gs:// paths are not supported here ({uri})")


# allrank.models.model_utils imports is_gs_path and copy_file_to_local by name; the project
# never hands allRank a gs:// path, so "not a gs path" is the truthful answer. open_local_or_gs
# lets a real dataset_loading (sklearn and torchvision present) import against the stand-in.
_stand_in(
    "allrank.utils.file_utils",
    "local paths only (gcsfs and pkg_resources absent)",
    is_gs_path=lambda uri: False,
    copy_file_to_local=_no_gs,
    open_local_or_gs=open,
)
# Losses, metrics and the training loop import only these two padding markers from it.
_stand_in(
    "allrank.data.dataset_loading",
    "padding markers only (scikit-learn or torchvision absent)",
    PADDED_Y_VALUE=-1,
    PADDED_INDEX_VALUE=-1,
)

from allrank.config import TransformerConfig  # noqa: E402
from allrank.data.dataset_loading import PADDED_Y_VALUE  # noqa: E402
from allrank.models import losses as _losses  # noqa: E402
from allrank.models.model import LTRModel, make_model  # noqa: E402
from allrank.models.model_utils import get_torch_device  # noqa: E402

Loss = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]

#: The listwise losses offered, by allRank's function names. allRank's ``lambdaLoss`` without a
#: weighing scheme is RankNet; the NDCG-driven NDCG-Loss2++ scheme of the LambdaLoss paper is used.
LOSSES: dict[str, Loss] = {
    "neuralNDCG": _losses.neuralNDCG,
    "lambdaLoss": partial(_losses.lambdaLoss, weighing_scheme="ndcgLoss2PP_scheme"),
    "approxNDCGLoss": _losses.approxNDCGLoss,
    "listMLE": _losses.listMLE,
    "listNet": _losses.listNet,
}


def masked_last(y_pred: torch.Tensor, y_true: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Reorder each slate so that items labelled ``PADDED_Y_VALUE`` come last (stable order
    otherwise); gradients flow back through the gather."""
    order = torch.argsort((y_true == PADDED_Y_VALUE).to(torch.int8), dim=1, stable=True)
    return y_pred.gather(1, order), y_true.gather(1, order)


def loss_function(name: str) -> Loss:
    """allRank's loss ``name`` on slates whose masked items may sit anywhere: masked items are
    moved last, then the columns that are masked in every slate are cut off (the losses ignore
    them, and neuralNDCG's cost grows with the square of the slate length)."""
    if name not in LOSSES:
        raise ValueError(f"unknown allRank loss {name!r}; offered: {', '.join(LOSSES)}")
    raw = LOSSES[name]

    def loss(y_pred: torch.Tensor, y_true: torch.Tensor) -> torch.Tensor:
        y_pred, y_true = masked_last(y_pred, y_true)
        keep = max(1, int((y_true != PADDED_Y_VALUE).sum(dim=1).max()))
        return raw(y_pred[:, :keep], y_true[:, :keep])

    return loss


def check_device(loss: str, device: str) -> torch.device:
    """The torch device for ``device`` ("cpu" or "cuda"); refuses what allRank cannot run."""
    dev = torch.device("cuda:0" if device == "cuda" else device)
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise ValueError("device 'cuda' requested but torch sees no CUDA device")
    if loss == "neuralNDCG" and dev != get_torch_device():
        raise ValueError(
            f"allRank's neuralNDCG always computes on {get_torch_device()}; "
            f"set device accordingly (got {device!r})"
        )
    return dev


def build_model(
    n_features: int,
    fc_sizes: Iterable[int],
    dropout: float,
    *,
    encoder_layers: int = 0,
    heads: int = 1,
    d_ff: int = 0,
) -> LTRModel:
    """allRank's ``make_model``: fc input layers (ReLU, dropout), then ``encoder_layers``
    transformer blocks without positional encoding (none when 0), then a linear output giving
    one score per item. Parameters come from torch's current RNG state."""
    fc = {"sizes": list(fc_sizes), "input_norm": False, "activation": "ReLU", "dropout": dropout}
    transformer = (
        TransformerConfig(
            N=encoder_layers, d_ff=d_ff, h=heads, positional_encoding=None, dropout=dropout
        )
        if encoder_layers > 0
        else None
    )
    post = {"d_output": 1, "output_activation": None}
    return make_model(fc_model=fc, transformer=transformer, post_model=post, n_features=n_features)


class _NoTensorboard:
    """Stand-in for allRank's TensorboardSummaryWriter when tensorboardX is absent."""

    def __init__(self, output_path: str) -> None:
        self.output_path = output_path

    def save_to_tensorboard(self, results: dict[tuple[str, str], float], n_epoch: int) -> None:
        return None

    def close_all_writers(self) -> None:
        return None


def _train_utils() -> types.ModuleType:
    """``allrank.training.train_utils``, importable without tensorboardX."""
    _stand_in(
        "allrank.utils.tensorboard_utils",
        "no-op summary writer (tensorboardX absent)",
        TensorboardSummaryWriter=_NoTensorboard,
    )
    return importlib.import_module("allrank.training.train_utils")


def allrank_train_pass(
    model: LTRModel,
    loss: Loss,
    optimizer: torch.optim.Optimizer,
    train_dl: Iterable[tuple[torch.Tensor, ...]],
    *,
    device: torch.device,
) -> None:
    """The training pass of one epoch of allRank's ``fit`` alone: its ``loss_batch`` (forward,
    loss, backward, optimizer step) on every batch of ``train_dl``, in train mode."""
    loss_batch = _train_utils().loss_batch
    model.train()
    for xb, yb, indices in train_dl:
        loss_batch(model, loss, xb.to(device), yb.to(device), indices.to(device), None, optimizer)


def allrank_fit(
    model: LTRModel,
    loss: Loss,
    optimizer: torch.optim.Optimizer,
    train_dl: Iterable[tuple[torch.Tensor, ...]],
    valid_dl: Iterable[tuple[torch.Tensor, ...]],
    *,
    epochs: int,
    device: torch.device,
) -> dict[str, Any]:
    """Run ``allrank.training.train_utils.fit`` as allRank's own CLI would (loss batches, train
    and validation NDCG@10 each epoch, early stopping bookkeeping, final ``torch.save``), writing
    into a temporary folder that is removed afterwards. Used by the perf comparison only."""
    fit = _train_utils().fit

    config = types.SimpleNamespace(metrics={"ndcg": [10]}, val_metric="ndcg_10")
    with tempfile.TemporaryDirectory() as out:
        return fit(
            epochs,
            model,
            loss,
            optimizer,
            None,
            train_dl,
            valid_dl,
            config,
            gradient_clipping_norm=None,
            early_stopping_patience=epochs,
            device=device,
            output_dir=out,
            tensorboard_output_path=out,
        )
