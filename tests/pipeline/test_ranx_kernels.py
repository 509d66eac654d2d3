"""ranx's metric kernels without ranx's package ``__init__`` (issue 19): a process that only
evaluates never imports scipy.stats, matplotlib or ir_datasets; ranx imported afterwards is the
whole package and gives the same numbers; a measure name splits as ranx splits it."""

from __future__ import annotations

import subprocess
import sys

import pytest
from ranx.meta.evaluate import extract_metric_and_params

from benchmark.pipeline.ranx_lists import measure_params

NAMES = ["ndcg_burges@10", "ndcg@3", "mrr", "mrr@1", "map@100", "map@100-l2", "precision@5"]
NAMES += ["recall@20-l3", "rbp.95", "rbp@8", "r-precision", "hits@10", "bpref"]

CHILD = """
import sys
from benchmark.pipeline import ranx_lists
qrels = {"q1": {"a": 2, "b": 1}, "q2": {"c": 1}}
run = {"q1": {"a": 0.2, "b": 0.9, "x": 0.9}, "q2": {"c": 0.1, "d": 0.5}}
measures = ["ndcg_burges@10", "mrr", "map@100"]
_, ours = ranx_lists.evaluate(qrels, run, measures)
heavy = [m for m in ("scipy.stats", "matplotlib", "ir_datasets") if m in sys.modules]
assert not heavy, heavy
import ranx
theirs = ranx.evaluate(ranx.Qrels(qrels), ranx.Run(run), measures, return_mean=False)
assert all((ours[m] == theirs[m]).all() for m in measures), (ours, theirs)
from ranx import Qrels, compare
assert ranx.metrics.metric_switch("mrr") is not None and Qrels and compare
print("ok")
"""


@pytest.mark.parametrize("name", NAMES)
def test_measure_params_split_as_ranx_does(name: str) -> None:
    assert measure_params(name) == extract_metric_and_params(name)


def test_rbp_without_persistence_is_refused_as_ranx_does() -> None:
    with pytest.raises(ValueError, match="persistence"):
        measure_params("rbp")
    with pytest.raises(ValueError, match="persistence"):
        extract_metric_and_params("rbp")


def test_kernels_load_without_ranx_init_and_ranx_still_imports_whole() -> None:
    out = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "ok"
