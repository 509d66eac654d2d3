"""The annotation oracle enforces the budget, and each strategy reveals the right items."""

from __future__ import annotations

import math

import numpy as np
import pytest

from benchmark.core.annotation import (
    STRATEGIES,
    BudgetExceeded,
    Oracle,
    page_modality_orders,
    parse_budget,
)
from benchmark.core.data import Split
from benchmark.pipeline.annotation import annotate
from benchmark.pipeline.harness import Prepared
from strategies.bands import band_bounds

BASIC = ["pages", "random", "top-p", "middle", "bottom"]


@pytest.mark.parametrize(
    "text,value",
    [("10%", 0.1), ("0.1", 0.1), ("100%", 1.0), ("1", 1.0), ("2.5%", 0.025), (0.3, 0.3)],
)
def test_parse_budget(text, value) -> None:
    assert parse_budget(text) == value


@pytest.mark.parametrize("text", ["150%", "0", "-5%", "abc", "1.5", "nan", "0%"])
def test_parse_budget_rejects(text) -> None:
    with pytest.raises(ValueError, match="accepted forms"):
        parse_budget(text)


def labelled(tiny: Prepared) -> dict:
    return {s: tiny.dataset[s] for s in ("page_train", "page_valid")}


def modality_orders(split: Split, rows: slice) -> list[np.ndarray]:
    """One page's rows per modality, best g first (ties: item id), written the plain way."""
    orders = []
    for m in np.unique(split.modality[rows]):
        idx = np.flatnonzero(split.modality[rows] == m) + rows.start
        orders.append(idx[np.lexsort((split.item_ids[idx], -split.g_score[idx]))])
    return orders


def test_page_modality_orders_sort_each_page_and_modality(tiny: Prepared) -> None:
    split = tiny.dataset["page_train"]
    tied = split.replace(g_score=np.round(split.g_score, 1))  # ties broken by the item id
    for s in (split, tied):
        pages = page_modality_orders(s)
        assert len(pages) == s.n_queries
        for k, rows in s.queries():
            expected = modality_orders(s, rows)
            assert len(pages[k]) == len(expected)
            assert all(np.array_equal(a, b) for a, b in zip(pages[k], expected, strict=True))


@pytest.mark.parametrize("strategy", BASIC)
@pytest.mark.parametrize("budget", [0.05, 0.1, 0.3, 0.5, 1.0])
def test_units_within_budget(tiny: Prepared, strategy: str, budget: float) -> None:
    splits = labelled(tiny)
    views, used, total = annotate(splits, strategy, budget, seed=1)
    assert total == sum(s.n_items for s in splits.values())
    assert 0 < used <= budget * total
    revealed = sum(int((v.page_label >= 0).sum()) for v in views.values())
    assert revealed == used
    for name, view in views.items():
        known = view.page_label >= 0
        assert known.sum() <= math.floor(budget * splits[name].n_items + 1e-9)
        # revealed labels are the true ones; nothing else is visible
        assert np.array_equal(view.page_label[known], splits[name].page_label[known])
        assert (view.modal_label == -1).all()


@pytest.mark.parametrize("strategy", BASIC)
def test_full_budget_reveals_everything(tiny: Prepared, strategy: str) -> None:
    splits = labelled(tiny)
    views, used, total = annotate(splits, strategy, 1.0, seed=2)
    assert used == total
    for name, view in views.items():
        assert np.array_equal(view.page_label, splits[name].page_label)


def test_pages_reveals_whole_pages(tiny: Prepared) -> None:
    views, _, _ = annotate(labelled(tiny), "pages", 0.3, seed=3)
    view = views["page_train"]
    per_page = [np.unique(view.page_label[r] >= 0) for _, r in view.queries()]
    assert all(len(u) == 1 for u in per_page)  # a page is all-known or all-unknown
    assert sum(bool(u[0]) for u in per_page) > 0


def test_random_reveals_a_share_of_every_page(tiny: Prepared) -> None:
    views, _, _ = annotate(labelled(tiny), "random", 0.3, seed=4)
    view = views["page_train"]
    shares = [(view.page_label[r] >= 0).mean() for _, r in view.queries()]
    assert min(shares) > 0.1 and max(shares) < 0.5


@pytest.mark.parametrize(
    "strategy,position", [("top-p", "top"), ("middle", "middle"), ("bottom", "bottom")]
)
def test_bands_follow_the_g_ranking(tiny: Prepared, strategy: str, position: str) -> None:
    """Each bought page holds exactly its modalities' bands (strategies.bands.band_bounds, whose
    rounding tests/strategies/test_bands.py checks by hand)."""
    views, _, _ = annotate(labelled(tiny), strategy, 0.2, seed=5)
    view = views["page_train"]
    pages_with_labels = 0
    for _, rows in view.queries():
        known = view.page_label >= 0
        if not known[rows].any():
            continue
        pages_with_labels += 1
        for order in modality_orders(view, rows):
            start, end = band_bounds(position, len(order), 0.2)
            assert np.flatnonzero(known[order]).tolist() == list(range(start, end))
    assert pages_with_labels > 0.5 * view.n_queries


def test_oracle_refuses_to_exceed_and_never_sells_test(tiny: Prepared) -> None:
    splits = labelled(tiny)
    oracle = Oracle(splits, 0.1)
    cap = oracle.cap["page_train"]
    oracle.reveal("page_train", np.arange(cap))
    oracle.reveal("page_train", np.arange(cap))  # already bought: free
    assert oracle.units_used == cap
    with pytest.raises(BudgetExceeded):
        oracle.reveal("page_train", np.array([cap]))
    with pytest.raises(KeyError, match="not for sale"):
        oracle.reveal("test", np.array([0]))
    with pytest.raises(ValueError, match="only sells"):
        Oracle({"test": tiny.dataset["test"]}, 0.5)


def test_every_strategy_is_listed() -> None:
    assert set(BASIC) <= set(STRATEGIES.names())


def test_same_seed_same_annotation(tiny: Prepared) -> None:
    a, _, _ = annotate(labelled(tiny), "pages", 0.2, seed=9)
    b, _, _ = annotate(labelled(tiny), "pages", 0.2, seed=9)
    c, _, _ = annotate(labelled(tiny), "pages", 0.2, seed=10)
    assert np.array_equal(a["page_train"].page_label, b["page_train"].page_label)
    assert not np.array_equal(a["page_train"].page_label, c["page_train"].page_label)


def test_units_spent_is_the_count_of_revealed_labels(tiny: Prepared) -> None:
    """The oracle keeps its units as a running count (issue 19: counting the revealed mask on
    every ``units_left`` made a cell quadratic in the pages); repeated, overlapping and
    duplicated purchases in two splits leave it equal to the count of revealed labels."""
    oracle = Oracle(labelled(tiny), 0.5)
    rng = np.random.default_rng(0)
    for _ in range(40):
        name = str(rng.choice(["page_train", "page_valid"]))
        rows = rng.integers(0, 20, size=int(rng.integers(0, 8)))  # duplicates, re-buys
        if len(np.unique(rows[oracle.revealed_labels(name)[rows] < 0])) <= oracle.units_left(name):
            oracle.reveal(name, rows)
        for split in ("page_train", "page_valid"):
            assert oracle.units_spent(split) == (oracle.revealed_labels(split) >= 0).sum()
    assert oracle.units_used == sum(oracle.units_spent(s) for s in ("page_train", "page_valid"))


class MaskCountingOracle(Oracle):
    """The oracle before issue 19: its units counted from the revealed mask at every ask."""

    def units_spent(self, split: str) -> int:
        return int(self._revealed[split].sum())


@pytest.mark.parametrize("strategy", sorted(STRATEGIES.names()))
def test_purchases_as_with_the_mask_counting_oracle(
    tiny: Prepared, strategy: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every strategy buys the same labels, in the same rounds, as before the running count."""
    from benchmark.pipeline import annotation as pipeline_annotation

    splits = labelled(tiny)
    now = pipeline_annotation.annotate_rounds(splits, strategy, 0.2, 7, tiny.layout)
    monkeypatch.setattr(pipeline_annotation, "Oracle", MaskCountingOracle)
    before = pipeline_annotation.annotate_rounds(splits, strategy, 0.2, 7, tiny.layout)
    assert now.units_used == before.units_used
    assert [r["units"] for r in now.rounds] == [r["units"] for r in before.rounds]
    for name, view in now.views.items():
        assert np.array_equal(view.page_label, before.views[name].page_label)
        assert np.array_equal(view.pairs, before.views[name].pairs)
