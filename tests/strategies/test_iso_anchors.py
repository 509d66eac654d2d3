"""The iso-anchors strategy: exact anchors within the log budget on monotone pages, and
termination within budget on any page."""

from __future__ import annotations

import math

import numpy as np

import strategies.iso_anchors  # noqa: F401  (registers the strategy)
from benchmark.core.annotation import STRATEGIES, Oracle, page_modality_orders
from benchmark.core.data import Split
from strategies.iso_anchors import LEVELS, PageSearch


def make_split(labels: list[np.ndarray], pages: int = 1) -> Split:
    """``pages`` identical pages; modality m has ``len(labels[m])`` items whose g_score order
    is the given order."""
    mod = np.concatenate([np.full(len(lab), m) for m, lab in enumerate(labels)])
    g = np.concatenate([-np.arange(len(lab), dtype=np.float32) for lab in labels])
    lab = np.concatenate(labels).astype(np.int8)
    n = len(mod)
    ids = np.array([f"m{m}-{i:03d}" for i, m in enumerate(mod)])
    return Split.from_query_ids(
        "page_train",
        np.repeat([f"q{k}" for k in range(pages)], n),
        item_ids=np.tile(ids, pages),
        modality=np.tile(mod, pages).astype(np.int8),
        features=np.zeros((n * pages, 1), np.float32),
        query_features=np.zeros((pages, 1), np.float32),
        g_score=np.tile(g, pages),
        page_label=np.tile(lab, pages),
        modal_label=np.tile(lab, pages),
    )


def buy(split: Split, fraction: float, seed: int = 0) -> tuple[np.ndarray, Oracle]:
    oracle = Oracle({"page_train": split}, fraction)
    pairs = STRATEGIES.get("iso-anchors").buy(
        split.hide_labels(), oracle, fraction, np.random.default_rng(seed)
    )
    return pairs, oracle


def test_monotone_page_gives_exact_anchors_within_the_log_budget() -> None:
    rng = np.random.default_rng(0)
    labels = [np.sort(rng.integers(0, 5, size=64))[::-1] for _ in range(2)]
    split = make_split(labels)
    pairs, oracle = buy(split, 1.0)
    n = 64
    assert oracle.units_used <= len(LEVELS) * 2 * math.ceil(math.log2(n))
    truth = split.page_label
    cross = split.modality[:, None] != split.modality[None, :]
    expected = {
        (int(i), int(j))
        for i, j in zip(*np.nonzero((truth[:, None] > truth[None, :]) & cross), strict=True)
    }
    assert set(map(tuple, pairs.tolist())) == expected
    search = PageSearch(page_modality_orders(split)[0])
    search.known = [{p: int(truth[o[p]]) for p in range(len(o))} for o in search.orders]
    _, _, lb, ub = search.bounds()
    assert np.array_equal(lb, ub)


def test_non_monotone_pages_terminate_within_budget() -> None:
    rng = np.random.default_rng(1)
    split = make_split(
        [rng.integers(0, 5, size=12), rng.integers(0, 5, size=7), rng.integers(0, 5, size=1)],
        pages=30,
    )
    for fraction in (0.05, 0.2, 1.0):
        pairs, oracle = buy(split, fraction)
        assert oracle.units_used <= oracle.cap["page_train"]
        page = np.repeat(np.arange(30), split.group_sizes)
        assert np.all(page[pairs[:, 0]] == page[pairs[:, 1]])
        assert np.all(split.modality[pairs[:, 0]] != split.modality[pairs[:, 1]])


def test_small_budget_is_shared_across_pages() -> None:
    split = make_split([np.array([4, 3, 2, 1, 0, 0]), np.array([2, 1, 0])], pages=20)
    _, oracle = buy(split, 0.2)
    bought = oracle.revealed_labels("page_train") >= 0
    per_page = np.add.reduceat(bought.astype(int), split.offsets[:-1])
    assert per_page.min() >= 1 and per_page.max() <= 2
