"""User-added measures (``run --metrics``) and the run files others read.

* ir_measures / trec_eval names map to the ranx measure that gives the same per-query number
  (checked against ir_measures, whose provider here is pytrec_eval, i.e. trec_eval);
* unknown names are one ``error:`` line and exit 2, before any cell runs;
* a finished cell gets a new measure from its saved run, without retraining; a packed cell
  (no run file) is computed again;
* ``ranx.compare`` over three saved runs of one dataset shows three rows (unique run tags), and
  a run file's ranks are the ranking of the model's own scores (making the scores strictly
  decreasing changed no rank).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import ir_measures
import numpy as np
import pytest
from ranx import Qrels, Run, compare

from benchmark.cli import main
from benchmark.core.measures import display, gain_note, ranx_name
from benchmark.core.reranker import make_reranker
from benchmark.pipeline.harness import run_cell
from benchmark.pipeline.metrics import check_measures, evaluate_run, ranks, read_qrels, read_run
from benchmark.store import Store
from tests.conftest import tiny_config

#: our name -> the ir_measures measure that must give the same per-query values
SAME = {
    "nDCG@10": "nDCG@10",
    "ndcg_cut_10": "nDCG@10",
    "P@5": "P@5",
    "P_5": "P@5",
    "R@10": "R@10",
    "recall_10": "R@10",
    "RR": "RR",
    "recip_rank": "RR",
    "RR@10": "RR@10",
    "AP": "AP",
    "map": "AP",
    "AP@10": "AP@10",
    "map_cut_10": "AP@10",
}


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory, cache) -> tuple[Path, dict]:
    """lambdamart@10 % (seeds 0 and 1), lambdamart@100 % and fusion-zscore, run once."""
    out = tmp_path_factory.mktemp("measures")
    store = Store(out)
    configs = {
        "lm10s0": tiny_config("lambdamart", 0.1, "pages", seed=0),
        "lm10s1": tiny_config("lambdamart", 0.1, "pages", seed=1),
        "lm100": tiny_config("lambdamart", 1.0, "pages", seed=0),
        "zscore": tiny_config("fusion-zscore"),
    }
    return out, {name: run_cell(c, store, cache) for name, c in configs.items()}


def test_aliases_give_ir_measures_numbers(saved) -> None:
    out, results = saved
    result = results["zscore"]
    qrels = read_qrels(out / result.manifest["qrels"])
    run = read_run(result.run_dir / "run.trec")
    positive = {q for q, docs in qrels.items() if max(docs.values()) > 0}
    qrels = {q: d for q, d in qrels.items() if q in positive}
    names = check_measures(list(SAME))
    ours = evaluate_run(qrels, run, list(dict.fromkeys(map(ranx_name, SAME))))
    for name, theirs_name in SAME.items():
        measure = ir_measures.parse_measure(theirs_name)
        theirs = {m.query_id: m.value for m in ir_measures.iter_calc([measure], qrels, run)}
        mine = ours[ours.metric == ranx_name(name)].set_index("qid").value
        assert max(abs(mine[q] - theirs[q]) for q in mine.index) < 1e-9, name
    assert names[0] == "ndcg@10" and "mrr@10" not in names  # already a suite measure
    assert "linear gain" in gain_note(["ndcg@10"]) and display("ndcg@10") == "ndcg@10"


def test_unknown_measure_is_one_error_line(tmp_path: Path, capsys) -> None:
    with pytest.raises(ValueError, match="unknown measure 'ndgc@10'; did you mean 'ndcg'"):
        check_measures(["ndcg@10", "ndgc@10"])
    code = main(["run", "--out", str(tmp_path), "--metrics", "map@100,bogus", "--quiet"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "error: unknown measure 'bogus'" in err
    assert not (tmp_path / "runs").exists()


def test_finished_cell_gets_measures_from_its_run(saved, cache, tmp_path: Path) -> None:
    out, results = saved
    store = Store(out)
    before = results["zscore"].manifest
    run_bytes = (results["zscore"].run_dir / "run.trec").read_bytes()
    once = run_cell(tiny_config("fusion-zscore"), store, cache, measures=("ndcg@10",))
    assert once.cached and "ndcg@10" in once.manifest["mean"]  # one measure (ranx fails on that)
    again = run_cell(tiny_config("fusion-zscore"), store, cache, measures=("ndcg@10", "map"))
    assert again.cached and again.manifest["finished"] == before["finished"]
    assert {"ndcg@10", "map"} <= set(again.manifest["mean"]) and "map" not in before["mean"]
    assert (again.run_dir / "run.trec").read_bytes() == run_bytes
    stored = again.cell.metrics()
    assert set(stored.metric) >= {"ndcg_burges@10", "ndcg@10", "map"}
    assert stored.groupby("metric").size().nunique() == 1  # every measure for every query
    # a packed copy has no run file: the cell is computed again
    packed = Store(tmp_path)
    shutil.copytree(out / "runs" / "qrels", tmp_path / "runs" / "qrels")
    packed.pack(again.manifest["dataset_key"]).folder.mkdir(parents=True)
    packed.pack(again.manifest["dataset_key"]).write([again.cell])
    redone = run_cell(tiny_config("fusion-zscore"), packed, cache, measures=("recall@10",))
    assert not redone.cached and "recall@10" in redone.manifest["mean"]


def test_ranx_compare_sees_one_row_per_saved_run(saved) -> None:
    out, results = saved
    qrels = Qrels.from_file(str(out / results["lm100"].manifest["qrels"]), kind="trec")
    names = ("lm10s0", "lm10s1", "lm100")
    runs = [Run.from_file(str(results[n].run_dir / "run.trec"), kind="trec") for n in names]
    assert [r.name for r in runs] == [results[n].manifest["run_tag"] for n in names]
    report = compare(qrels, runs, ["ndcg_burges@10"], make_comparable=True)
    assert len(report.to_dict()["model_names"]) == 3
    key = results["lm100"].manifest["dataset_key"]
    assert report.to_dict()["model_names"] == [
        f"{key}:lambdamart@10%#seed0", f"{key}:lambdamart@10%#seed1", f"{key}:lambdamart@100%#seed0"
    ]  # fmt: skip


def test_run_file_ranks_are_the_model_scores_ranking(saved, tiny) -> None:
    _, results = saved
    data = tiny.dataset
    model = make_reranker("fusion-zscore")
    model.fit(data["page_train"].hide_labels(), data["page_valid"].hide_labels(),
              layout=tiny.layout, seed=0)  # fmt: skip
    test = data["test"]
    raw = model.score(test.hide_labels())
    assert len(np.unique(raw)) < len(raw)  # ties: the written scores had to change
    expected = ranks(test, raw)
    qids = test.qids[test.query_index]
    position = {(q, d): i for i, (q, d) in enumerate(zip(qids, test.item_ids, strict=True))}
    for line in (results["zscore"].run_dir / "run.trec").read_text().splitlines():
        q, _, d, rank, _, tag = line.split()
        assert int(rank) == expected[position[q, d]] and tag.endswith(":fusion-zscore#seed0")
    assert results["zscore"].manifest["run_scores"] in ("model", "rank")


def test_run_help_prints_percent_signs(capsys) -> None:
    assert main(["run", "--help"]) == 0
    out = capsys.readouterr().out
    assert "100% reference" in out and "'10%'" in out and "%%" not in out and "--metrics" in out
