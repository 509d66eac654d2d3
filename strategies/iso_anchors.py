"""The ``iso-anchors`` strategy: SMAR's iso-label anchors (SMAR.md section 3, our reconstruction).

Along each modality's g^m ranking the page label is roughly non-increasing, so for each label
level k = 1..4 the position where the label drops below k (the level-k anchor) can be found by
binary search, buying only the probed labels. Per page and modality the search keeps, for each
level, the interval ``[lo, hi)`` of positions where the anchor can still be: positions below
``lo`` are known (assuming monotonicity) to have label >= k, positions from ``hi`` on label < k.
A probe is always an unbought position, so each costs one unit; labels bought for one level
narrow the others. Levels are searched in the order 1, 2, 3, 4; inside a level the modalities
take turns, one probe each, so a page whose share runs out keeps coarse anchors in every
modality (and cross-modal pairs) rather than a finished search in one. A fully searched
monotone page costs at most ``sum_m levels x ceil(log2(n_m + 1))`` units (and never more than
its size).

From the intervals each item gets label bounds ``[lb, ub]`` (a bought item: its label); item i
is preferred to item j of another modality of the same page when ``lb_i > ub_j``: the
cross-modal preference pairs by transitivity. Items between equal anchors are tied (no pair).

Budget: pages are visited in random order, each may spend ``floor(left / pages left)`` units
(what earlier pages did not spend carries over), and nothing is bought once the split's allowance
is spent, so the oracle's cap is never hit. On pages whose labels are not monotone in g^m the
search still terminates (every probe shrinks an interval) and stays within the share; its anchors
are then approximate.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from benchmark.core.annotation import Oracle, page_modality_orders, strategy
from benchmark.core.data import MAX_LABEL, Split

LEVELS = tuple(range(1, MAX_LABEL + 1))


class PageSearch:
    """The binary searches of one page: ``orders`` are its rows per modality, best g first."""

    def __init__(self, orders: list[np.ndarray]) -> None:
        self.orders = orders
        self.known = [dict[int, int]() for _ in orders]  # position -> bought label

    def interval(self, m: int, level: int) -> tuple[int, int]:
        """``[lo, hi)``: where modality m's level anchor can still be, given bought labels."""
        above = [p for p, lab in self.known[m].items() if lab >= level]
        below = [p for p, lab in self.known[m].items() if lab < level]
        hi = min(below, default=len(self.orders[m]))
        lo = max(above, default=-1) + 1
        return min(lo, hi), hi  # lo > hi only on non-monotone pages: trust the lower label

    def run(self, buy: Callable[[int], int | None]) -> None:
        """Search every level and modality; ``buy(row)`` returns a label, or None when the
        page may buy nothing more (the search then stops)."""
        for level in LEVELS:
            open_ = list(range(len(self.orders)))
            while open_:  # one probe per modality in turn, so a short budget covers them all
                for m in list(open_):
                    lo, hi = self.interval(m, level)
                    if lo >= hi:
                        open_.remove(m)
                        continue
                    label = buy(self.orders[m][(lo + hi) // 2])
                    if label is None:
                        return
                    self.known[m][(lo + hi) // 2] = label

    def bounds(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Rows, modality index, lower and upper label bound of every item of the page."""
        rows, mods, lbs, ubs = [], [], [], []
        for m, order in enumerate(self.orders):
            pos = np.arange(len(order))
            lb = np.zeros(len(order), dtype=np.int64)
            ub = np.zeros(len(order), dtype=np.int64)
            for level in LEVELS:
                lo, hi = self.interval(m, level)
                lb += pos < lo
                ub += pos < hi
            for p, lab in self.known[m].items():
                lb[p] = ub[p] = lab
            rows.append(order)
            mods.append(np.full(len(order), m))
            lbs.append(lb)
            ubs.append(ub)
        return tuple(np.concatenate(a) for a in (rows, mods, lbs, ubs))  # type: ignore[return-value]

    def pairs(self) -> np.ndarray:
        """Cross-modal preference pairs ``(better row, worse row)``."""
        rows, mods, lb, ub = self.bounds()
        i, j = np.nonzero((lb[:, None] > ub[None, :]) & (mods[:, None] != mods[None, :]))
        return np.column_stack([rows[i], rows[j]]).astype(np.int64)


@strategy(
    "iso-anchors",
    "SMAR iso-label anchors: binary search per modality and label level "
    "along g^m, cross-modal preference pairs by transitivity",
)
def buy_iso_anchors(
    split: Split, oracle: Oracle, fraction: float, rng: np.random.Generator
) -> np.ndarray:
    pages = rng.permutation(split.n_queries)
    orders = page_modality_orders(split)
    found = [np.zeros((0, 2), dtype=np.int64)]
    for done, k in enumerate(pages):
        share = oracle.units_left(split.name) // (len(pages) - done)
        spent = 0

        def buy(row: int, share: int = share) -> int | None:
            nonlocal spent
            if spent >= share or oracle.units_left(split.name) <= 0:
                return None
            spent += 1
            return int(oracle.reveal(split.name, np.array([row]))[0])

        search = PageSearch(orders[k])
        search.run(buy)
        found.append(search.pairs())
    return np.concatenate(found)
