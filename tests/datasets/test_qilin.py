"""Qilin: the real sample rows parse (CSV reprs and the Hugging Face parquet layout) into the
data model with the expected columns."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from benchmark.core.catalog import load_dataset
from benchmark.core.data import DataError
from benchmark.pipeline.prepare import default_data_dir
from datasets import qilin

SAMPLE = default_data_dir() / "qilin_sample"
pytestmark = pytest.mark.skipif(not SAMPLE.is_dir(), reason=f"no Qilin sample at {SAMPLE}")
TABLES = ("search_train", "search_test", "notes", "user_feat")


def test_repr_cells_parse() -> None:
    cell = (
        "[{'click': 1.0, 'note_idx': 7, 'page_time': 5.9, 'position': 1.0}\n"
        " {'click': 0.0, 'note_idx': 3, 'page_time': nan, 'position': 2.0}]"
    )
    assert qilin.records(cell) == [
        {"click": 1.0, "note_idx": 7, "page_time": 5.9, "position": 1.0},
        {"click": 0.0, "note_idx": 3, "page_time": None, "position": 2.0},
    ]
    assert qilin.numbers("[ 1.5e-01 -2.0e+00\n  3.0e+00]").tolist() == [0.15, -2.0, 3.0]


def test_search_rows_become_labelled_pages() -> None:
    searches = qilin.read_table(SAMPLE, "search_train")
    assert len(searches) == 10
    items = qilin.page_items(searches, "train")
    assert list(items.columns) == ["qid", "note_idx", "position", "label"]
    assert items.qid.nunique() == 10 and set(items.label) == {0, 1, 2}
    for _, page in items.groupby("qid"):
        assert page.note_idx.is_unique and page.position.is_monotonic_increasing
    first = qilin.records(searches.search_result_details_with_idx.iloc[0])
    clicked = [r for r in first if r["click"]]
    median = np.median([r["page_time"] for r in clicked])
    expected = {r["note_idx"]: 2 if r["page_time"] > median else 1 for r in clicked}
    got = items[items.qid == f"train-{searches.search_idx.iloc[0]}"].set_index("note_idx").label
    assert {k: got[k] for k in expected} == expected
    assert got.drop(list(expected)).eq(0).all()


def test_notes_give_modality_and_binned_counters() -> None:
    notes = qilin.note_features(qilin.read_table(SAMPLE, "notes"))
    assert list(notes.index) == list(range(10))
    assert notes.modality.value_counts().to_dict() == {0: 7, 1: 3}
    assert notes.loc[0, "imp_num"] == np.floor(np.log2(1 + 10672))


def test_sample_tables_do_not_join() -> None:
    with pytest.raises(DataError, match=r"509 of 509 displayed notes are not in .*allow_missing"):
        load_dataset(f"qilin:{SAMPLE}", {}, default_data_dir())


def joined_sample(tmp_path: Path) -> Path:
    """The sample with its real note and user rows re-keyed to the ids the searches show, so
    the tables join (the sample alone does not)."""
    root = tmp_path / "csv"
    root.mkdir()
    for table in ("search_train", "search_test"):
        shutil.copy(SAMPLE / f"{table}.csv", root / f"{table}.csv")
    searches = pd.concat([pd.read_csv(SAMPLE / f"{t}.csv") for t in TABLES[:2]])
    shown = sorted(
        {
            r["note_idx"]
            for cell in searches.search_result_details_with_idx
            for r in qilin.records(cell)
        }
    )
    for table, key, ids in (
        ("notes", "note_idx", shown),
        ("user_feat", "user_idx", sorted(set(searches.user_idx))),
    ):
        rows = pd.read_csv(SAMPLE / f"{table}.csv")
        rows = rows.iloc[np.arange(len(ids)) % len(rows)].assign(**{key: ids})
        rows.to_csv(root / f"{table}.csv", index=False)
    return root


def test_joined_sample_builds_the_data_model(tmp_path: Path) -> None:
    data = load_dataset(f"qilin:{joined_sample(tmp_path)}", {}, default_data_dir())
    assert data.modalities == ("image-text", "video")
    assert len(data.feature_modality) == len(qilin.FEATURES) == 25
    assert sorted(data.feature_modality.tolist())[-2:] == [0, 1]
    sizes = {name: split.n_queries for name, split in data.splits.items()}
    assert sizes == {"modal_train": 6, "page_train": 3, "page_valid": 1, "test": 10}
    test = data["test"]
    assert test.query_features.shape == (10, len(qilin.QUERY_FEATURES))
    assert test.n_items == 303 and set(np.unique(test.page_label)) <= {0, 1, 2}
    assert np.array_equal(test.page_label, test.modal_label)
    cosine = test.features[:, qilin.FEATURES.index("embedding_cosine")]
    assert np.all(np.abs(cosine) <= 1) and np.any(cosine != 0)
    assert data.info["items_without_note"] == 0


def test_parquet_layout_gives_the_same_dataset(tmp_path: Path) -> None:
    csv_root = joined_sample(tmp_path)
    parquet_root = tmp_path / "parquet"
    for table in TABLES:
        frame = pd.read_csv(csv_root / f"{table}.csv")
        if "search_result_details_with_idx" in frame:
            frame["search_result_details_with_idx"] = [
                qilin.records(c) for c in frame.search_result_details_with_idx
            ]
        for col in ("question_embedding", "note_embedding"):
            if col in frame:
                frame[col] = [qilin.numbers(c).tolist() for c in frame[col]]
        (parquet_root / table).mkdir(parents=True)
        half = len(frame) // 2
        frame.iloc[:half].to_parquet(parquet_root / table / "train-00000-of-00002.parquet")
        frame.iloc[half:].to_parquet(parquet_root / table / "train-00001-of-00002.parquet")
    from_csv = load_dataset(f"qilin:{csv_root}", {}, default_data_dir())
    from_parquet = load_dataset(f"qilin:{parquet_root}", {}, default_data_dir())
    for name, split in from_csv.splits.items():
        other = from_parquet[name]
        assert np.array_equal(split.item_ids, other.item_ids)
        assert np.allclose(split.features, other.features)
        assert np.array_equal(split.page_label, other.page_label)
