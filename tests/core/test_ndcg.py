"""The training-time NDCG helper agrees with ranx (the evaluator of every reported number)."""

from __future__ import annotations

import numpy as np
import pytest

from benchmark.core.data import Split
from benchmark.core.ndcg import revealed_ndcg
from benchmark.pipeline.metrics import evaluate_run, ranking


@pytest.mark.parametrize("k", [1, 5, 10])
def test_matches_ranx_on_a_fully_labelled_split(tiny, k: int) -> None:
    test = tiny.dataset["test"]
    scores = np.round(tiny.dataset["test"].g_score.astype(np.float64), 1)  # many ties
    order = ranking(test, scores)
    qids = test.qids[test.query_index]
    run: dict[str, dict[str, float]] = {}
    for position, i in enumerate(order):  # strictly decreasing along the tie-broken order
        run.setdefault(qids[i], {})[test.item_ids[i]] = float(-position)
    qrels: dict[str, dict[str, int]] = {}
    for q, d, lab in zip(qids, test.item_ids, test.page_label, strict=True):
        qrels.setdefault(q, {})[d] = int(lab)
    frame = evaluate_run(qrels, run)
    if f"ndcg_burges@{k}" in set(frame.metric):
        ranx = frame[frame.metric == f"ndcg_burges@{k}"].value.mean()
    else:
        from ranx import Qrels, Run, evaluate

        keep = {q: {d: v for d, v in docs.items() if v > 0} for q, docs in qrels.items()}
        keep = {q: docs for q, docs in keep.items() if docs}
        ranx = evaluate(Qrels(keep), Run({q: run[q] for q in keep}), f"ndcg_burges@{k}")
    assert revealed_ndcg(test, scores, k) == pytest.approx(ranx, abs=1e-12)


def test_only_revealed_labels_count(tiny) -> None:
    split = tiny.dataset["page_valid"]
    hidden = np.where(np.arange(split.n_items) % 2 == 0, split.page_label, -1).astype(np.int8)
    partial = split.replace(page_label=hidden)
    scores = split.g_score.astype(np.float64)
    assert revealed_ndcg(partial, scores) != revealed_ndcg(split, scores)
    assert np.isnan(revealed_ndcg(split.hide_labels(), scores))


def test_ties_break_by_item_id_and_unknown_labels_are_skipped() -> None:
    n = 4
    split = Split.from_query_ids(
        "valid",
        np.array(["q"] * n),
        item_ids=np.array(["a", "b", "c", "d"]),
        modality=np.zeros(n, dtype=np.int8),
        features=np.zeros((n, 1), dtype=np.float32),
        query_features=np.zeros((1, 0), dtype=np.float32),
        g_score=np.zeros(n, dtype=np.float32),
        page_label=np.array([0, 2, 1, -1], dtype=np.int8),
        modal_label=np.full(n, -1, dtype=np.int8),
    )
    ideal = 3 + 1 / np.log2(3)
    got = 0 + 3 / np.log2(3) + 1 / np.log2(4)  # tie broken by item id: "a" first
    assert revealed_ndcg(split, np.array([1.0, 1.0, 0.0, 9.0])) == pytest.approx(got / ideal)
