"""SMAR's bands of the g^m ranking: ``top-p``, ``middle``, ``bottom``.

The band bounds are the released code's (``Code_for_Qilin/src/trainer.py``, relative width p =
the budget B): band k (top = 0, middle = 1) is ``[round(k n p), round((k + 1) n p))``, the
bottom band ``[round(n (1 - p)), n)``; then ``end = max(start + 1, end)`` and ``end = min(n,
end)``. ``round`` is Python's (half to even), as in that code. The "at least one item" is
enforced at the band's END, so a short list can get a band above its nominal one (n = 3, p = 0.1:
the middle band is the top item) and a band that starts at or past the end is empty (the bottom
band of a one-item list at p < 0.5). Above p = 0.5 the middle band is clipped at the list's end
(``end = min(n, end)``) and so holds fewer than p n items.

One extension: at p = 1 (full annotation, the 100 % reference rows) every band is the whole list,
as PROTOCOL §4 needs; the released formula would leave the middle band empty there.
"""

from __future__ import annotations

import numpy as np

from benchmark.core.annotation import (
    NO_PAIRS,
    Oracle,
    StrategyFn,
    buy_whole_requests,
    page_modality_orders,
    strategy,
)
from benchmark.core.data import Split

#: Band index k of the released code's ``experiment_type`` (``top`` and ``middle_1``).
BAND_INDEX = {"top": 0, "middle": 1}


def band_bounds(position: str, n: int, p: float) -> tuple[int, int]:
    """``(start, end)`` of the band at ``position`` of a ranked list of ``n`` items, relative
    width ``p``, exactly as the released code computes it (module docstring)."""
    if p >= 1:
        return 0, n
    if position == "bottom":
        start, end = round(n * (1 - p)), n
    else:
        k = BAND_INDEX[position]
        start, end = round(k * n * p), round((k + 1) * n * p)
    end = min(n, max(start + 1, end))
    return start, end


def band_rows(split: Split, position: str, fraction: float) -> list[np.ndarray]:
    """Per page, the rows of the band at ``position`` of relative width ``fraction`` in every
    modality's g^m ranking."""
    out = []
    for page in page_modality_orders(split):
        chosen = [order[slice(*band_bounds(position, len(order), fraction))] for order in page]
        out.append(np.concatenate(chosen) if chosen else np.zeros(0, np.int64))
    return out


def band(position: str) -> StrategyFn:
    """Per page and modality, the band of relative width B of the g^m ranking."""

    def buy(split: Split, oracle: Oracle, fraction: float, rng: np.random.Generator) -> np.ndarray:
        buy_whole_requests(split, oracle, band_rows(split, position, fraction), rng)
        return NO_PAIRS

    return buy


strategy("top-p", "SMAR band: the top B of each modality's g^m ranking on every page")(band("top"))
strategy("middle", "SMAR band: the B-wide band right below the top band (code's middle_1)")(
    band("middle")
)
strategy("bottom", "SMAR band: the bottom B of each modality's g^m ranking on every page")(
    band("bottom")
)
