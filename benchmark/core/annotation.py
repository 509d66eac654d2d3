"""The annotation oracle and the strategies that decide which page labels to buy (PROTOCOL §4).

The oracle is the only holder of the true page labels of ``page_train`` and ``page_valid``; it is
never given the test split, so test labels cannot be bought. Each revealed label costs one unit,
a label bought twice costs once, and a purchase that would exceed ``floor(B x n_items)`` of its
split raises :class:`BudgetExceeded` (so the total never exceeds ``B x total``).

A strategy buys in one round (``buy(split, oracle, fraction, rng)``) or in ``rounds`` rounds
(``buy(split, oracle, fraction, rng, state)``): before round r (0-based) of R the oracle's cap
of each split is ``floor(allowance x (r + 1) / R)`` (cumulative: what a round leaves unspent
carries over; the last round may spend the whole allowance), and after every round but the last
the pipeline refits the strategy's :class:`Proxy` on the labels revealed so far and hands its
scores on the annotated split's rows to the next round in a :class:`RoundState`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

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
        # units spent per split, kept with _revealed: a strategy asks units_left once per page,
        # and counting _revealed each time made a cell quadratic in the pages (issue 19)
        self._spent = dict.fromkeys(splits, 0)
        self.allowance = {name: allowance(fraction, s.n_items) for name, s in splits.items()}
        self.cap = dict(self.allowance)

    def open_round(self, r: int, rounds: int) -> None:
        """Let round ``r`` (0-based) of ``rounds`` spend up to ``floor(allowance x (r + 1) /
        rounds)`` units of each split in all (cumulative; the last round: the whole allowance)."""
        self.cap = {name: a * (r + 1) // rounds for name, a in self.allowance.items()}

    @property
    def units_total(self) -> int:
        """Labels a 100 % budget would reveal."""
        return sum(len(v) for v in self._labels.values())

    @property
    def units_used(self) -> int:
        return sum(self._spent.values())

    def units_spent(self, split: str) -> int:
        return self._spent[split]

    def units_left(self, split: str) -> int:
        return self.cap[split] - self.units_spent(split)

    def cost(self, split: str, rows: np.ndarray) -> int:
        """Units buying ``rows`` of ``split`` would cost now (bought labels are free)."""
        rows = np.asarray(rows, dtype=np.int64)
        return len(np.unique(rows[~self._revealed[split][rows]]))

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
        self._spent[split] += len(new)
        return self._labels[split][rows].copy()

    def revealed_labels(self, split: str) -> np.ndarray:
        """Page labels of ``split`` with ``-1`` where nothing was bought."""
        return np.where(self._revealed[split], self._labels[split], UNKNOWN).astype(np.int8)


@dataclass(frozen=True)
class Proxy:
    """The cheap model a multi-round strategy has refitted between rounds: a registered reranker
    (``reranker`` with ``params``) fitted on the revealed labels (``page_valid``'s for its early
    stopping); ``members`` > 1 fits a bootstrap ensemble, each member on the ``page_train``
    pages with a revealed label drawn with replacement. It scores the rows of the annotated
    splits in ``scored`` (a strategy that buys ``page_valid`` without looking at the model
    leaves it out: scoring it would only cost time)."""

    reranker: str
    params: dict[str, Any] = field(default_factory=dict)
    members: int = 1
    scored: tuple[str, ...] = ANNOTATED_SPLITS


@dataclass(frozen=True)
class RoundState:
    """What a multi-round strategy knows at the start of round ``round`` (0-based) of
    ``rounds``: ``scores`` are the proxy's scores on the rows of the split being annotated,
    shape ``(members, n_items)``, fitted on the labels bought in the earlier rounds (None in
    round 0, when no ``page_train`` label had been bought, or for a split the proxy does not
    score: :attr:`Proxy.scored`). Bought labels are read from the
    oracle (``revealed_labels``); ``splits`` are every annotated split with its labels hidden
    (a strategy that validates a choice on another split's bought labels reads them here)."""

    round: int
    rounds: int
    scores: np.ndarray | None = None
    splits: dict[str, Split] | None = None


StrategyFn = Callable[[Split, Oracle, float, np.random.Generator], np.ndarray]
RoundFn = Callable[[Split, Oracle, float, np.random.Generator, RoundState], np.ndarray]


@dataclass(frozen=True)
class Strategy:
    """Buys labels of one split through the oracle; returns preference pairs (may be empty).

    ``fn`` is a :data:`StrategyFn` when ``rounds`` is 1 and a :data:`RoundFn` otherwise.
    ``version`` goes into every cell's config (``strategy_version``): raise it when a change
    makes the strategy buy other labels, and the store stops reusing and reporting the cells
    of the earlier version."""

    name: str
    description: str
    fn: Callable[..., np.ndarray]
    rounds: int = 1
    proxy: Proxy | None = None
    version: str = "1"

    def buy(
        self,
        split: Split,
        oracle: Oracle,
        fraction: float,
        rng: np.random.Generator,
        state: RoundState | None = None,
    ) -> np.ndarray:
        if self.rounds == 1:
            return self.fn(split, oracle, fraction, rng)
        return self.fn(split, oracle, fraction, rng, state or RoundState(0, self.rounds))


STRATEGIES: Registry[Strategy] = Registry("strategy", plugins="strategies")


def strategy(
    name: str, description: str, *, version: str = "1"
) -> Callable[[StrategyFn], StrategyFn]:
    def decorator(fn: StrategyFn) -> StrategyFn:
        STRATEGIES.register(name)(Strategy(name, description, fn, version=version))
        return fn

    return decorator


def round_strategy(
    name: str, description: str, *, rounds: int, proxy: Proxy, version: str = "1"
) -> Callable[[RoundFn], RoundFn]:
    """Register a strategy that buys in ``rounds`` rounds, ``proxy`` refitted between them."""
    if rounds < 2:
        raise ValueError(f"strategy {name!r}: a round strategy has at least 2 rounds")

    def decorator(fn: RoundFn) -> RoundFn:
        STRATEGIES.register(name)(Strategy(name, description, fn, rounds, proxy, version))
        return fn

    return decorator


def strategy_version(name: str | None) -> str:
    """The current version of strategy ``name`` ("1" for none, or one no longer registered)."""
    return STRATEGIES.get(name).version if name is not None and name in STRATEGIES else "1"


NO_PAIRS = np.zeros((0, 2), dtype=np.int64)


def page_modality_orders(split: Split) -> list[list[np.ndarray]]:
    """Per page, the row indices of each modality present on it, best g_score first (ties: item
    id, then row order), modalities in ascending order: ``[page][modality]``, from one sort of
    the whole split."""
    pages: list[list[np.ndarray]] = [[] for _ in range(split.n_queries)]
    if split.n_items == 0:
        return pages
    query = split.query_index
    order = np.lexsort((split.item_ids, -split.g_score, split.modality, query))
    q, m = query[order], split.modality[order]
    cut = np.flatnonzero((q[1:] != q[:-1]) | (m[1:] != m[:-1])) + 1
    for page, group in zip(q[np.r_[0, cut]].tolist(), np.split(order, cut), strict=True):
        pages[page].append(group)
    return pages


def buy_whole_requests(
    split: Split, oracle: Oracle, requests: list[np.ndarray], rng: np.random.Generator
) -> None:
    """Buy each page's request whole, pages in random order, skipping those that do not fit."""
    for k in rng.permutation(len(requests)):
        if 0 < len(requests[k]) <= oracle.units_left(split.name):
            oracle.reveal(split.name, requests[k])
