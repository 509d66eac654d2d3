"""Stage 1: one single-modal ranker g^m per modality (PROTOCOL §2).

Each g^m is a LightGBM lambdarank model trained on the ``modal_train`` items of modality m with
their ``modal_label``, on that modality's own feature columns plus the query features; 10 % of
the ``modal_train`` queries are held out for early stopping. A modality that never has two items
on one page (e.g. the single LLM answer) has no within-page order to learn, so its g^m is a
LightGBM regression on ``modal_label`` instead. The fitted models fill ``g_score`` for every item
of every split. A dataset with a view gap gives stage 1 its own view of the items
(``Split.modal_features``); the filled dataset no longer carries it, so no reranker can use it.
A modality without ``modal_train`` items (e.g. plain LTR data, which has no
single-modal stage) keeps ``g_score = 0``.
"""

from __future__ import annotations

from typing import Any

import lightgbm as lgb
import numpy as np

from benchmark.core import progress
from benchmark.core.data import Dataset, Split
from benchmark.pipeline import ranx_lists

PARAMS: dict[str, Any] = {
    "learning_rate": 0.05,
    "num_leaves": 31,
    "min_data_in_leaf": 20,
    "feature_fraction": 0.9,
    "deterministic": True,
    "force_row_wise": True,
    "num_threads": 1,  # see baselines/lambdamart.py: one thread is the robust choice
    "verbosity": -1,
}
ROUNDS = 300
PATIENCE = 30


def modality_rows(split: Split, m: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows of modality ``m`` (query order kept) and their group sizes."""
    rows = np.flatnonzero(split.modality == m)
    qi = split.query_index[rows]
    _, sizes = np.unique(qi, return_counts=True)  # qi is sorted: rows keep query order
    return rows, sizes


def design(split: Split, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """The input of g^m: the rows' modality columns, then their query features (one gather of
    the columns wanted, not a copy of every column of the rows first)."""
    features = split.stage1_features[np.ix_(rows, cols)]
    return np.hstack([features, split.query_features[split.query_index[rows]]])


def fit_modality(dataset: Dataset, m: int, seed: int) -> lgb.Booster:
    train = dataset["modal_train"]
    cols = dataset.modality_columns(m)
    rows, sizes = modality_rows(train, m)
    if len(rows) == 0:
        raise ValueError(f"modality {dataset.modalities[m]!r} has no modal_train items")
    ranking = sizes.max() > 1
    n_fit = max(1, int(len(sizes) * 0.9))
    cut = int(sizes[:n_fit].sum())
    x, y = design(train, rows, cols), train.modal_label[rows]
    params = {**PARAMS, "seed": seed}
    if ranking:
        params.update(objective="lambdarank", metric="ndcg", eval_at=[10])
    else:
        params.update(objective="regression", metric="l2")
    fit = lgb.Dataset(x[:cut], y[:cut], group=sizes[:n_fit] if ranking else None)
    val = lgb.Dataset(x[cut:], y[cut:], group=sizes[n_fit:] if ranking else None, reference=fit)
    return lgb.train(
        params,
        fit,
        ROUNDS,
        valid_sets=[val],
        callbacks=[lgb.early_stopping(PATIENCE, verbose=False)],
    )


def within_modality_ndcg(split: Split, m: int, label: np.ndarray) -> float:
    """Mean NDCG@10 (exp gain) of g^m inside modality m, over pages with a positive label."""
    rows, _ = modality_rows(split, m)
    qids = split.qids[split.query_index[rows]]
    qrels: dict[str, dict[str, int]] = {}
    run: dict[str, dict[str, float]] = {}
    for q, d, lab, s in zip(
        qids, split.item_ids[rows], label[rows], split.g_score[rows], strict=True
    ):
        run.setdefault(q, {})[d] = float(s)
        if lab > 0:
            qrels.setdefault(q, {})[d] = int(lab)
    if not qrels:
        return float("nan")
    _, scores = ranx_lists.evaluate(qrels, run, ["ndcg_burges@10"])
    return float(np.mean(scores["ndcg_burges@10"]))


def add_g_scores(dataset: Dataset, seed: int) -> tuple[Dataset, dict[str, Any]]:
    """Fit every g^m and return the dataset with ``g_score`` filled, plus diagnostics.

    Diagnostics: per modality, the within-modality NDCG@10 on test against the modal labels (what
    g^m was trained for) and against the page labels (what the page cares about).
    """
    scores = {name: np.zeros(s.n_items, dtype=np.float32) for name, s in dataset.splits.items()}
    trained = set(dataset["modal_train"].modality.tolist())
    for m in progress.bar(sorted(trained), desc="stage 1: single-modal rankers"):
        model = fit_modality(dataset, m, seed)
        cols = dataset.modality_columns(m)
        for name, split in dataset.splits.items():
            rows = np.flatnonzero(split.modality == m)
            if len(rows):
                scores[name][rows] = model.predict(design(split, rows, cols))
    filled = dataset.with_splits(
        **{
            name: s.replace(g_score=scores[name], modal_features=None)
            for name, s in dataset.splits.items()
        }
    )
    test = filled["test"]
    diag = {
        name: {
            "ndcg@10_modal_label": within_modality_ndcg(test, m, test.modal_label),
            "ndcg@10_page_label": within_modality_ndcg(test, m, test.page_label),
        }
        for m, name in enumerate(dataset.modalities)
        if m in trained
    }
    return filled, diag
