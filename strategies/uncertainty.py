"""``uncertainty``: the comparisons whose place in the top 10 the current model is least sure of.

What it buys: pairs of items of one page. The current model is the proxy of
:mod:`strategies.active`, a bootstrap ensemble of 4 small LightGBM lambdarank models refitted
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

from benchmark.core.annotation import NO_PAIRS, Oracle, RoundState, round_strategy
from benchmark.core.data import Split
from strategies.active import MEMBERS, ROUNDS, buy_pairs, buy_valid_pages, flip_weights, proxy
from strategies.calibration_anchors import buy_depth_first


def uncertain_pairs(split: Split, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every pair of items of a page with a positive priority: rows ``(m, 2)`` and priority."""
    pairs, priority = [np.zeros((0, 2), dtype=np.int64)], [np.zeros(0)]
    for _, rows in split.queries():
        weights = flip_weights(scores[:, rows], split.item_ids[rows])
        i, j = np.triu_indices(weights.shape[0], k=1)
        keep = weights[i, j] > 0
        pairs.append(np.column_stack([i[keep], j[keep]]) + rows.start)
        priority.append(weights[i, j][keep])
    return np.concatenate(pairs), np.concatenate(priority)


@round_strategy(
    "uncertainty",
    "4 rounds: calibration anchors, then item pairs whose top-10 order a bootstrap LightGBM "
    "ensemble is least sure of (NDCG@10 at stake x flip probability)",
    rounds=ROUNDS,
    proxy=proxy(MEMBERS),
)
def buy_uncertainty(
    split: Split, oracle: Oracle, fraction: float, rng: np.random.Generator, state: RoundState
) -> np.ndarray:
    if buy_valid_pages(split, oracle, rng):
        return NO_PAIRS
    if state.scores is not None:
        buy_pairs(split, oracle, *uncertain_pairs(split, state.scores), rng)
    buy_depth_first(split, oracle, rng)
    return NO_PAIRS
