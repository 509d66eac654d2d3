"""The whole-page network shared by ``sft`` and every ``smar*`` reranker (SMAR.md section 4),
and the conversion of a :class:`~benchmark.core.data.Split` into padded page tensors.

Inputs of item i of modality m on the page of query q:

* its own feature columns (``Layout.modality_columns(m)``), log1p-compressed when they are
  non-negative and heavy-tailed, then standardised on the modality's ``page_train`` rows;
* the query features (standardised);
* a learned embedding of m;
* only with ``g_input`` (the ``*-g`` variants, not the paper's network): g^m standardised per
  modality on ``page_train`` and min-max normalised inside (page, m). Without it g^m reaches
  the network only through the loss (distillation targets) and the choice of labelled items.

Each modality has its own linear projection into the shared width (one block-diagonal layer, see
:meth:`ItemRows.padded`; the modality embedding is its bias); the parts are summed and passed
through ReLU. ``head="mlp"`` scores each item alone (the paper's effective form),
``head="attention"`` adds one self-attention layer across the page's items (padding masked).
The network itself is :class:`baselines.smar_model.WholePageNet` (imported when one is built).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from baselines.common import group_stats, minmax_in_modality, page_modality_groups
from benchmark.core.data import Split
from benchmark.core.lazy import lazy
from benchmark.core.reranker import Layout

if TYPE_CHECKING:
    import torch
else:
    torch = lazy("torch")  # imported by the first network reranker that runs

#: Rows standardised at once by :meth:`Normaliser.items` (bounds its float64 temporaries).
CHUNK_ROWS = 1 << 14
#: A non-negative column is log1p-compressed when its 99th percentile exceeds this many medians
#: or its maximum exceeds 100 (image sizes, view counts).
HEAVY_TAIL_RATIO = 20.0


@dataclass
class Normaliser:
    """Per-column transforms fitted on the training split (label-free: features only)."""

    log_cols: np.ndarray
    mean: np.ndarray
    std: np.ndarray
    q_mean: np.ndarray
    q_std: np.ndarray
    g_mean: np.ndarray
    g_std: np.ndarray

    @classmethod
    def fit(cls, split: Split, layout: Layout) -> Normaliser:
        n_feat = len(layout.feature_modality)
        log_cols = np.zeros(n_feat, dtype=bool)
        mean, std = np.zeros(n_feat), np.ones(n_feat)
        n_mod = len(layout.modalities)
        g_mean, g_std = np.zeros(n_mod), np.ones(n_mod)
        for m in range(n_mod):
            rows = split.modality == m
            if not rows.any():
                continue
            cols = layout.modality_columns(m)
            x = split.features[np.ix_(np.flatnonzero(rows), cols)].astype(np.float64)
            nonneg = x.min(axis=0) >= 0
            spread = np.percentile(x, 99, axis=0) / np.maximum(np.median(x, axis=0), 1e-12)
            log_cols[cols] = nonneg & ((spread > HEAVY_TAIL_RATIO) | (x.max(axis=0) > 100))
            x = np.where(log_cols[cols], np.log1p(np.maximum(x, 0)), x)
            mean[cols], std[cols] = x.mean(axis=0), x.std(axis=0) + 1e-6
            g = split.g_score[rows].astype(np.float64)
            g_mean[m], g_std[m] = g.mean(), g.std() + 1e-6
        qf = split.query_features.astype(np.float64)
        return cls(log_cols, mean, std, qf.mean(axis=0), qf.std(axis=0) + 1e-6, g_mean, g_std)

    def items(self, split: Split, layout: Layout) -> np.ndarray:
        """Each row's standardised columns of its own modality (``columns(m)``, left-aligned in
        a float32 array as wide as the widest modality): what :class:`ItemRows` lays out.
        :data:`CHUNK_ROWS` rows at a time, so the float64 temporaries stay a chunk's (element by
        element the same arithmetic as on the whole split)."""
        cols = [layout.modality_columns(m) for m in range(len(layout.modalities))]
        own = np.zeros((split.n_items, max(map(len, cols))), dtype=np.float32)
        for start in range(0, split.n_items, CHUNK_ROWS):
            x = split.features[start : start + CHUNK_ROWS].astype(np.float64)
            x = (np.where(self.log_cols, np.log1p(np.maximum(x, 0)), x) - self.mean) / self.std
            modality = split.modality[start : start + CHUNK_ROWS]
            for m, c in enumerate(cols):
                mine = np.flatnonzero(modality == m)
                own[start + mine, : len(c)] = x[np.ix_(mine, c)]
        return own

    def g_inputs(self, split: Split) -> np.ndarray:
        """``(n, 2)``: g standardised per modality, and min-max inside (page, modality)."""
        g = split.g_score.astype(np.float64)
        glob = (g - self.g_mean[split.modality]) / self.g_std[split.modality]
        return np.stack([glob, minmax_in_modality(split)], axis=1).astype(np.float32)


def teacher_scores(split: Split) -> np.ndarray:
    """g z-scored inside each (page, modality): the distillation target (order = g^m order)."""
    g = split.g_score.astype(np.float64)
    _, _, mean, std = group_stats(g, page_modality_groups(split))
    return np.where(std > 0, (g - mean) / np.where(std > 0, std, 1), 0.0).astype(np.float32)


@dataclass
class ItemRows:
    """The item inputs of a split's pages without their zeros, laid out page by page when the
    network reads them (:meth:`padded`). Laid out for a whole split at once they are mostly
    zeros (the other modalities' blocks, the padding of short pages): at MSLR-WEB30K's size
    about 3.4 GB for page_train and page_valid together, against 0.6 GB as rows.

    ``own``: each row's :meth:`Normaliser.items`; ``modality`` and ``offsets``: the split's;
    ``widths``: ``|columns(m)|`` per modality; ``width``: items per padded page."""

    own: np.ndarray
    modality: np.ndarray
    offsets: np.ndarray
    widths: list[int]
    width: int

    def padded(self, pages: np.ndarray, device: torch.device | str) -> torch.Tensor:
        """``(len(pages), width, sum_m |columns(m)|)``: an item of modality m fills its
        modality's block (blocks side by side in modality order), everything else is 0, so
        one linear layer on it is exactly one projection per modality (a shared column appears
        in every block)."""
        sizes = np.diff(self.offsets)[pages]
        page = np.repeat(np.arange(len(pages)), sizes)
        pos = np.arange(sizes.sum()) - np.repeat(np.cumsum(sizes) - sizes, sizes)
        rows = self.offsets[pages][page] + pos
        slot = page * self.width + pos
        out = np.zeros((len(pages) * self.width, sum(self.widths)), dtype=np.float32)
        modality = self.modality[rows]
        for m, k in enumerate(self.widths):
            mine = modality == m
            start = sum(self.widths[:m])
            out[slot[mine], start : start + k] = self.own[rows[mine], :k]
        return torch.as_tensor(out.reshape(len(pages), self.width, -1), device=device)


@dataclass
class Pages:
    """A split as padded tensors ``(pages, max_items, ...)``; ``mask`` marks real items;
    ``pairs`` holds the split's preference pairs as ``(page, better position, worse position)``;
    ``slot`` maps each row of the split to its flat padded position. The item inputs are laid
    out only for the pages of a batch (:attr:`items`): ``chosen`` are its pages in ``rows``."""

    rows: ItemRows
    chosen: np.ndarray
    query: torch.Tensor
    g: torch.Tensor
    modality: torch.Tensor
    teacher: torch.Tensor
    label: torch.Tensor
    mask: torch.Tensor
    id_rank: np.ndarray
    pairs: np.ndarray
    slot: np.ndarray

    @classmethod
    def build(cls, split: Split, layout: Layout, norm: Normaliser, device: str) -> Pages:
        n_pages, width = split.n_queries, int(split.group_sizes.max())
        qi = split.query_index
        pos = np.arange(split.n_items) - split.offsets[qi]
        slot = qi * width + pos

        def pad(values: np.ndarray, fill: float = 0.0) -> np.ndarray:
            out = np.full((n_pages * width, *values.shape[1:]), fill, dtype=values.dtype)
            out[slot] = values
            return out.reshape(n_pages, width, *values.shape[1:])

        id_rank = np.empty(split.n_items, dtype=np.int64)
        id_rank[np.lexsort((split.item_ids, qi))] = pos  # rank of the item id inside its page

        def t(a: np.ndarray) -> torch.Tensor:
            return torch.as_tensor(a, device=device)

        widths = [len(layout.modality_columns(m)) for m in range(len(layout.modalities))]
        return cls(
            rows=ItemRows(norm.items(split, layout), split.modality, split.offsets, widths, width),
            chosen=np.arange(n_pages),
            query=t(((split.query_features - norm.q_mean) / norm.q_std).astype(np.float32)),
            g=t(pad(norm.g_inputs(split))),
            modality=t(pad(split.modality.astype(np.int64))),
            teacher=t(pad(teacher_scores(split))),
            label=t(pad(split.page_label.astype(np.int64), -1)),
            mask=t(pad(np.ones(split.n_items, dtype=bool), False)),
            id_rank=pad(id_rank, np.iinfo(np.int64).max),
            pairs=np.column_stack([qi[split.pairs[:, 0]], pos[split.pairs]]).astype(np.int64),
            slot=slot,
        )

    @property
    def n_pages(self) -> int:
        return int(self.mask.shape[0])

    @property
    def items(self) -> torch.Tensor:
        """The padded ``(pages, max_items, features)`` item inputs (:meth:`ItemRows.padded`),
        laid out on each access: read once per forward pass of a batch."""
        return self.rows.padded(self.chosen, self.mask.device)

    def take(self, pages: np.ndarray) -> Pages:
        """The sub-batch of the given page indices (``slot`` is not carried over)."""
        idx = torch.as_tensor(pages, device=self.mask.device)
        where = np.full(self.n_pages, -1)
        where[pages] = np.arange(len(pages))
        pairs = self.pairs[where[self.pairs[:, 0]] >= 0]
        pairs = np.column_stack([where[pairs[:, 0]], pairs[:, 1:]]).astype(np.int64)
        return Pages(
            self.rows,
            self.chosen[pages],
            self.query[idx],
            self.g[idx],
            self.modality[idx],
            self.teacher[idx],
            self.label[idx],
            self.mask[idx],
            self.id_rank[pages],
            pairs,
            np.zeros(0, dtype=np.int64),
        )

    def flat_pairs(self) -> tuple[torch.Tensor, torch.Tensor]:
        """Flat indices into ``(pages * max_items)`` of the better and the worse item of each
        pair."""
        width = self.mask.shape[1]
        flat = torch.as_tensor(
            self.pairs[:, 0:1] * width + self.pairs[:, 1:], device=self.mask.device
        )
        return flat[:, 0], flat[:, 1]
