"""The SMAR losses against values computed by hand on tiny inputs, and finite gradients on
degenerate pages (one item, one modality, all-equal labels)."""

from __future__ import annotations

import math

import pytest
import torch

from baselines.smar_losses import (
    kl_distillation,
    list_mle,
    listwise_distillation,
    pair_hinge,
    pairwise_distillation,
    standardise_rows,
    total_loss,
)


def t(*rows: list[float]) -> torch.Tensor:
    return torch.tensor(rows, dtype=torch.float32)


def test_list_mle_by_hand() -> None:
    # order by target: items 1, 0; scores in that order: 1, 0
    scores, target, mask = t([0.0, 1.0]), t([0.0, 3.0]), torch.ones(1, 2, dtype=torch.bool)
    expected = (math.log(math.exp(1) + 1) - 1 + 0) / 2
    assert list_mle(scores, target, mask).item() == pytest.approx(expected, rel=1e-6)
    equal = list_mle(t([0.0, 0.0, 0.0]), t([2.0, 1.0, 0.0]), torch.ones(1, 3, dtype=torch.bool))
    assert equal.item() == pytest.approx((math.log(3) + math.log(2)) / 3, rel=1e-6)


def test_list_mle_ignores_padding_and_breaks_ties_by_the_given_key() -> None:
    mask = torch.tensor([[True, True, False]])
    padded = list_mle(t([0.0, 1.0, 50.0]), t([0.0, 3.0, 9.0]), mask)
    assert padded.item() == pytest.approx((math.log(math.exp(1) + 1) - 1) / 2, rel=1e-6)
    tied = t([2.0, 2.0])
    first = list_mle(t([1.0, 0.0]), tied, torch.ones(1, 2, dtype=torch.bool), t([0.0, 1.0]))
    second = list_mle(t([1.0, 0.0]), tied, torch.ones(1, 2, dtype=torch.bool), t([1.0, 0.0]))
    assert first.item() == pytest.approx((math.log(1 + math.exp(-1))) / 2, rel=1e-6)
    assert second.item() == pytest.approx((math.log(1 + math.exp(1))) / 2, rel=1e-6)


def test_list_mle_squash() -> None:
    scores, mask = t([3.0, 1.0]), torch.ones(1, 2, dtype=torch.bool)
    s = [0.0, math.tanh(-2.0)]
    expected = (math.log(math.exp(s[0]) + math.exp(s[1])) - s[0]) / 2
    assert list_mle(scores, t([1.0, 0.0]), mask, squash=True).item() == pytest.approx(expected)


def test_list_mle_squash_keeps_the_gradient_through_the_max() -> None:
    """As the released code: tanh(s - max s) with max s not detached, so the top item's own
    term is constant and it moves only through the max (the gradients sum to 0)."""
    scores = t([3.0, 1.0]).requires_grad_()
    list_mle(scores, t([1.0, 0.0]), torch.ones(1, 2, dtype=torch.bool), squash=True).backward()
    b = math.tanh(-2.0)
    share = math.exp(b) / (1 + math.exp(b))
    sech2 = 1 - math.tanh(2.0) ** 2
    assert scores.grad is not None
    assert scores.grad[0, 0].item() == pytest.approx(-share / 2 * sech2, rel=1e-5)
    assert scores.grad.sum().item() == pytest.approx(0.0, abs=1e-7)


def test_listwise_distillation_per_modality() -> None:
    scores, teacher = t([0.0, 1.0, 5.0, 2.0]), t([0.0, 1.0, 1.0, 0.0])
    modality, mask = torch.tensor([[0, 0, 1, 1]]), torch.ones(1, 4, dtype=torch.bool)
    out = listwise_distillation(scores, teacher, modality, mask, 3)
    assert out[0].item() == pytest.approx((math.log(math.exp(1) + 1) - 1) / 2, rel=1e-6)
    assert out[1].item() == pytest.approx((math.log(math.exp(5) + math.exp(2)) - 5) / 2, rel=1e-5)
    assert out[2].item() == 0.0
    scaled = listwise_distillation(scores * 10, teacher, modality, mask, 3, standardise=True)
    plain = listwise_distillation(scores, teacher, modality, mask, 3, standardise=True)
    assert torch.allclose(scaled, plain, atol=1e-5)  # standardised: order, not scale


def test_standardise_rows() -> None:
    out = standardise_rows(t([1.0, 3.0, 7.0]), torch.tensor([[True, True, False]]))
    assert out[0, :2].tolist() == pytest.approx([-1.0, 1.0], abs=1e-3) and out[0, 2] == 0


def test_pairwise_distillation_by_hand() -> None:
    scores, teacher = t([2.0, 1.5, 0.0]), t([3.0, 2.0, 1.0])
    modality, mask = torch.zeros(1, 3, dtype=torch.long), torch.ones(1, 3, dtype=torch.bool)
    out = pairwise_distillation(scores, teacher, modality, mask, 2, gamma=1.0)
    # pairs (0,1): 1-0.5=0.5, (0,2): 1-2<0 -> 0, (1,2): 1-1.5<0 -> 0
    assert out[0].item() == pytest.approx(0.5 / 3)
    assert out[1].item() == 0.0


def test_kl_distillation_by_hand() -> None:
    scores, teacher = t([0.0, 0.0]), t([1.0, 0.0])
    modality, mask = torch.zeros(1, 2, dtype=torch.long), torch.ones(1, 2, dtype=torch.bool)
    p = [math.exp(2) / (math.exp(2) + 1), 1 / (math.exp(2) + 1)]
    expected = sum(pi * math.log(pi / 0.5) for pi in p)
    out = kl_distillation(scores, teacher, modality, mask, 1, tau=0.5)
    assert out[0].item() == pytest.approx(expected, rel=1e-5)
    assert kl_distillation(teacher, teacher, modality, mask, 1, tau=1.0)[0].item() == (
        pytest.approx(0.0, abs=1e-6)
    )


def test_pair_hinge_and_total() -> None:
    scores = t([2.0, 1.5], [0.0, 3.0])
    loss = pair_hinge(scores, torch.tensor([0, 2]), torch.tensor([1, 3]), gamma=1.0)
    assert loss.item() == pytest.approx((0.5 + 4.0) / 2)
    assert (
        pair_hinge(
            scores, torch.tensor([], dtype=torch.long), torch.tensor([], dtype=torch.long), 1.0
        ).item()
        == 0.0
    )
    total = total_loss(torch.tensor(1.0), torch.tensor([2.0, 3.0]), torch.tensor([0.5, 0.1]))
    assert total.item() == pytest.approx(1 + 1.0 + 0.3)


@pytest.mark.parametrize("page", ["one item", "one modality", "equal labels"])
def test_gradients_are_finite_on_degenerate_pages(page: str) -> None:
    n = 1 if page == "one item" else 4
    scores = torch.randn(2, n, generator=torch.Generator().manual_seed(0), requires_grad=True)
    label = torch.full((2, n), 2.0) if page == "equal labels" else torch.arange(n).repeat(2, 1)
    modality = torch.zeros(2, n, dtype=torch.long)
    mask = torch.ones(2, n, dtype=torch.bool)
    ties = torch.rand(2, n, generator=torch.Generator().manual_seed(1))
    loss = (
        list_mle(scores, label, mask, ties)
        + list_mle(scores, label, mask, ties, squash=True)
        + listwise_distillation(scores, label.float(), modality, mask, 2, ties).sum()
        + listwise_distillation(scores, label.float(), modality, mask, 2, standardise=True).sum()
        + pairwise_distillation(scores, label.float(), modality, mask, 2, 1.0).sum()
        + kl_distillation(scores, label.float(), modality, mask, 2, 1.0).sum()
        + pair_hinge(scores, torch.tensor([0]), torch.tensor([n * 2 - 1]), 1.0)
    )
    loss.backward()
    assert scores.grad is not None
    assert torch.isfinite(loss) and torch.isfinite(scores.grad).all()
