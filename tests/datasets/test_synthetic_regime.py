"""The regime knobs of synthetic-serp: ``labelled_pages`` (nested subsets, the same test set)
and ``unlabelled_ratio`` (off by default; defaults keep the data and its info unchanged)."""

from __future__ import annotations

import numpy as np
import pytest

from benchmark.core.data import UNLABELLED
from datasets.synthetic_serp import SyntheticSerp

BASE = {"n_queries": 600, "seed": 5, "split_fractions": (0.7, 0.16, 0.04, 0.1)}


def make(**knobs):
    return SyntheticSerp(**BASE, **knobs).generate()


def test_labelled_pages_keeps_test_and_modal_train_and_nests() -> None:
    full, few, more = make(), make(labelled_pages=20), make(labelled_pages=60)
    for name in ("test", "modal_train"):
        assert np.array_equal(few[name].qids, full[name].qids)
        assert np.array_equal(few[name].features, full[name].features)
    assert (few["page_train"].n_queries, few["page_valid"].n_queries) == (16, 4)
    for name in ("page_train", "page_valid"):
        assert set(few[name].qids) <= set(more[name].qids) <= set(full[name].qids)


def test_unlabelled_pages_are_new_queries_without_labels() -> None:
    data = make(labelled_pages=20, unlabelled_ratio=4)
    extra = data[UNLABELLED]
    assert extra.n_queries == 80
    assert (extra.page_label == -1).all() and (extra.modal_label == -1).all()
    assert np.array_equal(data["test"].qids, make(labelled_pages=20)["test"].qids)


def test_defaults_change_nothing() -> None:
    plain, explicit = make(), make(labelled_pages=None, unlabelled_ratio=0)
    assert UNLABELLED not in plain.splits
    assert "labelled_pages" not in plain.info["generator"]
    for name, split in plain.splits.items():
        assert np.array_equal(split.features, explicit[name].features)


@pytest.mark.parametrize(
    ("knobs", "message"),
    [
        ({"labelled_pages": 500}, "labelled_pages=500 exceeds"),
        ({"labelled_pages": 1}, "labelled_pages=1 is out of range"),
        ({"unlabelled_ratio": -1}, "unlabelled_ratio=-1 is out of range"),
        ({"unlabelled_ratio": 1000}, "unlabelled_ratio=1000 is out of range"),
    ],
)
def test_bad_values_are_one_line(knobs, message) -> None:
    with pytest.raises(ValueError, match=message):
        SyntheticSerp(**BASE, **knobs)
