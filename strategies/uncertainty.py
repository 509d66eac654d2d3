"""``uncertainty``: the comparisons whose place in the top 10 the current model is least sure of.

What it buys: pairs of items of one page. The current model is the proxy of
:mod:`strategies.active`, a bootstrap ensemble of 3 small LightGBM lambdarank models refitted
on the labels bought so far. A pair's priority is the NDCG@10 at stake in its order (the
difference of the two items' DCG@10 discounts at the ensemble's mean ranking: pairs across
the top-10 cut and pairs inside the top 10 count, pairs below it do not) times the ensemble's
probability that the order is wrong (:func:`strategies.active.flip_weights`). Both items of a
pair are bought, so every purchase is a comparison the label term can use.

Rounds: 4, each may spend up to a further B/4 of each split's allowance (what a round leaves
carries over). A round without a model (round 0; a later one when no ``page_train`` label was
bought yet) buys ``calibration-anchors`` (the top of each modality, depth by depth over the
pages). The other rounds buy pairs by priority, highest first (ties in a random order from the
round's seed), skipping pairs already bought and pairs that do not fit; what the round cannot
spend on pairs of positive priority goes to ``calibration-anchors`` again, so the allowance is
spent. That is ``page_train``; ``page_valid`` is bought as random whole pages in every round
(:func:`strategies.active.buy_valid_pages` says why). No preference pairs are returned.
"""

from __future__ import annotations

import numpy as np

from benchmark.core.annotation import Oracle, RoundState, round_strategy
from benchmark.core.data import Split
from strategies.active import (
    MEMBERS,
    ROUNDS,
    VERSION,
    flip_probability,
    in_page_order,
    page_blocks,
    proxy,
    top_discounts,
)
from strategies.calibration_anchors import buy_pairs_round


def uncertain_pairs(split: Split, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every pair of items of a page with a positive priority: rows ``(m, 2)`` and priority
    (:func:`strategies.active.flip_weights`), page by page, each page's pairs in ``(i, j)``,
    i < j, order. Only pairs with an item in the consensus top 10 are computed: the others have
    nothing at stake."""
    pages, pairs = [np.zeros(0, dtype=np.int64)], [np.zeros((0, 2), dtype=np.int64)]
    priority = [np.zeros(0)]
    for block, rows in page_blocks(split):
        s = scores[:, rows]
        discount = top_discounts(s, split.item_ids[rows])
        i, j = np.triu_indices(rows.shape[1], k=1)
        page, pair = np.nonzero((discount[:, i] > 0) | (discount[:, j] > 0))
        a, b = i[pair], j[pair]
        stake = np.abs(discount[page, a] - discount[page, b])
        weight = stake * flip_probability(s[:, page, a] - s[:, page, b])
        keep = weight > 0
        pages.append(block[page[keep]])
        pairs.append(np.column_stack([rows[page, a], rows[page, b]])[keep])
        priority.append(weight[keep])
    ordered_pairs, ordered_priority = in_page_order(pages, pairs, priority)
    return ordered_pairs, ordered_priority


@round_strategy(
    "uncertainty",
    "4 rounds: calibration anchors, then item pairs whose top-10 order a bootstrap LightGBM "
    "ensemble is least sure of (NDCG@10 at stake x flip probability)",
    rounds=ROUNDS,
    proxy=proxy(MEMBERS),
    version=VERSION,
)
def buy_uncertainty(
    split: Split, oracle: Oracle, fraction: float, rng: np.random.Generator, state: RoundState
) -> np.ndarray:
    return buy_pairs_round(split, oracle, rng, state, uncertain_pairs)
