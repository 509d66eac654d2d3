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

from benchmark.data import UNKNOWN, Split
from benchmark.registry import Registry

ANNOTATED_SPLITS = ("page_train", "page_valid")


class BudgetExceeded(RuntimeError):
    """A strategy tried to buy more labels than the budget allows."""


def parse_budget(text: str | float) -> float:
    """``"10%"``, ``"0.1"`` or ``0.1`` -> ``0.1``; anything outside (0, 1] is an error."""
    forms = "accepted forms: a percentage such as '10%' or a fraction in (0, 1] such as '0.1'"
    raw = str(text).strip()
    try:
        value = float(raw[:-1]) / 100 if raw.endswith("%") else float(raw)
    except ValueError:
        raise ValueError(f"invalid budget {raw!r}; {forms}") from None
    if not (0 < value <= 1) or math.isnan(value):
        raise ValueError(f"invalid budget {raw!r}: must be above 0 and at most 100%; {forms}")
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


STRATEGIES: Registry[Strategy] = Registry("strategy")


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


@strategy("pages", "all items of a random B fraction of pages (budget-matched full annotation)")
def buy_pages(
    split: Split, oracle: Oracle, fraction: float, rng: np.random.Generator
) -> np.ndarray:
    pages = [np.arange(s.start, s.stop) for _, s in split.queries()]
    buy_whole_requests(split, oracle, pages, rng)
    return NO_PAIRS


@strategy("random", "a random B fraction of the items of every page")
def buy_random(
    split: Split, oracle: Oracle, fraction: float, rng: np.random.Generator
) -> np.ndarray:
    sizes = split.group_sizes
    take = np.floor(fraction * sizes + 1e-9).astype(np.int64)
    spare = oracle.units_left(split.name) - int(take.sum())
    room = np.flatnonzero(take < sizes)
    take[rng.choice(room, size=min(spare, len(room)), replace=False)] += 1
    for k, rows in split.queries():
        oracle.reveal(split.name, rows.start + rng.choice(sizes[k], size=take[k], replace=False))
    return NO_PAIRS


def band(position: str) -> StrategyFn:
    """Per page and modality, a band of relative width B of the g^m ranking (>= 1 item each)."""

    def buy(split: Split, oracle: Oracle, fraction: float, rng: np.random.Generator) -> np.ndarray:
        requests = []
        for _, rows in split.queries():
            chosen = []
            for order in modality_orders(split, rows):
                n = len(order)
                k = min(n, max(1, math.floor(fraction * n + 0.5)))
                start = {"top": 0, "middle": min(k, n - k), "bottom": n - k}[position]
                chosen.append(order[start : start + k])
            requests.append(np.concatenate(chosen))
        buy_whole_requests(split, oracle, requests, rng)
        return NO_PAIRS

    return buy


strategy("top-p", "SMAR band: the top B of each modality's g^m ranking on every page")(band("top"))
strategy("middle", "SMAR band: the B-wide band right below the top band (code's middle_1)")(
    band("middle")
)
strategy("bottom", "SMAR band: the bottom B of each modality's g^m ranking on every page")(
    band("bottom")
)


def annotate(
    splits: dict[str, Split], strategy_name: str, fraction: float, seed: int
) -> tuple[dict[str, Split], int, int]:
    """Run a strategy on the annotated splits.

    Returns the reranker's views of the splits (labels it did not buy are ``-1``), the units used
    and the units a full annotation costs.
    """
    strat = STRATEGIES.get(strategy_name)
    oracle = Oracle(splits, fraction)
    hidden = {name: s.hide_labels() for name, s in splits.items()}
    rng = np.random.default_rng(seed)
    views = {}
    for name, split in hidden.items():
        pairs = strat.buy(split, oracle, fraction, rng)
        views[name] = split.replace(page_label=oracle.revealed_labels(name), pairs=pairs)
    return views, oracle.units_used, oracle.units_total


# The iso-anchor strategy lives in its own module (it is longer); importing it registers it.
from benchmark import iso_anchors  # noqa: E402, F401
