"""sft and the smar family: the reranker contract, the recorded weight choice, the attention
head, the iso-anchor pairs reaching the loss, and the shared training helpers."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import baselines.sft
import baselines.smar
import baselines.smar_variants  # noqa: F401
import strategies.iso_anchors  # noqa: F401
from baselines.smar_net import Normaliser, Pages
from benchmark.core.reranker import RERANKERS, Reranker, make_reranker
from benchmark.pipeline.annotation import annotate
from benchmark.pipeline.harness import Prepared

NAMES = [
    "sft",
    "sft-g",
    "sft-squash",
    "smar",
    "smar-z",
    "smar-g",
    "smar-released",
    "smar-pairwise",
    "smar-kl",
    "smar-anchors",
    "smar-no-distill",
    "smar-distill-only",
]


def fit(tiny: Prepared, name: str, seed: int, **params: object) -> tuple[Reranker, np.ndarray]:
    reranker = make_reranker(name, params)
    labelled = {s: tiny.dataset[s] for s in ("page_train", "page_valid")}
    assert reranker.default_strategy is not None
    views, _, _ = annotate(labelled, reranker.default_strategy, 0.3, seed)
    reranker.fit(views["page_train"], views["page_valid"], layout=tiny.layout, seed=seed)
    return reranker, np.asarray(reranker.score(tiny.dataset["test"].hide_labels()))


@pytest.mark.parametrize("name", NAMES)
def test_fit_info_and_default_run(tiny: Prepared, name: str) -> None:
    """What test_contract.py does not check: the recorded weight choice, the default run."""
    reranker, _ = fit(tiny, name, 5, max_rounds=2)
    info = reranker.fit_info()
    assert info["chosen"] in [
        {k: v for k, v in g.items() if k not in ("valid_ndcg@10", "rounds")} for g in info["grid"]
    ]
    assert RERANKERS.get(name).in_default_run == (name in ("sft", "sft-g", "smar", "smar-g"))


@pytest.mark.parametrize("name,sees_g", [("sft", False), ("smar", False), ("sft-g", True)])
def test_g_is_an_input_only_with_g_input(tiny: Prepared, name: str, sees_g: bool) -> None:
    """Without ``g_input`` the fitted network's scores do not depend on g_score at all."""
    extra = {"betas": [1.0]} if name == "smar" else {}
    reranker, _ = fit(tiny, name, 2, max_rounds=1, **extra)
    test = tiny.dataset["test"].hide_labels()
    shuffled = test.replace(g_score=np.random.default_rng(0).permutation(test.g_score))
    same = np.array_equal(reranker.score(test), reranker.score(shuffled))
    assert same != sees_g


def test_released_annotation_term_needs_two_modalities(tiny: Prepared) -> None:
    """smar-released's label term skips pages whose items are all of one modality."""
    reranker, _ = fit(tiny, "smar-released", 3, max_rounds=1)
    split = tiny.dataset["page_train"]
    pages = Pages.build(split, tiny.layout, Normaliser.fit(split, tiny.layout), "cpu")
    batch = pages.take(np.array([0, 1]))
    batch.modality[1] = 0  # page 1 now holds a single modality
    known = batch.mask & (batch.label >= 0)
    got = reranker.annotated(batch)  # type: ignore[attr-defined]
    assert torch.equal(got[0], known[0]) and not bool(got[1].any()) and bool(known[1].any())


def test_attention_head_and_threads_restored(tiny: Prepared) -> None:
    before = torch.get_num_threads()
    _, scores = fit(tiny, "smar", 1, head="attention", betas=[1.0], max_rounds=2)
    assert np.isfinite(scores).all() and torch.get_num_threads() == before


def test_anchor_pairs_reach_the_batches(tiny: Prepared) -> None:
    split = tiny.dataset["page_train"]
    views, _, _ = annotate(
        {"page_train": split, "page_valid": tiny.dataset["page_valid"]}, "iso-anchors", 0.3, 0
    )
    train = views["page_train"]
    assert len(train.pairs) > 0
    pages = Pages.build(train, tiny.layout, Normaliser.fit(train, tiny.layout), "cpu")
    batch = pages.take(np.array([3, 0]))
    better, worse = batch.flat_pairs()
    width = pages.mask.shape[1]
    rows = {int(r) for k in (0, 3) for r in range(train.offsets[k], train.offsets[k + 1])}
    expected = [p for p in train.pairs.tolist() if p[0] in rows]
    assert len(better) == len(expected)
    assert bool(batch.mask.reshape(-1)[better].all() and batch.mask.reshape(-1)[worse].all())
    assert int(better.max()) < 2 * width


def test_normaliser_compresses_heavy_tails(tiny: Prepared) -> None:
    norm = Normaliser.fit(tiny.dataset["page_train"], tiny.layout)
    fm = tiny.layout.feature_modality
    assert norm.log_cols[fm == 1].any() and norm.log_cols[fm == 2].any()
    assert not norm.log_cols[fm == 0].any()
