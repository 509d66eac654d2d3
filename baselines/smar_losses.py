"""The losses of SMAR (SMAR.md section 2) on padded batches of pages.

Every function takes ``scores`` of shape ``(pages, items)`` and a boolean ``mask`` of the same
shape (``False`` = padding) and returns a scalar tensor; an input without anything to learn from
(no list with two items, no pair) gives a zero that still depends on ``scores``, so gradients are
always finite.

Ties. ListMLE needs a total order, graded labels have ties: the caller passes ``tie_break``,
random numbers (from the cell's seeded generator, a new draw every step) used only as the
secondary sort key, so items of equal target are put in a random order. Over the steps this
averages the loss over the tie orders. Distillation targets (g^m) rarely tie; same rule.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from benchmark.core.lazy import lazy

if TYPE_CHECKING:
    import torch
else:
    torch = lazy("torch")

#: Stands for "minus infinity" inside log-sum-exp; finite so that gradients stay finite.
NEG = -1e9


def target_order(key: torch.Tensor, tie_break: torch.Tensor | None) -> torch.Tensor:
    """Per row, indices sorting ``key`` descending; ties ordered by ``tie_break`` ascending."""
    if tie_break is None:
        return torch.argsort(key, dim=1, descending=True, stable=True)
    pre = torch.argsort(tie_break, dim=1, stable=True)
    then = torch.argsort(torch.gather(key, 1, pre), dim=1, descending=True, stable=True)
    return torch.gather(pre, 1, then)


def list_mle_rows(
    scores: torch.Tensor,
    target: torch.Tensor,
    mask: torch.Tensor,
    tie_break: torch.Tensor | None = None,
    *,
    squash: bool = False,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Per row: ListMLE of ``scores`` against the order of ``target`` (higher = earlier) over
    the valid items, and the number of valid items.

    For one list in target order ``s_1..s_n``: ``mean_k [logsumexp(s_k..s_n) - s_k]`` (0 for an
    empty list), i.e. the sum over the n positions divided by n, the released code's
    normalisation. ``squash`` first maps the list's scores to ``tanh(s - max s)``, the max over
    the list's valid items and NOT detached (the gradient reaches the top item through it), as in
    the released code's ``compute_listmle_loss``.
    """
    if squash:
        top = scores.masked_fill(~mask, NEG).max(dim=1, keepdim=True).values
        scores = torch.tanh(scores - top)
    order = target_order(target.to(scores.dtype).masked_fill(~mask, float("-inf")), tie_break)
    valid = torch.gather(mask, 1, order)
    s = torch.gather(scores, 1, order).masked_fill(~valid, NEG)
    tail = torch.logcumsumexp(s.flip(1), dim=1).flip(1)
    n = valid.sum(dim=1)
    return ((tail - s) * valid).sum(dim=1) / n.clamp(min=1), n


def list_mle(
    scores: torch.Tensor,
    target: torch.Tensor,
    mask: torch.Tensor,
    tie_break: torch.Tensor | None = None,
    *,
    squash: bool = False,
) -> torch.Tensor:
    """ListMLE (:func:`list_mle_rows`) averaged over the rows with at least two valid items."""
    loss, n = list_mle_rows(scores, target, mask, tie_break, squash=squash)
    return mean_where(loss, n >= 2, scores)


def mean_where(values: torch.Tensor, use: torch.Tensor, scores: torch.Tensor) -> torch.Tensor:
    """Mean of ``values[use]``, or a zero tied to ``scores`` when nothing is used."""
    return values[use].mean() if use.any() else scores.sum() * 0.0


def modality_masks(mask: torch.Tensor, modality: torch.Tensor, n_modalities: int) -> torch.Tensor:
    """``(n_modalities, pages, items)``: the mask restricted to each modality."""
    ids = torch.arange(n_modalities, device=mask.device)[:, None, None]
    return mask[None] & (modality[None] == ids)


def standardise_rows(scores: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Scores z-scored over each row's valid items (a row with one item or no spread: 0)."""
    n = mask.sum(dim=1, keepdim=True).clamp(min=1)
    mean = (scores * mask).sum(dim=1, keepdim=True) / n
    centred = (scores - mean) * mask
    std = ((centred**2).sum(dim=1, keepdim=True) / n + 1e-6).sqrt()
    return centred / std


def listwise_distillation(
    scores: torch.Tensor,
    teacher: torch.Tensor,
    modality: torch.Tensor,
    mask: torch.Tensor,
    n_modalities: int,
    tie_break: torch.Tensor | None = None,
    *,
    squash: bool = False,
    standardise: bool = False,
) -> torch.Tensor:
    """Per modality m, ListMLE of f on each page's items of m in g^m order, averaged over pages
    with at least two items of m: shape ``(M,)``. One batched call over ``M x pages`` lists."""
    m_masks = modality_masks(mask, modality, n_modalities)
    rep = (n_modalities, 1)
    rows, row_mask = scores.repeat(rep), m_masks.reshape(-1, mask.shape[1])
    if standardise:
        rows = standardise_rows(rows, row_mask)
    loss, n = list_mle_rows(
        rows,
        teacher.repeat(rep),
        row_mask,
        None if tie_break is None else tie_break.repeat(rep),
        squash=squash,
    )
    loss, use = loss.reshape(n_modalities, -1), (n >= 2).reshape(n_modalities, -1)
    return torch.stack([mean_where(loss[m], use[m], scores) for m in range(n_modalities)])


def pairwise_distillation(
    scores: torch.Tensor,
    teacher: torch.Tensor,
    modality: torch.Tensor,
    mask: torch.Tensor,
    n_modalities: int,
    gamma: float,
) -> torch.Tensor:
    """Per modality m, the mean over same-page pairs of m with ``g_i > g_j`` of
    ``max(0, gamma - (f_i - f_j))``: shape ``(M,)``."""
    diff = scores[:, :, None] - scores[:, None, :]
    hinge = torch.clamp(gamma - diff, min=0)
    better = teacher[:, :, None] > teacher[:, None, :]
    out = []
    for m_mask in modality_masks(mask, modality, n_modalities):
        pairs = better & m_mask[:, :, None] & m_mask[:, None, :]
        count = pairs.sum()
        out.append((hinge * pairs).sum() / count if count > 0 else scores.sum() * 0.0)
    return torch.stack(out)


def kl_distillation(
    scores: torch.Tensor,
    teacher: torch.Tensor,
    modality: torch.Tensor,
    mask: torch.Tensor,
    n_modalities: int,
    tau: float,
) -> torch.Tensor:
    """Per modality m, ``KL(softmax(g/tau) || softmax(f/tau))`` over the page's items of m,
    averaged over pages with at least two items of m: shape ``(M,)``."""
    out = []
    for m_mask in modality_masks(mask, modality, n_modalities):
        use = m_mask.sum(dim=1) >= 2
        if not use.any():
            out.append(scores.sum() * 0.0)
            continue
        mk = m_mask[use]
        log_p = torch.log_softmax((teacher[use] / tau).masked_fill(~mk, NEG), dim=1)
        log_q = torch.log_softmax((scores[use] / tau).masked_fill(~mk, NEG), dim=1)
        kl = (log_p.exp() * (log_p - log_q) * mk).sum(dim=1)
        out.append(kl.mean())
    return torch.stack(out)


def pair_hinge(
    scores: torch.Tensor, better: torch.Tensor, worse: torch.Tensor, gamma: float
) -> torch.Tensor:
    """Mean of ``max(0, gamma - (f_better - f_worse))`` over given pairs of flat indices into
    ``scores`` (the iso-anchor cross-modal pairs); zero without pairs."""
    if better.numel() == 0:
        return scores.sum() * 0.0
    flat = scores.reshape(-1)
    return torch.clamp(gamma - (flat[better] - flat[worse]), min=0).mean()


def total_loss(
    annotation: torch.Tensor, distillation: torch.Tensor, beta: torch.Tensor
) -> torch.Tensor:
    """``L = L_anno + sum_m beta_m L_m``."""
    return annotation + (beta * distillation).sum()
