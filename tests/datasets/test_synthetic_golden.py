"""Golden hashes: synthetic-serp's default data (and one small non-default set) stay byte for
byte what the generator produced before the premise knobs existed (family version 2).

A knob that truly cannot keep these bytes must bump the family's ``version`` and say why; it
must never change them silently.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from benchmark.core.data import Dataset
from datasets.synthetic_serp import SyntheticSerp

COLUMNS = (
    "qids",
    "offsets",
    "item_ids",
    "modality",
    "features",
    "query_features",
    "g_score",
    "page_label",
    "modal_label",
    "pairs",
)
GOLDEN = [
    ({}, "0c4142d7a79378d60c21a189187e013b31dc26d257487bd082cb090d0d05fe78"),
    (
        {"n_queries": 300, "seed": 7, "modal_train_keep": 0.5, "label_noise": 0.1},
        "f51008551da2477730600063d28dcd8ec425d9b84c4f43e8d67379ff5096b7f9",
    ),
]


def digest(data: Dataset) -> str:
    """sha256 over every array of every split (name, dtype, shape and bytes)."""
    h = hashlib.sha256()
    for name in sorted(data.splits):
        split = data.splits[name]
        for col in COLUMNS:
            arr = np.ascontiguousarray(getattr(split, col))
            h.update(f"{name}.{col}.{arr.dtype.str}.{arr.shape}".encode())
            h.update(arr.tobytes())
    layout = np.ascontiguousarray(data.feature_modality)
    h.update(layout.dtype.str.encode())
    h.update(layout.tobytes())
    return h.hexdigest()


@pytest.mark.parametrize(("params", "expected"), GOLDEN, ids=["default", "small-non-default"])
def test_golden_bytes(params: dict[str, object], expected: str) -> None:
    data = SyntheticSerp(**params).generate()
    assert digest(data) == expected
    assert all(split.modal_features is None for split in data.splits.values())


#: The premise knobs set explicitly to values that mean "off" (modal_ratio 3 is the default
#: split's own ratio: 3,000 modal_train queries for 800 + 200 page queries).
KNOBS_OFF = {
    "modal_ratio": 3.0,
    "view_noise": 0.0,
    "view_keep": 1.0,
    "annotator_noise": 0.0,
    "context_effect": 0.0,
    "n_topics": 9,
    "feature_complexity": 0.0,
}


def test_knobs_switched_off_keep_the_default_bytes() -> None:
    assert digest(SyntheticSerp(**KNOBS_OFF).generate()) == GOLDEN[0][1]
