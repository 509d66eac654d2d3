"""``disagreement``: where two modalities' calibrated scores cross near the top of the page.

What it buys: pairs of items of different modalities that sit next to each other in the
current model's page ranking, within its top 10 (positions 0-1, ..., 9-10, so the pair across
the cut counts), smallest score gap first. The current model is one small LightGBM lambdarank
proxy (:mod:`strategies.active`) refitted on the labels bought so far: it sees g^m and the
query, so its scores are the modalities' g^m calibrated onto one page scale; where two
modalities' scores nearly cross, the page order rests on that calibration, which is what a page
label decides. The gap is measured in units of the page's score standard deviation (1 when the
page's scores are all equal). Both items of a pair are bought.

Of the two readings of "disagreement" in issue 14 this is the cross-modal one: within a
modality the proxy, which takes g^m as an input, rarely disagrees with g^m, and ``smar``'s
distillation would pull against labels bought there.

Rounds: 4, each may spend up to a further B/4 of each split's allowance (cumulative). A round
without a model (round 0; a later one when no ``page_train`` label was bought yet) buys
``calibration-anchors``. The other rounds buy crossing pairs, smallest gap first (ties in a
random order from the round's seed), skipping pairs already bought and pairs that do not fit;
what is left goes to ``calibration-anchors``, so the allowance is spent. That is
``page_train``; ``page_valid`` is bought as random whole pages in every round
(:func:`strategies.active.buy_valid_pages` says why). No preference pairs are returned.
"""

from __future__ import annotations

import numpy as np

from benchmark.core.annotation import Oracle, RoundState, round_strategy
from benchmark.core.data import Split
from strategies.active import (
    ROUNDS,
    TOP,
    VERSION,
    in_page_order,
    page_blocks,
    page_order,
    proxy,
)
from strategies.calibration_anchors import buy_pairs_round


def crossing_pairs(split: Split, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Adjacent cross-modal pairs of each page's top ``TOP + 1`` by the proxy's scores (one
    member, ``scores[0]``): rows ``(m, 2)`` and priority (minus the normalised gap), page by
    page, each page's pairs from the top down."""
    pages, pairs = [np.zeros(0, dtype=np.int64)], [np.zeros((0, 2), dtype=np.int64)]
    priority = [np.zeros(0)]
    for block, rows in page_blocks(split):
        s = scores[0][rows]
        top = np.take_along_axis(rows, page_order(s, split.item_ids[rows])[:, : TOP + 1], axis=1)
        a, b = top[:, :-1], top[:, 1:]
        page, k = np.nonzero(split.modality[a] != split.modality[b])
        scale = s.std(axis=1)
        scale[scale == 0] = 1.0
        pages.append(block[page])
        pairs.append(np.column_stack([a[page, k], b[page, k]]))
        priority.append(-(scores[0][a[page, k]] - scores[0][b[page, k]]) / scale[page])
    ordered_pairs, ordered_priority = in_page_order(pages, pairs, priority)
    return ordered_pairs, ordered_priority


@round_strategy(
    "disagreement",
    "4 rounds: calibration anchors, then adjacent items of two modalities whose calibrated "
    "scores (a LightGBM proxy) nearly cross in the top 10",
    rounds=ROUNDS,
    proxy=proxy(1),
    version=VERSION,
)
def buy_disagreement(
    split: Split, oracle: Oracle, fraction: float, rng: np.random.Generator, state: RoundState
) -> np.ndarray:
    return buy_pairs_round(split, oracle, rng, state, crossing_pairs)
