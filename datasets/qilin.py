"""``qilin:<dir>``: whole pages from the real Qilin search logs (PROTOCOL §3.3).

``<dir>`` holds the tables of Hugging Face ``THUIR/Qilin`` either in its parquet layout
(``search_train/*.parquet``, ``search_test/*.parquet``, ``notes/*.parquet``,
``user_feat/*.parquet``) or as CSV files written by pandas (``search_train.csv``, ...; list
columns are Python/numpy reprs, as in ``../shared/data/qilin_sample``). ``user_feat`` is
optional. A bare name (``qilin:qilin_sample``) is looked up in the data folder.

* **Pages.** One page per search row: the displayed notes of ``search_result_details_with_idx``
  in display order (a note shown twice keeps its first position). Page label: 2 = click with a
  dwell time (``page_time``) strictly above the median dwell of the page's clicked notes,
  1 = any other click, 0 = no click. There is no single-modal annotation in Qilin, so
  ``modal_label`` = the page label (the behavioural signal a per-modality ranker learns from).
* **Modalities.** ``note_type`` 1 -> ``image-text``, 2 -> ``video``.
* **Item features** (``FEATURES``): engagement counters and content sizes of the note,
  log-binned (``floor(log2(1 + x))``, missing -> 0); ``image_num`` belongs to image-text notes
  and ``video_duration`` to videos, every other column is shared; the share of the query's
  characters found in the note title and in its content; the cosine between the search's
  ``question_embedding`` and the note's ``note_embedding`` (0 when either is missing).
* **Query features**: log query length, log number of displayed notes, one-hot
  ``query_from_type`` (1..6), and the user's log-binned ``fans_num`` / ``follows_num`` (0
  without a ``user_feat`` table).
* **Splits**: ``search_test`` -> ``test``; ``search_train`` rows are shared out by a seeded
  permutation: ``modal_fraction`` (60 %) -> ``modal_train``, ``valid_fraction`` (10 %) ->
  ``page_valid``, the rest -> ``page_train``. Query ids are ``train-<search_idx>`` /
  ``test-<search_idx>``.

A displayed note or a user missing from its table is an error unless ``allow_missing=true``,
which drops such notes (and pages left empty) and zero-fills missing users; the counts go to
``Dataset.info``. The shared sample's tables do not join (its notes are note_idx 0..9, its
searches show other notes): it checks parsing, not ranking.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from benchmark.core.catalog import DatasetFamily, register_dataset
from benchmark.core.config import canonical_json
from benchmark.core.data import DataError, Dataset, Split
from benchmark.core.params import Range, at_least, coerce_params, default_fields
from datasets.qilin_tables import (
    content,
    embedding_cosine,
    folder,
    key_name,
    numbers,
    overlap,
    read_table,
    records,
    shards,
)

MODALITIES = ("image-text", "video")
NOTE_TYPES = {1: 0, 2: 1}
COUNTERS = (
    "imp_num", "imp_search_num", "click_num", "click_search_num", "like_num", "collect_num",
    "comment_num", "share_num", "screenshot_num", "search_like_num", "search_collect_num",
    "view_time", "search_view_time", "valid_view_times", "full_view_times", "accum_like_num",
    "accum_collect_num", "accum_comment_num", "content_length", "commercial_flag",
)  # fmt: skip
OWN = {"image_num": 0, "video_duration": 1}
FEATURES = (*COUNTERS, *OWN, "title_match", "content_match", "embedding_cosine")
QUERY_FEATURES = (
    "query_length", "displayed", *(f"from_type_{k}" for k in range(1, 7)), "user_fans",
    "user_follows",
)  # fmt: skip
SEARCH_COLUMNS = [
    "query",
    "query_from_type",
    "search_result_details_with_idx",
    "search_idx",
    "user_idx",
]
DEFAULTS: dict[str, Any] = {
    "seed": 0,
    "modal_fraction": 0.6,
    "valid_fraction": 0.1,
    "allow_missing": False,
    "embedding": True,
}


def page_items(searches: pd.DataFrame, split: str) -> pd.DataFrame:
    """One row per displayed note: ``qid, note_idx, position, label`` in page order."""
    rows = []
    for search_idx, details in zip(
        searches.search_idx, searches.search_result_details_with_idx, strict=True
    ):
        page: dict[int, dict[str, Any]] = {}
        for record in sorted(records(details), key=lambda r: r["position"]):
            page.setdefault(int(record["note_idx"]), record)  # first display wins
        shown = list(page.values())
        clicked = np.array([bool(r["click"]) for r in shown], dtype=bool)
        dwell = np.array([r["page_time"] for r in shown], dtype=np.float64)  # None -> nan
        dwell[~clicked] = np.nan
        median = np.nanmedian(dwell) if np.isfinite(dwell).any() else np.inf
        label = np.where(clicked, np.where(dwell > median, 2, 1), 0)
        rows += [
            (f"{split}-{search_idx}", note, float(r["position"]), int(lab))
            for (note, r), lab in zip(page.items(), label, strict=True)
        ]
    return pd.DataFrame(rows, columns=["qid", "note_idx", "position", "label"])


def note_features(notes: pd.DataFrame) -> pd.DataFrame:
    """Modality and log-binned counters per note, indexed by ``note_idx``."""
    counts = notes[[*COUNTERS, *OWN]].apply(pd.to_numeric, errors="coerce").fillna(0)
    binned = np.floor(np.log2(1 + counts.clip(lower=0)))
    binned["modality"] = notes.note_type.map(NOTE_TYPES)
    binned["title"] = notes.note_title.fillna("").astype(str)
    binned["content"] = notes.note_content.fillna("").astype(str)
    binned.index = notes.note_idx.astype(np.int64)
    return binned[binned.modality.notna()]


def coerce(params: dict[str, Any]) -> dict[str, Any]:
    """Parameters with their defaults, through the shared :mod:`benchmark.core.params`."""
    fractions = Range(0, 1, open_high=True)
    ranges = {"seed": at_least(0), "modal_fraction": fractions, "valid_fraction": fractions}
    out = {**DEFAULTS, **coerce_params("qilin", default_fields(DEFAULTS), params, ranges=ranges)}
    if not 0 < out["modal_fraction"] + out["valid_fraction"] < 1:
        raise ValueError("qilin: modal_fraction + valid_fraction must be in (0, 1)")
    return out


def load(arg: str | None, params: dict[str, Any], data_dir: Path) -> Dataset:
    p = coerce(params)
    root = folder(str(arg), data_dir)
    searches = {s: read_table(root, f"search_{s}") for s in ("train", "test")}
    items = pd.concat([page_items(df, s) for s, df in searches.items()], ignore_index=True)
    notes = note_features(
        read_table(
            root, "notes", ["note_idx", "note_type", "note_title", "note_content", *COUNTERS, *OWN]
        )
    )
    info: dict[str, Any] = {"source": str(root), "params": p}
    known = items.note_idx.isin(notes.index)
    info["items_without_note"] = int((~known).sum())
    if not known.all() and not p["allow_missing"]:
        raise DataError(
            f"qilin: {int((~known).sum())} of {len(items)} displayed notes are not "
            f"in {root}/notes (e.g. note_idx {items.note_idx[~known].iloc[0]}); "
            "pass --dataset-param allow_missing=true to drop them"
        )
    items = items[known].reset_index(drop=True)
    if items.empty:
        raise DataError(f"qilin: no displayed note of {root} is in its notes table")
    items["modality"] = notes.modality.loc[items.note_idx].to_numpy(dtype=np.int8)
    frames = {s: df.assign(qid=[f"{s}-{i}" for i in df.search_idx]) for s, df in searches.items()}
    searched = pd.concat(frames.values(), ignore_index=True).set_index("qid")
    features = item_features(root, items, notes, searched, p["embedding"])
    query = query_features(root, searched, items, p["allow_missing"], info)
    split_of = assign_splits(searched.index, p)
    splits = {
        name: build_split(name, items, features, query, split_of == name)
        for name in ("modal_train", "page_train", "page_valid", "test")
    }
    owner = np.array([OWN.get(f, -1) for f in FEATURES], dtype=np.int64)
    return Dataset(f"qilin:{arg}", MODALITIES, owner, splits, info)


def item_features(
    root: Path, items: pd.DataFrame, notes: pd.DataFrame, searched: pd.DataFrame, embedding: bool
) -> np.ndarray:
    note = notes.loc[items.note_idx]
    queries = searched.loc[items.qid, "query"].fillna("").astype(str).tolist()
    title = [overlap(q, t) for q, t in zip(queries, note.title, strict=True)]
    content = [overlap(q, t) for q, t in zip(queries, note.content, strict=True)]
    cosine = np.zeros(len(items))
    if embedding and "question_embedding" in searched:
        question = {q: numbers(v) for q, v in searched.question_embedding.items()}
        cosine = embedding_cosine(root, items, question)
    counters = note[[*COUNTERS, *OWN]].to_numpy(dtype=np.float64)
    return np.column_stack([counters, title, content, cosine]).astype(np.float32)


def query_features(
    root: Path,
    searched: pd.DataFrame,
    items: pd.DataFrame,
    allow_missing: bool,
    info: dict[str, Any],
) -> pd.DataFrame:
    out = pd.DataFrame(index=searched.index)
    out["query_length"] = np.log1p(searched["query"].fillna("").astype(str).str.len())
    out["displayed"] = np.log1p(items.groupby("qid").size().reindex(out.index).fillna(0))
    kind = pd.to_numeric(searched.query_from_type, errors="coerce")
    for k in range(1, 7):
        out[f"from_type_{k}"] = (kind == k).astype(float)
    out["user_fans"] = out["user_follows"] = 0.0
    if shards(root, "user_feat"):
        users = read_table(root, "user_feat", ["user_idx", "fans_num", "follows_num"])
        table = users.set_index("user_idx")
        known = searched.user_idx.isin(table.index)
        info["searches_without_user"] = int((~known).sum())
        if not known.all() and not allow_missing:
            raise DataError(
                f"qilin: {int((~known).sum())} searches have a user_idx missing "
                f"from {root}/user_feat; pass --dataset-param allow_missing=true"
            )
        for col, name in (("fans_num", "user_fans"), ("follows_num", "user_follows")):
            value = searched.user_idx.map(table[col]).astype(float).fillna(0).clip(lower=0)
            out[name] = np.floor(np.log2(1 + value))
    return out[list(QUERY_FEATURES)].astype(np.float32)


def assign_splits(qids: pd.Index, p: dict[str, Any]) -> pd.Series:
    """Split name per search: test searches -> test, train searches by a seeded permutation."""
    split = np.where(qids.str.startswith("test-"), "test", "page_train").astype(object)
    train = np.flatnonzero(split == "page_train")
    order = train[np.random.default_rng(p["seed"]).permutation(len(train))]
    n_modal = round(p["modal_fraction"] * len(train))
    n_valid = max(1, round(p["valid_fraction"] * len(train)))
    split[order[:n_modal]] = "modal_train"
    split[order[n_modal : n_modal + n_valid]] = "page_valid"
    return pd.Series(split, index=qids)


def build_split(
    name: str, items: pd.DataFrame, features: np.ndarray, query: pd.DataFrame, chosen: pd.Series
) -> Split:
    keep = items.qid.map(chosen).to_numpy(dtype=bool)
    rows = items[keep]
    label = rows.label.to_numpy(dtype=np.int8)
    qids = rows.qid.drop_duplicates()
    return Split.from_query_ids(
        name,
        rows.qid.to_numpy(dtype=str),
        item_ids=rows.note_idx.to_numpy().astype(str),
        modality=rows.modality.to_numpy(dtype=np.int8),
        features=features[keep],
        query_features=query.loc[qids].to_numpy(np.float32),
        g_score=np.full(len(rows), np.nan, dtype=np.float32),
        page_label=label,
        modal_label=label.copy(),
    )


def describe(data_dir: Path) -> list[dict[str, Any]]:
    """The full dataset (``<data>/qilin``, HF layout) and the shared sample."""
    rows = []
    for name, labels in (("qilin", "0/1/2 (clicks)"), ("qilin_sample", "sample, no join")):
        root = data_dir / name
        there = (root / "search_train").is_dir() or (root / "search_train.csv").is_file()
        rows.append(
            {
                "name": f"qilin:{name}",
                "queries": "?",
                "items": "?",
                "features": len(FEATURES),
                "labels": labels,
                "present": "yes" if there else "no",
                "where": ""
                if there
                else f"expected {root}/search_train/*.parquet (HF THUIR/Qilin)",
            }
        )
    return rows


def check(arg: str | None, params: dict[str, Any], data_dir: Path) -> None:
    """Parameters and the presence of the required tables, before any cell runs."""
    coerce(params)
    root = folder(str(arg), data_dir)
    for table in ("search_train", "search_test", "notes"):
        if not shards(root, table):
            read_table(root, table)  # raises the one-line "not found" error


def fingerprint(arg: str | None, params: dict[str, Any], data_dir: Path) -> str:
    """A hash of the parameters and of the bytes of every table file."""
    check(arg, params, data_dir)
    names = canonical_json(["qilin", coerce(params), content(folder(str(arg), data_dir))])
    return hashlib.sha256(names.encode()).hexdigest()[:16]


register_dataset(
    DatasetFamily(
        "qilin",
        "real Qilin search pages (image-text/video notes, click+dwell page labels): "
        "qilin:<folder of the HF parquet tables or CSVs>",
        load,
        argument="required",
        describe=describe,
        check=check,
        fingerprint=fingerprint,
        key=key_name,
    )
)
