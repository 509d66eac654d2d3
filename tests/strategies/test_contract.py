"""The strategy contract, for every registered strategy: within the per-split cap at several
budgets, revealed labels are the true ones, nothing else is visible, and the same config buys
the same labels."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from benchmark.core.annotation import STRATEGIES, allowance
from benchmark.pipeline.annotation import annotate_rounds
from benchmark.pipeline.harness import Prepared


def labelled(tiny: Prepared) -> dict:
    return {s: tiny.dataset[s] for s in ("page_train", "page_valid")}


@pytest.mark.parametrize("name", STRATEGIES.names())
@pytest.mark.parametrize("budget", [0.05, 0.2, 0.5])
def test_strategy_respects_the_cap(tiny: Prepared, name: str, budget: float) -> None:
    splits = labelled(tiny)
    done = annotate_rounds(splits, name, budget, 5, tiny.layout)
    assert 0 < done.units_used <= budget * done.units_total
    for split, view in done.views.items():
        known = view.page_label >= 0
        assert known.sum() <= allowance(budget, splits[split].n_items)
        assert np.array_equal(view.page_label[known], splits[split].page_label[known])
        assert (view.modal_label == -1).all()
    assert sum(sum(r["units"].values()) for r in done.rounds) == done.units_used


@pytest.mark.parametrize("name", STRATEGIES.names())
def test_strategy_is_deterministic(tiny: Prepared, name: str) -> None:
    a = annotate_rounds(labelled(tiny), name, 0.2, 8, tiny.layout)
    b = annotate_rounds(labelled(tiny), name, 0.2, 8, tiny.layout)
    for split in a.views:
        assert np.array_equal(a.views[split].page_label, b.views[split].page_label)
        assert np.array_equal(a.views[split].pairs, b.views[split].pairs)
    assert [r["units"] for r in a.rounds] == [r["units"] for r in b.rounds]


@pytest.mark.parametrize("name", STRATEGIES.names())
def test_strategy_is_documented(name: str) -> None:
    strat = STRATEGIES.get(name)
    assert strat.description and strat.fn.__module__.startswith("strategies.")
    doc = sys.modules[strat.fn.__module__].__doc__ or ""
    assert doc
    if strat.rounds > 1:  # what it buys, in what order, how rounds split the budget, ties
        assert all(word in doc for word in ("What it buys", "Rounds:", "ties"))
    if strat.proxy is not None:  # the active strategies: what each round's budget is
        assert "B/4" in doc
