"""Our strategies buy what their docstrings say: calibration anchors depth by depth, uncertain
pairs by NDCG@10 at stake, cross-modal crossings near the top, whole pages by gain."""

from __future__ import annotations

import numpy as np
import pytest

import strategies.active
from benchmark.core.annotation import STRATEGIES, Oracle, RoundState
from benchmark.pipeline.annotation import annotate_rounds
from benchmark.pipeline.harness import Prepared
from strategies.active import TOP, flip_weights, page_order
from strategies.disagreement import crossing_pairs
from strategies.pages_active import page_gains
from strategies.uncertainty import uncertain_pairs
from tests.strategies.test_iso_anchors import make_split


def anchors(fraction: float) -> np.ndarray:
    """Modalities of 10, 3 and 1 items on 5 identical pages (14 items each)."""
    split = make_split([np.zeros(10), np.zeros(3), np.zeros(1)], pages=5)
    oracle = Oracle({"page_train": split}, fraction)
    STRATEGIES.get("calibration-anchors").buy(
        split.hide_labels(), oracle, fraction, np.random.default_rng(0)
    )
    return (oracle.revealed_labels("page_train") >= 0).reshape(5, 14)


def test_calibration_anchors_cover_every_page_before_going_deeper() -> None:
    top = np.zeros(14, dtype=bool)
    top[[0, 10, 13]] = True  # the top item of each modality
    assert all(np.array_equal(page, top) for page in anchors(15 / 70))
    deeper = top.copy()
    deeper[[1, 11]] = True  # depth 1: web and image (the answer has one item)
    pages = anchors(19 / 70)  # 15 units for depth 0, then two depth-1 requests of 2
    assert sum(np.array_equal(p, deeper) for p in pages) == 2
    assert sum(np.array_equal(p, top) for p in pages) == 3


def test_calibration_anchors_skip_a_request_that_does_not_fit() -> None:
    pages = anchors(14 / 70)  # 4 whole depth-0 requests (12 units); the fifth does not fit,
    assert sum(p.any() for p in pages) == 4  # but a depth-1 request (2 units) does
    assert pages.sum() == 14 and pages[:, [1, 11]].all(axis=1).sum() == 1


def test_flip_weights_count_only_the_top_and_unsure_pairs() -> None:
    n = TOP + 4
    ids = np.array([f"d{i:02d}" for i in range(n)])
    base = np.arange(n, 0, -1, dtype=np.float64)  # item 0 best
    sure = np.stack([base * 10 + k * 0.01 for k in range(4)])  # members agree, large gaps
    assert flip_weights(sure, ids).max() < 1e-6
    unsure = sure.copy()
    # items 0 and 1 stay on top but swap places across the members
    unsure[:, [0, 1]] = [[200, 201], [201, 200], [200, 201], [201, 200]]
    weights = flip_weights(unsure, ids)
    assert weights[0, 1] > 0.1 and np.allclose(weights, weights.T)
    tied = np.zeros((4, n))  # members all tie: every pair is a coin flip
    weights = flip_weights(tied, ids)
    assert np.isclose(weights[0, 1], 0.5 * (1 - 1 / np.log2(3)))
    assert weights[TOP, TOP + 1] == 0  # both below the cut: nothing at stake


def test_crossings_are_adjacent_cross_modal_pairs_in_the_top() -> None:
    split = make_split([np.zeros(8), np.zeros(8)])
    scores = np.where(split.modality == 0, 10.0, 0.0) - np.arange(split.n_items) * 0.1
    scores[8] = 9.45  # the best image item sits between web items 5 and 6
    pairs, priority = crossing_pairs(split, scores[None, :])
    assert {tuple(p) for p in pairs.tolist()} == {(5, 8), (8, 6), (7, 9)}
    gap = dict(zip(map(tuple, pairs.tolist()), -priority, strict=True))
    assert np.isclose(gap[(5, 8)], gap[(8, 6)]) and gap[(7, 9)] > 100 * gap[(5, 8)]


@pytest.mark.parametrize("block_pairs", [2**18, 500])
def test_block_computations_match_page_by_page(
    tiny: Prepared, block_pairs: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The strategies score blocks of equal-sized pages at once (and uncertainty only the pairs
    with an item in the top 10): the very numbers, in the same order, as page by page."""
    monkeypatch.setattr(strategies.active, "BLOCK_PAIRS", block_pairs)  # many blocks per size
    split = tiny.dataset["page_train"]
    assert len(np.unique(split.group_sizes)) > 1
    rng = np.random.default_rng(0)
    for scores in (rng.normal(size=(4, split.n_items)), rng.integers(0, 3, (4, split.n_items))):
        scores = scores.astype(np.float64)  # the integer draw ties many pairs and ranks
        pairs, priority, gains, cross, gaps = [], [], [], [], []
        for _, rows in split.queries():
            w = flip_weights(scores[:, rows], split.item_ids[rows])
            i, j = np.triu_indices(w.shape[0], k=1)
            keep = w[i, j] > 0
            pairs.append(np.column_stack([i[keep], j[keep]]) + rows.start)
            priority.append(w[i, j][keep])
            gains.append(w.sum() / 2 / w.shape[0])
            s = scores[0, rows]
            top = page_order(s, split.item_ids[rows])[: TOP + 1]
            a, b = top[:-1], top[1:]
            crossing = split.modality[rows][a] != split.modality[rows][b]
            cross.append(np.column_stack([a[crossing], b[crossing]]) + rows.start)
            gaps.append(-(s[a[crossing]] - s[b[crossing]]) / (float(s.std()) or 1.0))
        got_pairs, got_priority = uncertain_pairs(split, scores)
        assert np.array_equal(got_pairs, np.concatenate(pairs))
        assert np.array_equal(got_priority, np.concatenate(priority))
        assert np.array_equal(page_gains(split, scores), np.array(gains))
        got_cross, got_gaps = crossing_pairs(split, scores)
        assert np.array_equal(got_cross, np.concatenate(cross))
        assert np.array_equal(got_gaps, np.concatenate(gaps))


def test_pages_active_buys_whole_pages_by_gain(tiny: Prepared) -> None:
    done = annotate_rounds(
        {"page_train": tiny.dataset["page_train"]}, "pages-active", 0.3, 1, tiny.layout
    )
    view = done.views["page_train"]
    for _, rows in view.queries():
        assert len(np.unique(view.page_label[rows] >= 0)) == 1
    split = make_split([np.zeros(12), np.zeros(6)], pages=2)
    calm = np.stack([-np.arange(36.0) * 10] * 4)
    calm[:, 18:] = [[1.0] * 18, [-1.0] * 18, [2.0] * 18, [-2.0] * 18]  # page 1: unsure
    assert page_gains(split, calm)[1] > page_gains(split, calm)[0]


def test_round_zero_without_a_model_is_the_anchors(tiny: Prepared) -> None:
    split = tiny.dataset["page_train"]
    a, b = Oracle({"page_train": split}, 0.1), Oracle({"page_train": split}, 0.1)
    STRATEGIES.get("uncertainty").buy(
        split.hide_labels(), a, 0.1, np.random.default_rng(0), RoundState(0, 4)
    )
    STRATEGIES.get("calibration-anchors").buy(split.hide_labels(), b, 0.1, np.random.default_rng(0))
    assert np.array_equal(a.revealed_labels("page_train"), b.revealed_labels("page_train"))


@pytest.mark.parametrize(
    "name", ["calibration-anchors", "uncertainty", "disagreement", "pages-active"]
)
def test_page_valid_is_bought_as_whole_pages(tiny: Prepared, name: str) -> None:
    splits = {s: tiny.dataset[s] for s in ("page_train", "page_valid")}
    view = annotate_rounds(splits, name, 0.3, 2, tiny.layout).views["page_valid"]
    for _, rows in view.queries():
        assert len(np.unique(view.page_label[rows] >= 0)) == 1
    assert (view.page_label >= 0).any()
