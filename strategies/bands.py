"""SMAR's bands of the g^m ranking: ``top-p``, ``middle``, ``bottom``."""

from __future__ import annotations

import math

import numpy as np

from benchmark.core.annotation import (
    NO_PAIRS,
    Oracle,
    StrategyFn,
    buy_whole_requests,
    modality_orders,
    strategy,
)
from benchmark.core.data import Split


def band(position: str) -> StrategyFn:
    """Per page and modality, a band of relative width B of the g^m ranking (>= 1 item each)."""

    def buy(split: Split, oracle: Oracle, fraction: float, rng: np.random.Generator) -> np.ndarray:
        requests = []
        for _, rows in split.queries():
            chosen = []
            for order in modality_orders(split, rows):
                n = len(order)
                k = min(n, max(1, math.floor(fraction * n + 0.5)))
                start = {"top": 0, "middle": min(k, n - k), "bottom": n - k}[position]
                chosen.append(order[start : start + k])
            requests.append(np.concatenate(chosen))
        buy_whole_requests(split, oracle, requests, rng)
        return NO_PAIRS

    return buy


strategy("top-p", "SMAR band: the top B of each modality's g^m ranking on every page")(band("top"))
strategy("middle", "SMAR band: the B-wide band right below the top band (code's middle_1)")(
    band("middle")
)
strategy("bottom", "SMAR band: the bottom B of each modality's g^m ranking on every page")(
    band("bottom")
)
