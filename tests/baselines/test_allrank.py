"""allRank rerankers and their adapter: import without allRank's extras, loss parity with
independent computations, the workarounds of the adapter (the contract: tests/test_contract.py)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
import torch

from baselines import allrank_adapter as adapter
from baselines.allrank_slates import Standardiser
from benchmark.core.data import Split
from benchmark.core.ndcg import revealed_ndcg
from benchmark.core.reranker import make_reranker
from benchmark.pipeline.annotation import annotate
from benchmark.pipeline.harness import DatasetCache, Prepared
from tests.conftest import TINY

ROOT = Path(__file__).resolve().parents[2]

# Two slates of length 6: the first has an unrevealed item (-1) in the middle and padding at the
# end, the second has no positive label (allRank leaves it out of neuralNDCG's mean).
SCORES = torch.tensor(
    [[0.3, 1.9, -0.7, 0.5, 1.2, 0.0], [0.4, -0.2, 1.1, 0.8, 0.0, 0.0]], dtype=torch.float32
)
LABELS = torch.tensor([[1.0, 3.0, -1.0, 0.0, 2.0, -1.0], [0.0, 0.0, 0.0, 0.0, -1.0, -1.0]])


def neural_ndcg_reference(scores: np.ndarray, labels: np.ndarray, tau: float = 1.0) -> float:
    """NeuralNDCG (Pobrotyn & Bialobrzeski 2021) from the paper's formulas, per slate on its
    labelled items only: NeuralSort P[i, j] = softmax_j(((n + 1 - 2i) s_j - sum_k |s_j - s_k|)
    / tau), i = 1..n; Sinkhorn scaling (columns, then rows; until both margins are within 1e-6,
    at most 50 rounds); DCG = sum_i (P g)_i / log2(i + 1) with g = 2^label - 1; divided by the
    ideal DCG; the loss is minus the mean over slates with a positive label."""
    values = []
    for s, y in zip(scores.astype(np.float64), labels.astype(np.float64), strict=True):
        s, y = s[y >= 0], y[y >= 0]
        if not (y > 0).any():
            continue
        n = len(s)
        i = np.arange(1, n + 1)
        logits = ((n + 1 - 2 * i)[:, None] * s[None, :] - np.abs(s[:, None] - s).sum(1)) / tau
        p = np.exp(logits - logits.max(1, keepdims=True))
        p /= p.sum(1, keepdims=True)
        for _ in range(50):
            p = p / p.sum(0, keepdims=True)
            p = p / p.sum(1, keepdims=True)
            if max(abs(p.sum(0) - 1).max(), abs(p.sum(1) - 1).max()) < 1e-6:
                break
        gains = 2**y - 1
        discount = 1 / np.log2(i + 1)
        values.append((p @ gains * discount).sum() / (np.sort(gains)[::-1] * discount).sum())
    return -float(np.mean(values))


def lambda_loss_reference(scores: np.ndarray, labels: np.ndarray, mu: float = 10.0) -> float:
    """LambdaLoss with the NDCG-Loss2++ weights (Wang et al. 2018), sigma = 1, summed over
    slates: items ranked by score (r = 1..n), G_r = (2^label - 1) / maxDCG, D_r = log2(1 + r);
    for each pair with label_i > label_j, weight mu * delta_ij + |1/D_i - 1/D_j| * |G_i - G_j|
    with delta_ij = |1/D(|i - j|) - 1/D(|i - j| + 1)| * |G_i - G_j|, and loss
    -weight * log2(sigmoid(s_i - s_j))."""
    total = 0.0
    for s, y in zip(scores.astype(np.float64), labels.astype(np.float64), strict=True):
        s, y = s[y >= 0], y[y >= 0]
        order = np.argsort(-s)
        s, y = s[order], y[order]
        disc = np.log2(1 + np.arange(1, len(s) + 1))
        max_dcg = max(((2 ** np.sort(y)[::-1] - 1) / disc).sum(), 1e-10)
        gain = (2**y - 1) / max_dcg
        for a in range(len(s)):
            for b in range(len(s)):
                if y[a] <= y[b]:
                    continue
                dg = abs(gain[a] - gain[b])
                d = abs(a - b)
                delta = abs(1 / np.log2(1 + d) - 1 / np.log2(2 + d)) * dg
                weight = mu * delta + abs(1 / disc[a] - 1 / disc[b]) * dg
                total -= weight * np.log2(1 / (1 + np.exp(-(s[a] - s[b]))))
    return total


def test_adapter_imports_without_allranks_extras() -> None:
    """In a fresh interpreter where torchvision, gcsfs, tensorboardX, scikit-learn and
    pkg_resources cannot be imported (even when installed), the adapter imports through its
    stand-ins, builds a model, computes every offered loss and runs allRank's own fit."""
    code = textwrap.dedent(
        """
        import sys
        # A None entry in sys.modules makes `import name` raise ImportError and
        # importlib.util.find_spec(name) return None: what an absent package looks like.
        BLOCKED = ("torchvision", "gcsfs", "tensorboardX", "sklearn", "pkg_resources")
        sys.modules.update(dict.fromkeys(BLOCKED))
        import torch
        from baselines import allrank_adapter as a
        for name in ("allrank.data.dataset_loading", "allrank.utils.file_utils"):
            assert "Stand-in" in sys.modules[name].__doc__, name
        torch.manual_seed(0)
        model = a.build_model(5, [8], 0.0, encoder_layers=1, heads=2, d_ff=8)
        x, y = torch.randn(4, 3, 5), torch.tensor([[2.0, 0.0, 1.0]] * 4)
        idx = torch.arange(3).expand(4, 3)
        for loss in a.LOSSES:
            assert torch.isfinite(a.loss_function(loss)(model(x, y < 0, idx), y)), loss
        opt = torch.optim.Adam(model.parameters())
        dl = [(x, y, idx)]
        cpu, loss = torch.device("cpu"), a.loss_function("listNet")
        a.allrank_train_pass(model, loss, opt, dl, device=cpu)
        out = a.allrank_fit(model, loss, opt, dl, dl, epochs=1, device=cpu)
        assert "ndcg_10" in out["val_metrics"]
        assert all(sys.modules[name] is None for name in BLOCKED)
        print("ok")
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith("ok")


def test_neural_ndcg_matches_independent_computation() -> None:
    expected = neural_ndcg_reference(SCORES.numpy(), LABELS.numpy())
    got = adapter.loss_function("neuralNDCG")(SCORES, LABELS).item()
    assert got == pytest.approx(expected, abs=2e-6)
    assert -1 < expected < 0


def test_lambda_loss_matches_independent_computation() -> None:
    expected = lambda_loss_reference(SCORES.numpy(), LABELS.numpy())
    got = adapter.loss_function("lambdaLoss")(SCORES, LABELS).item()
    assert got == pytest.approx(expected, rel=1e-5)
    assert expected > 0


def test_neural_ndcg_workaround_for_masked_items_inside_a_slate() -> None:
    """allRank's neuralNDCG is wrong when a masked item is not at the end of its slate; the
    adapter's loss equals the loss of the same slate with that item dropped."""
    from allrank.models.losses import neuralNDCG

    scores, labels = SCORES[:1], LABELS[:1]
    keep = labels[0] >= 0
    dropped_s = torch.cat([scores[0, keep], torch.zeros(3)])[None]
    dropped_l = torch.cat([labels[0, keep], -torch.ones(3)])[None]
    assert neuralNDCG(scores, labels).item() != pytest.approx(
        neuralNDCG(dropped_s, dropped_l).item()
    )
    assert adapter.loss_function("neuralNDCG")(scores, labels).item() == pytest.approx(
        neuralNDCG(dropped_s, dropped_l).item(), abs=1e-7
    )


@pytest.mark.parametrize("loss", sorted(adapter.LOSSES))
def test_unrevealed_items_get_no_gradient(loss: str) -> None:
    scores = SCORES.clone().requires_grad_(True)
    torch.manual_seed(0)
    adapter.loss_function(loss)(scores, LABELS).backward()
    assert scores.grad is not None
    assert torch.all(scores.grad[LABELS == -1] == 0)
    assert torch.any(scores.grad[0, LABELS[0] >= 0] != 0)


def test_make_model_sizes_workaround() -> None:
    """allRank's make_model inserts the input size into the list it is given; build_model gives
    it a fresh list, so a hyper-parameter list can be reused."""
    from allrank.models.model import make_model

    sizes = [8, 8]
    fc = {"sizes": sizes, "input_norm": False, "activation": "ReLU", "dropout": 0.0}
    make_model(fc, None, {"d_output": 1, "output_activation": None}, n_features=5)
    assert sizes == [5, 8, 8]
    sizes = [8, 8]
    adapter.build_model(5, sizes, 0.0)
    model = adapter.build_model(5, sizes, 0.0)
    assert sizes == [8, 8] and len(model.input_layer.layers) == 2


def test_broken_losses_and_devices_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    for loss in ("rankNet", "ordinal", "bce"):
        with pytest.raises(ValueError, match="unknown allRank loss"):
            adapter.loss_function(loss)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    with pytest.raises(ValueError, match="neuralNDCG always computes on cuda"):
        adapter.check_device("neuralNDCG", "cpu")


def test_standardiser_logs_heavy_tails_and_scales_within_modality(tiny: Prepared) -> None:
    train = tiny.dataset["page_train"]
    owner = tiny.layout.feature_modality
    scaler = Standardiser.fit(train.features, train.modality, owner)
    mods = tiny.layout.modalities
    assert scaler.log[owner == mods.index("image")].all()
    assert scaler.log[owner == mods.index("video")].all()
    assert not scaler.log[owner == mods.index("web")].any()
    z = scaler.transform(train.features, train.modality)
    for j, m in enumerate(owner):
        rows = train.modality == m
        assert (z[~rows, j] == 0).all()
        assert z[rows, j].mean() == pytest.approx(0, abs=1e-5)
        assert z[rows, j].std() == pytest.approx(1, abs=1e-4)


def test_ndcg_at_breaks_ties_by_item_id_and_skips_unrevealed() -> None:
    def arr(*v: object, dtype: object = np.float32) -> np.ndarray:
        return np.array(v, dtype=dtype)

    split = Split.from_query_ids(
        "v",
        arr("q", "q", "q", "r", "r", dtype=str),
        item_ids=arr("b", "a", "c", "x", "y", dtype=str),
        modality=arr(0, 0, 0, 0, 0, dtype=np.int8),
        features=np.zeros((5, 1), np.float32),
        query_features=np.zeros((2, 1), np.float32),
        g_score=np.zeros(5, np.float32),
        page_label=arr(2, 0, -1, 0, 0, dtype=np.int8),
        modal_label=np.full(5, -1, np.int8),
    )
    # q: b and a tie on score; a (label 0) goes first by item id, c is unrevealed and skipped:
    # DCG = 0 + 3 / log2(3), ideal = 3. r has no positive label and is left out.
    scores = np.array([1.0, 1.0, 9.0, 0.0, 0.0])
    assert revealed_ndcg(split, scores) == pytest.approx(1 / np.log2(3))


def fitted(tiny: Prepared, name: str, budget: float, strategy: str = "pages") -> tuple:
    labelled = {s: tiny.dataset[s] for s in ("page_train", "page_valid")}
    views, _, _ = annotate(labelled, strategy, budget, 5)
    reranker = make_reranker(name).fit(
        views["page_train"], views["page_valid"], layout=tiny.layout, seed=3
    )
    return reranker, views


def test_keeps_the_best_epoch_and_leaves_torch_state_alone(tiny: Prepared) -> None:
    state, threads = torch.random.get_rng_state(), torch.get_num_threads()
    reranker, views = fitted(tiny, "allrank", 1.0)
    assert torch.equal(state, torch.random.get_rng_state())
    assert torch.get_num_threads() == threads
    info = reranker.fit_info()
    assert info["early_stopping"] and info["best_epoch"] <= info["epochs_trained"]
    valid = views["page_valid"]
    assert revealed_ndcg(valid, reranker.score(valid)) == pytest.approx(
        info["best_valid_ndcg@10"], abs=1e-9
    )


def test_partial_pages_train_and_every_item_is_scored(tiny: Prepared) -> None:
    """With the random strategy every page has unrevealed items: they stay in the slates as
    context, are left out of the loss, and every test row gets a finite score."""
    reranker, views = fitted(tiny, "allrank", 0.3, "random")
    assert (views["page_train"].page_label == -1).any()
    test = tiny.dataset["test"]
    scores = reranker.score(test.hide_labels())
    assert scores.shape == (test.n_items,) and np.isfinite(scores).all()
    assert reranker.fit_info()["train_pages"] > 0


def test_perf_epoch_ratio_runs(cache: DatasetCache) -> None:
    from benchmark.tools.perf_allrank import epoch_ratio

    figures = epoch_ratio(1, cache, TINY)
    assert figures["allrank_epoch_s"] > 0 and figures["allrank_fit_epoch_s"] > 0
    assert figures["allrank_epoch_ratio"] > 0 and figures["allrank_train_pass_ratio"] > 0
