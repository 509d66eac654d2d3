"""Running an annotation strategy on the annotated splits (PROTOCOL §4)."""

from __future__ import annotations

import numpy as np

from benchmark.core.annotation import STRATEGIES, Oracle
from benchmark.core.data import Split


def annotate(
    splits: dict[str, Split], strategy_name: str, fraction: float, seed: int
) -> tuple[dict[str, Split], int, int]:
    """Run a strategy on the annotated splits.

    Returns the reranker's views of the splits (labels it did not buy are ``-1``), the units used
    and the units a full annotation costs.
    """
    strat = STRATEGIES.get(strategy_name)
    oracle = Oracle(splits, fraction)
    hidden = {name: s.hide_labels() for name, s in splits.items()}
    rng = np.random.default_rng(seed)
    views = {}
    for name, split in hidden.items():
        pairs = strat.buy(split, oracle, fraction, rng)
        views[name] = split.replace(page_label=oracle.revealed_labels(name), pairs=pairs)
    return views, oracle.units_used, oracle.units_total
