"""The Split data model rejects malformed data with messages that name the problem."""

from __future__ import annotations

import numpy as np
import pytest

from benchmark.core.data import DataError, Split


def rows(n: int, n_features: int = 3) -> dict[str, np.ndarray]:
    return {
        "item_ids": np.array([f"d{i}" for i in range(n)]),
        "modality": np.zeros(n, dtype=np.int8),
        "features": np.zeros((n, n_features), dtype=np.float32),
        "g_score": np.zeros(n, dtype=np.float32),
        "page_label": np.zeros(n, dtype=np.int8),
        "modal_label": np.zeros(n, dtype=np.int8),
    }


def test_groups_are_contiguous_offsets() -> None:
    split = Split.from_query_ids(
        "s", np.array(["a", "a", "b", "c", "c", "c"]), query_features=np.zeros((3, 1)), **rows(6)
    )
    assert split.qids.tolist() == ["a", "b", "c"]
    assert split.group_sizes.tolist() == [2, 1, 3]
    assert split.query_index.tolist() == [0, 0, 1, 2, 2, 2]
    sub = split.select_queries(np.array([2, 0]))
    assert sub.qids.tolist() == ["a", "c"] and sub.group_sizes.tolist() == [2, 3]


def test_non_contiguous_query_is_an_error() -> None:
    with pytest.raises(DataError, match="not contiguous"):
        Split.from_query_ids(
            "s", np.array(["a", "b", "a"]), query_features=np.zeros((2, 1)), **rows(3)
        )


def test_nan_feature_is_an_error() -> None:
    data = rows(2)
    data["features"][1, 0] = np.nan
    with pytest.raises(DataError, match=r"non-finite.*row 1"):
        Split.from_query_ids("s", np.array(["a", "a"]), query_features=np.zeros((1, 1)), **data)


def test_empty_query_is_an_error() -> None:
    with pytest.raises(DataError, match="query 'b' has no items"):
        Split(
            "s",
            np.array(["a", "b"]),
            np.array([0, 2, 2]),
            query_features=np.zeros((2, 1)),
            **rows(2),
        )


def test_label_out_of_range_is_an_error() -> None:
    data = rows(2)
    data["page_label"][0] = 7
    with pytest.raises(DataError, match="page_label outside"):
        Split.from_query_ids("s", np.array(["a", "a"]), query_features=np.zeros((1, 1)), **data)


def test_hide_labels_removes_every_label() -> None:
    split = Split.from_query_ids(
        "s", np.array(["a", "a"]), query_features=np.zeros((1, 1)), **rows(2)
    )
    hidden = split.hide_labels()
    assert (hidden.page_label == -1).all() and (hidden.modal_label == -1).all()


def test_modal_features_travel_with_the_split_and_are_checked() -> None:
    qids = np.array(["a", "a", "b", "c", "c", "c"])
    split = Split.from_query_ids("s", qids, query_features=np.zeros((3, 1)), **rows(6))
    assert split.modal_features is None and split.stage1_features is split.features
    view = np.arange(18, dtype=np.float32).reshape(6, 3)
    gap = split.replace(modal_features=view)
    assert gap.stage1_features is view
    sub = gap.select_queries(np.array([2, 0]))
    assert sub.modal_features is not None
    assert sub.modal_features.tolist() == view[[0, 1, 3, 4, 5]].tolist()
    assert gap.hide_labels().modal_features is view
    with pytest.raises(DataError, match="modal_features"):
        split.replace(modal_features=view[:, :2])


def test_concat_keeps_stage1_view_of_both_and_refuses_one() -> None:
    """Joining splits keeps ``modal_features`` when both have them and refuses to drop one
    side's (stage 1 would silently see other features)."""
    query = np.zeros((1, 1))
    one = Split.from_query_ids("s", np.array(["a", "a"]), query_features=query, **rows(2))
    two = Split.from_query_ids("t", np.array(["b"]), query_features=query, **rows(1))
    assert one.concat(two).modal_features is None and one.concat(two).qids.tolist() == ["a", "b"]
    view = np.ones((2, 3), dtype=np.float32)
    both = one.replace(modal_features=view).concat(two.replace(modal_features=view[:1] * 2))
    assert both.modal_features is not None and both.modal_features[:, 0].tolist() == [1, 1, 2]
    with pytest.raises(ValueError, match="only one has stage 1's own view"):
        one.replace(modal_features=view).concat(two)
    with pytest.raises(ValueError, match="only one has stage 1's own view"):
        one.concat(two.replace(modal_features=view[:1]))
