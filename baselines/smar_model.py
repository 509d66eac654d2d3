"""The whole-page network of ``sft`` and every ``smar*`` reranker (SMAR.md section 4): its
inputs and the :class:`~baselines.smar_net.Pages` it reads are described in
:mod:`baselines.smar_net`. A module of its own because defining an ``nn.Module`` imports torch,
which the reranker registry does not need (:mod:`benchmark.core.lazy`).
"""

from __future__ import annotations

import torch
from torch import nn

from baselines.smar_net import Pages
from benchmark.core.reranker import Layout


class WholePageNet(nn.Module):
    """f(q, page) -> one score per item; see the module docstring."""

    def __init__(
        self, layout: Layout, n_query: int, width: int, head: str, heads: int, g_input: bool
    ) -> None:
        super().__init__()
        if head not in ("mlp", "attention"):
            raise ValueError(f"head must be 'mlp' or 'attention', not {head!r}")
        n_in = sum(len(layout.modality_columns(m)) for m in range(len(layout.modalities)))
        self.project = nn.Linear(n_in, width, bias=False)  # per-modality blocks, see items()
        self.query = nn.Linear(n_query, width)
        self.embed = nn.Embedding(len(layout.modalities), width)
        self.g = nn.Linear(2, width) if g_input else None
        self.attention = (
            nn.TransformerEncoderLayer(width, heads, 2 * width, dropout=0.0, batch_first=True)
            if head == "attention"
            else None
        )
        self.out = nn.Sequential(nn.Linear(width, width), nn.ReLU(), nn.Linear(width, 1))

    def forward(self, pages: Pages) -> torch.Tensor:
        h = (
            self.project(pages.items)
            + self.query(pages.query)[:, None, :]
            + self.embed(pages.modality)
        )
        if self.g is not None:
            h = h + self.g(pages.g)
        h = torch.relu(h)
        if self.attention is not None:
            h = self.attention(h, src_key_padding_mask=~pages.mask)
        return self.out(h).squeeze(-1).masked_fill(~pages.mask, 0.0)
