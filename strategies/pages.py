"""``pages``: whole pages, the budget-matched full annotation."""

from __future__ import annotations

import numpy as np

from benchmark.core.annotation import NO_PAIRS, Oracle, buy_whole_requests, strategy
from benchmark.core.data import Split


@strategy("pages", "all items of a random B fraction of pages (budget-matched full annotation)")
def buy_pages(
    split: Split, oracle: Oracle, fraction: float, rng: np.random.Generator
) -> np.ndarray:
    pages = [np.arange(s.start, s.stop) for _, s in split.queries()]
    buy_whole_requests(split, oracle, pages, rng)
    return NO_PAIRS
