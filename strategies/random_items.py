"""``random``: a random share of the items of every page."""

from __future__ import annotations

import numpy as np

from benchmark.core.annotation import NO_PAIRS, Oracle, strategy
from benchmark.core.data import Split


@strategy("random", "a random B fraction of the items of every page")
def buy_random(
    split: Split, oracle: Oracle, fraction: float, rng: np.random.Generator
) -> np.ndarray:
    sizes = split.group_sizes
    take = np.floor(fraction * sizes + 1e-9).astype(np.int64)
    spare = oracle.units_left(split.name) - int(take.sum())
    room = np.flatnonzero(take < sizes)
    take[rng.choice(room, size=min(spare, len(room)), replace=False)] += 1
    for k, rows in split.queries():
        oracle.reveal(split.name, rows.start + rng.choice(sizes[k], size=take[k], replace=False))
    return NO_PAIRS
