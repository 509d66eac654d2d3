"""``calibration-anchors``: the cross-modal comparisons near the top of every page (one round).

What it buys: the single-modal rankers already order each modality; what a page label adds is
where one modality's items fall against another's. So on every page it buys the top item of
each modality by g^m (ties: item id), the depth-0 *request* (one label per modality present:
the cross-modal comparison at the top), then the depth-1 request (every modality's second item),
and so on down the g^m rankings.

In what order: depth by depth, so the budget is spread over as many pages as it allows before
any page gets deeper labels: all pages' depth-0 requests, then all pages' depth-1 requests, ...
Inside a depth, pages are visited in one random order (the annotation seed; the same order at
every depth), and a request is bought whole or, when it does not fit in what is left of the
split's allowance, skipped (a later, smaller request may still fit). Buying stops when the
allowance is spent or every item is bought; at B = 100 % every item is bought.

Rounds: one. No preference pairs (the labels go to the reranker's label term). ``page_valid``
is bought as random whole pages (:func:`strategies.active.buy_valid_pages` says why).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from benchmark.core.annotation import NO_PAIRS, Oracle, RoundState, page_modality_orders, strategy
from benchmark.core.data import Split
from strategies.active import buy_pairs, buy_valid_pages


def buy_depth_first(split: Split, oracle: Oracle, rng: np.random.Generator) -> None:
    """Buy the depth requests of every page, depth by depth, pages in a random order, each
    request whole while it fits (labels already bought cost nothing)."""
    orders = page_modality_orders(split)
    pages = rng.permutation(split.n_queries)
    deepest = max((len(o) for page in orders for o in page), default=0)
    for depth in range(deepest):
        for k in pages:
            left = oracle.units_left(split.name)
            if left <= 0:
                return
            request = np.array([o[depth] for o in orders[k] if len(o) > depth], dtype=np.int64)
            if 0 < oracle.cost(split.name, request) <= left:
                oracle.reveal(split.name, request)


def buy_pairs_round(
    split: Split,
    oracle: Oracle,
    rng: np.random.Generator,
    state: RoundState,
    ranked_pairs: Callable[[Split, np.ndarray], tuple[np.ndarray, np.ndarray]],
) -> np.ndarray:
    """One round of a strategy that buys item pairs (``disagreement``, ``uncertainty``):
    ``page_valid`` as random whole pages; on ``page_train`` the pairs ``ranked_pairs`` finds in
    the proxy's scores (when there is a model yet), then calibration anchors with what is left.
    No preference pairs are returned."""
    if buy_valid_pages(split, oracle, rng):
        return NO_PAIRS
    if state.scores is not None:
        buy_pairs(split, oracle, *ranked_pairs(split, state.scores), rng)
    buy_depth_first(split, oracle, rng)
    return NO_PAIRS


@strategy(
    "calibration-anchors",
    "per page the top item of each modality by g^m, then the next ones, depth by depth over "
    "as many pages as the budget allows",
)
def buy_calibration_anchors(
    split: Split, oracle: Oracle, fraction: float, rng: np.random.Generator
) -> np.ndarray:
    if not buy_valid_pages(split, oracle, rng):
        buy_depth_first(split, oracle, rng)
    return NO_PAIRS
