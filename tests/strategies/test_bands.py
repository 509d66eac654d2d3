"""The band strategies round exactly as the released SMAR code (hand-computed cases)."""

from __future__ import annotations

import numpy as np
import pytest

from benchmark.core.annotation import STRATEGIES, Oracle
from strategies.bands import band_bounds
from tests.strategies.test_iso_anchors import make_split


@pytest.mark.parametrize(
    "position,n,p,bounds",
    [
        ("top", 3, 0.1, (0, 1)),  # end round(0.3) = 0, lifted to start + 1
        ("middle", 3, 0.1, (0, 1)),  # [round(0.3), round(0.6)) = [0, 1): the TOP item
        ("bottom", 3, 0.1, (3, 3)),  # start round(2.7) = 3 = n: empty
        ("top", 10, 0.2, (0, 2)),
        ("middle", 10, 0.2, (2, 4)),  # ranks 2 and 3 (the released p = 0.2 middle_1)
        ("bottom", 10, 0.2, (8, 10)),
        ("top", 1, 0.1, (0, 1)),
        ("middle", 1, 0.1, (0, 1)),
        ("bottom", 1, 0.1, (1, 1)),  # round(0.9) = 1: a one-item list has no bottom band
        ("middle", 1, 0.6, (1, 1)),  # start round(0.6) = 1 >= n: empty
        ("middle", 25, 0.1, (2, 5)),  # round(2.5) = 2 (half to even), round(5.0) = 5
        ("middle", 15, 0.1, (2, 3)),  # round(1.5) = 2, round(3.0) = 3
        ("top", 5, 0.1, (0, 1)),  # round(0.5) = 0, lifted to 1
        ("middle", 10, 0.6, (6, 10)),  # [6, 12) clipped at the end: 4 items, not 6
        ("middle", 10, 1.0, (0, 10)),  # full annotation: the whole list (our extension)
        ("bottom", 3, 1.0, (0, 3)),
    ],
)
def test_band_bounds(position: str, n: int, p: float, bounds: tuple[int, int]) -> None:
    assert band_bounds(position, n, p) == bounds


def test_middle_band_through_the_oracle() -> None:
    """Modalities of 10, 3 and 1 items at B = 20 %: ranks 2-3, rank 1 and rank 0 are bought,
    whole pages while the allowance lasts (4 labels a page, floor(0.2 x 70) = 14: 3 pages)."""
    split = make_split([np.zeros(10), np.zeros(3), np.zeros(1)], pages=5)
    oracle = Oracle({"page_train": split}, 0.2)
    rng = np.random.default_rng(0)
    STRATEGIES.get("middle").buy(split.hide_labels(), oracle, 0.2, rng)
    known = oracle.revealed_labels("page_train") >= 0
    expected = np.zeros(14, dtype=bool)
    expected[[2, 3, 11, 13]] = True
    pages = known.reshape(5, 14)
    assert sum(bool(page.any()) for page in pages) == 3
    assert all(np.array_equal(page, expected) for page in pages if page.any())
