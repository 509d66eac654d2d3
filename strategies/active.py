"""What our strategies (``calibration-anchors``, ``uncertainty``, ``disagreement``,
``pages-active``) share: how they buy ``page_valid``, the multi-round strategies' number of
rounds, the proxy refitted between rounds, and how a page's proxy scores say which comparisons
are unsure.

``page_valid`` is bought as random whole pages (:func:`buy_valid_pages`) by all four: its labels
only serve model selection (the rerankers' early stopping and loss-weight choice, the proxy's
early stopping), which reads NDCG@10 over the revealed ``page_valid`` labels, and that
estimates a page's NDCG@10 only when the page is fully labelled: over a few labels near the top
of a page it is close to 1 for any model that orders those few.

Fixed a priori, not tuned: 4 rounds (B/4 each, cumulative); the proxy is LightGBM lambdarank
(the ``lambdamart`` reranker, so it sees g^m and the query features) made cheap: at most 100
trees of 15 leaves, learning rate 0.1, early stopping after 20 rounds on the revealed
``page_valid`` labels; ensembles have 4 bootstrap members. NDCG@10 is the target, so only the
top ``TOP = 10`` places carry weight.
"""

from __future__ import annotations

import numpy as np
from scipy.special import ndtr

from benchmark.core.annotation import Oracle, Proxy, buy_whole_requests
from benchmark.core.data import Split

ROUNDS = 4
TOP = 10
MEMBERS = 4
PROXY_PARAMS = {
    "num_boost_round": 100,
    "early_stopping_rounds": 20,
    "learning_rate": 0.1,
    "num_leaves": 15,
}


def proxy(members: int) -> Proxy:
    """The cheap LightGBM proxy (module docstring), as an ensemble of ``members``."""
    return Proxy("lambdamart", dict(PROXY_PARAMS), members)


def buy_random_pages(split: Split, oracle: Oracle, rng: np.random.Generator) -> None:
    """Whole pages in a random order, each while it fits (as ``pages`` buys)."""
    buy_whole_requests(split, oracle, [np.arange(s.start, s.stop) for _, s in split.queries()], rng)


def buy_valid_pages(split: Split, oracle: Oracle, rng: np.random.Generator) -> bool:
    """On ``page_valid``, buy random whole pages and return True; on any other split buy
    nothing and return False."""
    if split.name != "page_valid":
        return False
    buy_random_pages(split, oracle, rng)
    return True


def page_order(scores: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """A page's item positions by score, best first; ties by item id."""
    return np.lexsort((ids, -scores))


def flip_weights(scores: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """``(n, n)``: for items i, j of one page, the NDCG@10 at stake in their order times the
    ensemble's probability that the order is wrong.

    ``scores`` are the members' scores, ``(members, n)``. The stake is ``|D(r_i) - D(r_j)|``
    with ``D(r) = 1 / log2(r + 2)`` for a consensus (mean score) rank ``r < TOP`` and 0 below
    the cut: pairs across the top-10 cut and pairs inside it count, pairs below it do not. The
    probability is ``Phi(-|mean| / sd)`` of the members' score differences ``s_i - s_j`` (a
    normal approximation; sd 0: 1/2 when the members tie the pair, else 0)."""
    n = scores.shape[1]
    rank = np.empty(n, dtype=np.int64)
    rank[page_order(scores.mean(axis=0), ids)] = np.arange(n)
    discount = np.where(rank < TOP, 1 / np.log2(rank + 2.0), 0.0)
    stake = np.abs(discount[:, None] - discount[None, :])
    diff = scores[:, :, None] - scores[:, None, :]
    mean = diff.mean(axis=0)
    sd = diff.std(axis=0, ddof=1 if len(scores) > 1 else 0)
    z = np.divide(np.abs(mean), sd, out=np.where(mean == 0, 0.0, np.inf), where=sd > 0)
    return np.asarray(stake * ndtr(-z))


def buy_pairs(
    split: Split,
    oracle: Oracle,
    pairs: np.ndarray,
    priority: np.ndarray,
    rng: np.random.Generator,
) -> None:
    """Buy both items of each pair (rows of ``split``), highest ``priority`` first, ties in a
    random order; a pair already bought is skipped, one that does not fit in what is left of
    the round's allowance too (a later pair with one item bought may still fit)."""
    order = np.lexsort((rng.random(len(priority)), -priority))
    bought = oracle.revealed_labels(split.name) >= 0
    left = oracle.units_left(split.name)
    chosen: list[int] = []
    for i, j in pairs[order]:
        if left <= 0:
            break
        cost = int(not bought[i]) + int(not bought[j])
        if 0 < cost <= left:
            bought[[i, j]] = True
            chosen += [int(i), int(j)]
            left -= cost
    if chosen:
        oracle.reveal(split.name, np.array(chosen, dtype=np.int64))
