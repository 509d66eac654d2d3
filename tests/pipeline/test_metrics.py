"""Metrics: ranx numbers from a saved run agree with an independent evaluator (ir_measures,
gains 2^l - 1) to 1e-9; ties are broken by score, then item id, before any library sees them."""

from __future__ import annotations

import itertools
from pathlib import Path

import ir_measures
import numpy as np
import pandas as pd
import pytest

from benchmark.pipeline.harness import DatasetCache, run_cell
from benchmark.pipeline.metrics import (
    ranking,
    ranks,
    read_qrels,
    read_run,
    run_lines,
    strict_scores,
)
from benchmark.store import Store
from tests.conftest import tiny_config

GAINS = {0: 0, 1: 1, 2: 3, 3: 7, 4: 15}


@pytest.fixture(scope="module")
def saved_cell(tmp_path_factory: pytest.TempPathFactory, cache: DatasetCache):
    out = tmp_path_factory.mktemp("metrics")
    return out, run_cell(tiny_config("fusion-zscore"), Store(out), cache)


def test_ndcg_matches_ir_measures(saved_cell) -> None:
    out, result = saved_cell
    qrels = read_qrels(out / result.manifest["qrels"])
    run = read_run(result.run_dir / "run.trec")
    positive = {q for q, docs in qrels.items() if max(docs.values()) > 0}
    qrels = {q: d for q, d in qrels.items() if q in positive}
    run = {q: d for q, d in run.items() if q in positive}
    measure = ir_measures.nDCG(gains=GAINS) @ 10
    theirs = {m.query_id: m.value for m in ir_measures.iter_calc([measure], qrels, run)}
    ours = pd.read_parquet(result.run_dir / "metrics.parquet")
    ours = ours[ours.metric == "ndcg_burges@10"].set_index("qid").value
    assert set(ours.index) == set(theirs) == positive
    diff = max(abs(ours[q] - theirs[q]) for q in theirs)
    assert diff < 1e-9, diff
    mrr = {m.query_id: m.value for m in ir_measures.iter_calc([ir_measures.RR @ 10], qrels, run)}
    ours_mrr = pd.read_parquet(result.run_dir / "metrics.parquet").query("metric == 'mrr@10'")
    assert max(abs(v - mrr[q]) for q, v in zip(ours_mrr.qid, ours_mrr.value, strict=True)) < 1e-9


def test_run_file_is_strictly_ordered(saved_cell) -> None:
    _, result = saved_cell
    lines = Path(result.run_dir / "run.trec").read_text().splitlines()
    by_query: dict[str, list[tuple[int, float]]] = {}
    for line in lines:
        q, _, _, rank, score, _ = line.split()
        by_query.setdefault(q, []).append((int(rank), float(score)))
    for entries in by_query.values():
        ranks = [r for r, _ in entries]
        scores = [s for _, s in entries]
        assert ranks == list(range(1, len(ranks) + 1))
        assert all(a > b for a, b in itertools.pairwise(scores))


def test_ties_break_by_item_id(tiny) -> None:
    test = tiny.dataset["test"]
    order = ranking(test, np.zeros(test.n_items))
    first_page = order[: test.group_sizes[0]]
    assert test.item_ids[first_page].tolist() == sorted(test.item_ids[: test.group_sizes[0]])


@pytest.mark.parametrize("kind", ["model", "rank"])
def test_run_lines_sort_once_and_write_the_same_text(tiny, kind: str) -> None:
    """run_lines hands its one ranking to ranks and strict_scores (issue 19): the text is the
    one each of them gives sorting on its own, with ties and on both kinds of score."""
    test = tiny.dataset["test"]
    scores = np.round(np.random.default_rng(3).standard_normal(test.n_items), 1)  # ties
    if kind == "rank":
        scores[0] = 1e300  # no float32: rank-derived scores
    lines, written_kind = run_lines(test, scores, "tag")
    order = ranking(test, scores)
    r, (written, expected_kind) = ranks(test, scores), strict_scores(test, scores)
    qids = test.qids[test.query_index]
    expected = [
        f"{qids[i]} Q0 {test.item_ids[i]} {int(r[i])} {float(written[i])!r} tag\n" for i in order
    ]
    assert (written_kind, lines) == (expected_kind, expected) and written_kind == kind


def test_manifest_records_what_the_protocol_asks(saved_cell) -> None:
    _, result = saved_cell
    m = result.manifest
    assert m["run_id"] == result.config.run_id
    assert {"git_sha", "versions", "wall_time_s", "annotation", "excluded_queries"} <= set(m)
    assert m["queries_evaluated"] + m["excluded_queries"]["count"] == 48
    mix = m["modality_mix"]
    assert abs(sum(v for k, v in mix.items() if k.startswith("share@10:")) - 1) < 1e-9
    assert abs(sum(v for k, v in mix.items() if k.startswith("ideal_share@10:")) - 1) < 1e-9


@pytest.mark.parametrize("seed", [0, 1])
def test_kernels_fed_directly_equal_ranx_evaluate(seed: int) -> None:
    """benchmark.pipeline.ranx_lists gives ranx.evaluate's numbers bit for bit and in its query
    order, on runs full of tied scores (ranx's own tie order is kept) and several measures."""
    from ranx import Qrels, Run, evaluate

    from benchmark.pipeline import ranx_lists

    rng = np.random.default_rng(seed)
    qrels, run = {}, {}
    for i in range(200):
        docs = [f"d{i}_{j}" for j in rng.permutation(int(rng.integers(1, 40)))]
        run[f"q{i}"] = {d: float(rng.integers(0, 5)) for d in docs}
        judged = {d: int(rng.integers(1, 4)) for d in docs if rng.random() < 0.3}
        if judged:
            qrels[f"q{i}"] = judged
    run = {q: run[q] for q in qrels}
    measures = ["ndcg_burges@10", "ndcg_burges@3", "mrr@1", "mrr@10", "map@100", "ndcg@10"]
    qids, ours = ranx_lists.evaluate(qrels, run, measures)
    ranx_run = Run(run)
    theirs = evaluate(Qrels(qrels), ranx_run, measures, return_mean=False)
    assert qids == list(ranx_run.get_query_ids())
    for m in measures:
        assert np.array_equal(ours[m], np.asarray(theirs[m])), m
