"""On synthetic-serp, a fully-annotated LambdaMART beats every label-free fusion by a margin a
paired t-test (ranx ``compare``, Holm-corrected here) confirms: cross-modal calibration matters
in the generated data, so merging g^m without labels cannot reach a learned page ranker."""

from __future__ import annotations

from pathlib import Path

from ranx import Qrels, Run, compare

from benchmark.pipeline import grid
from benchmark.pipeline.metrics import read_qrels, read_run
from benchmark.reporting.significance import holm
from benchmark.store import Store

FUSIONS = ["interleave", "fusion-minmax", "fusion-zscore"]
DATA = {"n_queries": 600, "seed": 1}


def test_lambdamart_beats_every_fusion(tmp_path: Path, cache) -> None:
    cells = grid.plan("synthetic-serp", ["lambdamart", *FUSIONS], [], 1, dataset_params=DATA)
    outcome = grid.run(cells, Store(tmp_path), progress=False, cache=cache)
    assert not outcome.failures
    runs = {r.config.reranker: r for r in outcome.results}
    qrels_dict = read_qrels(tmp_path / runs["lambdamart"].manifest["qrels"])
    positive = {q: {d: v for d, v in docs.items() if v > 0} for q, docs in qrels_dict.items()}
    kept = [q for q, docs in positive.items() if docs]
    qrels = Qrels({q: positive[q] for q in kept})
    ranx_runs = []
    for name in ["lambdamart", *FUSIONS]:
        run = read_run(runs[name].run_dir / "run.trec")
        ranx_runs.append(Run({q: run[q] for q in kept}, name=name))
    report = compare(qrels, ranx_runs, ["ndcg_burges@10"], stat_test="student", max_p=0.05)
    table = report.to_dict()
    best = table["lambdamart"]["scores"]["ndcg_burges@10"]
    p_values = [table["lambdamart"]["comparisons"][f]["ndcg_burges@10"] for f in FUSIONS]
    for name, p in zip(FUSIONS, holm(p_values), strict=True):
        assert table[name]["scores"]["ndcg_burges@10"] < best - 0.05, name
        assert p < 0.05, (name, p)
