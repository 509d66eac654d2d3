"""What our strategies (``calibration-anchors``, ``uncertainty``, ``disagreement``,
``pages-active``) share: how they buy ``page_valid``, the multi-round strategies' number of
rounds, the proxy refitted between rounds, and how a page's proxy scores say which comparisons
are unsure.

``page_valid`` is bought as random whole pages (:func:`buy_valid_pages`) by all four (so the
proxy scores ``page_train`` only): its labels
only serve model selection (the rerankers' early stopping and loss-weight choice, the proxy's
early stopping), which reads NDCG@10 over the revealed ``page_valid`` labels, and that
estimates a page's NDCG@10 only when the page is fully labelled: over a few labels near the top
of a page it is close to 1 for any model that orders those few.

Fixed a priori, not tuned: 4 rounds (B/4 each, cumulative); the proxy is LightGBM lambdarank
(the ``lambdamart`` reranker, so it sees g^m and the query features) made cheap: at most 50
trees of 15 leaves, learning rate 0.1, early stopping after 10 rounds on the revealed
``page_valid`` labels; ensembles have 3 bootstrap members. NDCG@10 is the target, so only the
top ``TOP = 10`` places carry weight. Version 1 of the three multi-round strategies had 100
trees, early stopping after 20 rounds and 4 members; version 2 made the proxy cheaper so that a
multi-round cell costs at most 3x a one-round cell (issue 14; docs/choices.md), chosen by cost
alone, before any cell of it was evaluated.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from scipy.special import ndtr

from benchmark.core.annotation import Oracle, Proxy, buy_whole_requests
from benchmark.core.data import Split

ROUNDS = 4
TOP = 10
MEMBERS = 3
#: The version of the strategies that refit this proxy (module docstring).
VERSION = "2"
PROXY_PARAMS = {
    "num_boost_round": 50,
    "early_stopping_rounds": 10,
    "learning_rate": 0.1,
    "num_leaves": 15,
}


def proxy(members: int) -> Proxy:
    """The cheap LightGBM proxy (module docstring), as an ensemble of ``members``."""
    return Proxy("lambdamart", dict(PROXY_PARAMS), members, scored=("page_train",))


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
    """Item positions by score, best first, ties by item id: of one page (``(n,)``), or of
    each page of a block (``(pages, n)``, sorted along the last axis)."""
    return np.lexsort((ids, -scores), axis=-1)


#: A block of equal-sized pages holds at most this many item pairs (bounds the memory of
#: :func:`flip_weights`' ``(members, pages, n, n)`` arrays to some 10 MB each).
BLOCK_PAIRS = 2**18


def page_blocks(split: Split) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """The split's pages in blocks of equal size: each block's page indices (ascending) and its
    rows, ``(pages, n)``, so that the strategies score many pages with one array operation."""
    sizes = split.group_sizes
    for n in np.unique(sizes):
        pages = np.flatnonzero(sizes == n)
        step = max(1, BLOCK_PAIRS // max(int(n) ** 2, 1))
        for a in range(0, len(pages), step):
            block = pages[a : a + step]
            yield block, split.offsets[block][:, None] + np.arange(n)


def in_page_order(pages: list[np.ndarray], *arrays: list[np.ndarray]) -> list[np.ndarray]:
    """Concatenate per-block results and put them in page order (stable: inside a page, the
    block's own order is kept)."""
    order = np.argsort(np.concatenate(pages), kind="stable")
    return [np.concatenate(a)[order] for a in arrays]


def top_discounts(scores: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """``D(r) = 1 / log2(r + 2)`` at each item's consensus (mean score) rank ``r`` when
    ``r < TOP``, else 0. ``scores``: ``(members, n)`` for one page or ``(members, pages, n)``
    for a block of equal-sized pages (``ids`` then ``(pages, n)``)."""
    n = scores.shape[-1]
    rank = np.empty(scores.shape[1:], dtype=np.int64)
    order = page_order(scores.mean(axis=0), ids)
    np.put_along_axis(rank, order, np.broadcast_to(np.arange(n), order.shape), axis=-1)
    return np.where(rank < TOP, 1 / np.log2(rank + 2.0), 0.0)


def flip_probability(diff: np.ndarray) -> np.ndarray:
    """The ensemble's probability that an order is wrong, from the members' score differences
    ``s_i - s_j`` (axis 0): ``Phi(-|mean| / sd)`` (a normal approximation; sd 0: 1/2 when the
    members tie the pair, else 0). Element by element, so any selection of pairs gets the same
    numbers."""
    mean = diff.mean(axis=0)
    sd = diff.std(axis=0, ddof=1 if len(diff) > 1 else 0)
    z = np.divide(np.abs(mean), sd, out=np.where(mean == 0, 0.0, np.inf), where=sd > 0)
    return np.asarray(ndtr(-z))


def flip_weights(scores: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """``(..., n, n)``: for items i, j of a page, the NDCG@10 at stake in their order times the
    ensemble's probability that the order is wrong (:func:`flip_probability`).

    ``scores`` and ``ids`` as in :func:`top_discounts`: one page, or a block of pages each
    computed on its own with the same floating-point operations. The stake is
    ``|D(r_i) - D(r_j)|`` (:func:`top_discounts`): pairs across the top-10 cut and pairs inside
    it count, pairs below it do not."""
    discount = top_discounts(scores, ids)
    stake = np.abs(discount[..., :, None] - discount[..., None, :])
    return stake * flip_probability(scores[..., :, None] - scores[..., None, :])


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
    known = oracle.revealed_labels(split.name) >= 0
    order = order[~(known[pairs[order, 0]] & known[pairs[order, 1]])]  # bought pairs: skipped
    left = oracle.units_left(split.name)
    chosen: list[int] = []
    pos = 0
    while left > 0 and pos < len(order):
        if left == 1:  # only a pair with one item bought fits now: the first such pair
            rest = order[pos:]
            fits = np.flatnonzero(known[pairs[rest, 0]] != known[pairs[rest, 1]])
            if len(fits):
                chosen += pairs[rest[fits[0]]].tolist()
            break
        # Python ints, in chunks: a loop over numpy rows is slow, and it stops early.
        for i, j in pairs[order[pos : pos + 1024]].tolist():
            pos += 1
            cost = int(not known[i]) + int(not known[j])
            if 0 < cost <= left:
                known[i] = known[j] = True
                chosen += [i, j]
                left -= cost
                if left <= 1:
                    break
    if chosen:
        oracle.reveal(split.name, np.array(chosen, dtype=np.int64))
