"""The reranker contract, for every registered reranker: it fits, gives one finite score per
row, and the same seed gives identical scores."""

from __future__ import annotations

import numpy as np
import pytest

from benchmark.core.reranker import RERANKERS, make_reranker
from benchmark.pipeline.annotation import annotate
from benchmark.pipeline.harness import Prepared

#: Shorter training for the page-network rerankers (their defaults train up to 30 rounds per
#: weight candidate); every other hyper-parameter keeps its default.
SHORT = {"max_rounds": 2}


def fit_and_score(tiny: Prepared, name: str, seed: int) -> np.ndarray:
    defaults = make_reranker(name).params()
    reranker = make_reranker(name, {k: v for k, v in SHORT.items() if k in defaults})
    labelled = {s: tiny.dataset[s] for s in ("page_train", "page_valid")}
    if reranker.budgeted:
        views, _, _ = annotate(labelled, reranker.default_strategy, 0.3, seed)
    else:
        views = {s: split.hide_labels() for s, split in labelled.items()}
    reranker.fit(views["page_train"], views["page_valid"], layout=tiny.layout, seed=seed)
    return np.asarray(reranker.score(tiny.dataset["test"].hide_labels()))


@pytest.mark.parametrize("name", RERANKERS.names())
def test_reranker_contract(tiny: Prepared, name: str) -> None:
    test = tiny.dataset["test"]
    first = fit_and_score(tiny, name, seed=11)
    assert first.shape == (test.n_items,)
    assert np.isfinite(first).all()
    assert np.array_equal(first, fit_and_score(tiny, name, seed=11))


@pytest.mark.parametrize("name", RERANKERS.names())
def test_reranker_declares_itself(name: str) -> None:
    cls = RERANKERS.get(name)
    assert cls.name == name and cls.description and cls.inputs and cls.objective
    reranker = make_reranker(name)
    assert reranker.default_strategy in (
        None,
        "pages",
        "random",
        "top-p",
        "middle",
        "bottom",
        "iso-anchors",
        "bandsel",
    )
    with pytest.raises(ValueError, match="no parameter"):
        make_reranker(name, {"not_a_parameter": 1})
