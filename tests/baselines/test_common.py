"""The learned rerankers' shared inputs: the revealed rows' feature matrix is the whole
split's, row for row (issue 19 stacks only the pages with a revealed label)."""

from __future__ import annotations

import numpy as np
import pytest

from baselines.common import learned_features, revealed_features, revealed_rows
from benchmark.pipeline.annotation import annotate
from benchmark.pipeline.harness import Prepared


@pytest.mark.parametrize("strategy", ["pages", "random", "top-p"])  # whole and partial pages
@pytest.mark.parametrize("split", ["page_train", "page_valid"])
@pytest.mark.parametrize("budget", [0.2, 1.0])  # some pages, every page
def test_revealed_features_are_the_whole_splits_rows(
    tiny: Prepared, strategy: str, split: str, budget: float
) -> None:
    labelled = {s: tiny.dataset[s] for s in ("page_train", "page_valid")}
    view = annotate(labelled, strategy, budget, seed=11)[0][split]
    rows, sizes = revealed_rows(view)
    x, y, got_sizes = revealed_features(view, tiny.layout)
    expected = learned_features(view, tiny.layout)[rows]
    assert len(rows) > 0 and x.dtype == expected.dtype and y.dtype == view.page_label.dtype
    assert np.array_equal(x, expected) and np.array_equal(y, view.page_label[rows])
    assert np.array_equal(got_sizes, sizes)


def test_nothing_revealed_gives_empty_arrays(tiny: Prepared) -> None:
    view = tiny.dataset["page_valid"].hide_labels()
    x, y, sizes = revealed_features(view, tiny.layout)
    assert x.shape == (0, learned_features(view, tiny.layout).shape[1])
    assert len(y) == len(sizes) == 0
