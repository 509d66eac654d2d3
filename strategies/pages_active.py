"""``pages-active``: whole pages chosen by expected gain, for whole-page rerankers (``sft``,
``lambdamart``, ``allrank``), which learn the whole order of a page from its labels.

What it buys: whole pages (every item, like ``pages``). A page's expected gain is the NDCG@10
its current model stands to get wrong: the sum, over pairs of its items, of the NDCG@10 at
stake in their order times the probability that the order is wrong under a bootstrap ensemble
of 3 small LightGBM lambdarank proxies refitted on the labels bought so far
(:func:`strategies.active.flip_weights`), divided by the page's size (a whole page costs one
unit per item: gain per label bought).

Rounds: 4, each may spend up to a further B/4 of each split's allowance (cumulative). A round
without a model (round 0; a later one when no ``page_train`` label was bought yet, e.g. when
B/4 is less than a page) buys random whole pages, exactly as ``pages`` does, and so does every
round on ``page_valid`` (:func:`strategies.active.buy_valid_pages` says why). The other rounds
visit the ``page_train`` pages by gain per label, highest first (ties in a random order from
the round's seed), and buy each not yet bought page whole while it fits; a page that does not
fit is skipped (a later, smaller one may). As with ``pages``, less than one page's worth of the
allowance can stay unspent. No preference pairs are returned.
"""

from __future__ import annotations

import numpy as np

from benchmark.core.annotation import NO_PAIRS, Oracle, RoundState, round_strategy
from benchmark.core.data import Split
from strategies.active import (
    MEMBERS,
    ROUNDS,
    VERSION,
    buy_random_pages,
    flip_weights,
    page_blocks,
    proxy,
)


def page_gains(split: Split, scores: np.ndarray) -> np.ndarray:
    """Expected NDCG@10 flips per label of every page (module docstring)."""
    gains = np.zeros(split.n_queries)
    for block, rows in page_blocks(split):
        n = rows.shape[1]
        weights = flip_weights(scores[:, rows], split.item_ids[rows]).reshape(len(block), n * n)
        gains[block] = weights.sum(axis=1) / 2 / n
    return gains


def buy_by_gain(split: Split, oracle: Oracle, gains: np.ndarray, rng: np.random.Generator) -> None:
    """Buy whole pages, highest gain first (ties at random), each while it fits."""
    for k in np.lexsort((rng.random(len(gains)), -gains)):
        left = oracle.units_left(split.name)
        if left <= 0:
            return
        rows = np.arange(split.offsets[k], split.offsets[k + 1])
        if 0 < oracle.cost(split.name, rows) <= left:
            oracle.reveal(split.name, rows)


@round_strategy(
    "pages-active",
    "4 rounds: random whole pages, then whole pages by expected NDCG@10 flips per label under "
    "a bootstrap LightGBM ensemble",
    rounds=ROUNDS,
    proxy=proxy(MEMBERS),
    version=VERSION,
)
def buy_pages_active(
    split: Split, oracle: Oracle, fraction: float, rng: np.random.Generator, state: RoundState
) -> np.ndarray:
    if state.scores is None or split.name == "page_valid":
        buy_random_pages(split, oracle, rng)
    else:
        buy_by_gain(split, oracle, page_gains(split, state.scores), rng)
    return NO_PAIRS
