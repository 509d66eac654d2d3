"""The annotation oracle and the strategies that decide which page labels to buy (PROTOCOL §4).

The oracle is the only holder of the true page labels of ``page_train`` and ``page_valid``; it is
never given the test split, so test labels cannot be bought. Each revealed label costs one unit,
a label bought twice costs once, and a purchase that would exceed ``floor(B x n_items)`` of its
split raises :class:`BudgetExceeded` (so the total never exceeds ``B x total``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from benchmark.core.data import UNKNOWN, Split
from benchmark.core.registry import Registry

ANNOTATED_SPLITS = ("page_train", "page_valid")


class BudgetExceeded(RuntimeError):
    """A strategy tried to buy more labels than the budget allows."""


def parse_budget(text: str | float) -> float:
    """``"10%"``, ``"0.1"`` or ``0.1`` -> ``0.1``; anything outside (0, 1] is an error, and so is
    a budget that rounds to 0 (budgets are kept to 6 decimals: 0.0001 % at least)."""
    forms = "accepted forms: a percentage such as '10%' or a fraction in (0, 1] such as '0.1'"
    raw = str(text).strip()
    try:
        value = float(raw[:-1]) / 100 if raw.endswith("%") else float(raw)
    except ValueError:
        raise ValueError(f"invalid budget {raw!r}; {forms}") from None
    if not (0 < value <= 1) or math.isnan(value):
        raise ValueError(f"invalid budget {raw!r}: must be above 0 and at most 100%; {forms}")
    if round(value, 6) == 0:
        raise ValueError(
            f"invalid budget {raw!r}: below the smallest budget, 0.0001% (budgets are kept to "
            "6 decimals)"
        )
    return round(value, 6)


def allowance(fraction: float, n_items: int) -> int:
    """Units a split of ``n_items`` may spend at budget ``fraction`` (1e-9 guards 0.3 * 10)."""
    return math.floor(fraction * n_items + 1e-9)


class Oracle:
    """Sells page labels of the annotated splits, one unit each, within the budget."""

    def __init__(self, splits: dict[str, Split], fraction: float) -> None:
        unknown = set(splits) - set(ANNOTATED_SPLITS)
        if unknown:
            raise ValueError(f"the oracle only sells labels of {ANNOTATED_SPLITS}, not {unknown}")
        self.fraction = fraction
        self._labels = {name: s.page_label.copy() for name, s in splits.items()}
        self._revealed = {name: np.zeros(s.n_items, dtype=bool) for name, s in splits.items()}
        self.cap = {name: allowance(fraction, s.n_items) for name, s in splits.items()}

    @property
    def units_total(self) -> int:
        """Labels a 100 % budget would reveal."""
        return sum(len(v) for v in self._labels.values())

    @property
    def units_used(self) -> int:
        return int(sum(v.sum() for v in self._revealed.values()))

    def units_left(self, split: str) -> int:
        return self.cap[split] - int(self._revealed[split].sum())

    def reveal(self, split: str, rows: np.ndarray) -> np.ndarray:
        """Buy the labels of ``rows`` of ``split`` and return them."""
        if split not in self._labels:
            raise KeyError(f"labels of split {split!r} are not for sale")
        rows = np.asarray(rows, dtype=np.int64)
        new = np.unique(rows[~self._revealed[split][rows]])
        if len(new) > self.units_left(split):
            raise BudgetExceeded(
                f"buying {len(new)} labels of {split} exceeds the budget "
                f"({self.units_left(split)} of {self.cap[split]} units left)"
            )
        self._revealed[split][new] = True
        return self._labels[split][rows].copy()

    def revealed_labels(self, split: str) -> np.ndarray:
        """Page labels of ``split`` with ``-1`` where nothing was bought."""
        return np.where(self._revealed[split], self._labels[split], UNKNOWN).astype(np.int8)


StrategyFn = Callable[[Split, Oracle, float, np.random.Generator], np.ndarray]


@dataclass(frozen=True)
class Strategy:
    """Buys labels of one split through the oracle; returns preference pairs (may be empty)."""

    name: str
    description: str
    buy: StrategyFn


STRATEGIES: Registry[Strategy] = Registry("strategy", plugins="strategies")


def strategy(name: str, description: str) -> Callable[[StrategyFn], StrategyFn]:
    def decorator(fn: StrategyFn) -> StrategyFn:
        STRATEGIES.register(name)(Strategy(name, description, fn))
        return fn

    return decorator


NO_PAIRS = np.zeros((0, 2), dtype=np.int64)


def modality_orders(split: Split, rows: slice) -> list[np.ndarray]:
    """Row indices of each modality present on one page, best g_score first (ties: item id)."""
    orders = []
    mod = split.modality[rows]
    for m in np.unique(mod):
        idx = np.flatnonzero(mod == m) + rows.start
        key = np.lexsort((split.item_ids[idx], -split.g_score[idx]))
        orders.append(idx[key])
    return orders


def buy_whole_requests(
    split: Split, oracle: Oracle, requests: list[np.ndarray], rng: np.random.Generator
) -> None:
    """Buy each page's request whole, pages in random order, skipping those that do not fit."""
    for k in rng.permutation(len(requests)):
        if 0 < len(requests[k]) <= oracle.units_left(split.name):
            oracle.reveal(split.name, requests[k])
