"""LETOR's evaluation conventions (benchmark/tools/letor_eval.py) on hand-computed cases derived
from the text of Eval-Score-3.0.pl and Eval-Score-4.0.pl (see the module docstring)."""

from __future__ import annotations

import math
import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from benchmark.tools.letor_eval import (
    average_precision,
    evaluate,
    evaluate_query,
    ndcg,
    precision,
    ranked_labels,
)

LOG2_3 = math.log2(3)


@pytest.mark.parametrize("version", ["3.0", "4.0"])
def test_what_both_scripts_share(version: str) -> None:
    q = evaluate_query([1, 0, 2, 0], version)
    # gains 2 -> 3, 1 -> 1; ranks 1 and 2 undiscounted, rank 3 by 1/log2(3)
    assert q["NDCG@3"] == pytest.approx((1 + 0 + 3 / LOG2_3) / (3 + 1 + 0))
    assert q["NDCG@1"] == pytest.approx(1 / 3)
    assert evaluate_query([0, 2], version)["NDCG@2"] == 1.0  # rank 2 is not discounted
    # a query without a relevant document scores 0 everywhere and counts in the mean
    assert set(evaluate_query([0, 0, 0, 0], version).values()) == {0.0}
    both = evaluate({"a": [1, 0], "b": [0, 0]}, version)
    assert both["NDCG@1"] == 0.5 and both["P@1"] == 0.5 and both["MAP"] == 0.5
    # NDCG@k of a list shorter than k: not computed by the script, averaged as 0
    assert ndcg([2, 1, 0], 5) == 0.0 and ndcg([2, 1, 0], 3) == 1.0
    # labels the gain table lacks (3, 4) have gain 0 and are not relevant
    assert ndcg([3, 1], 2) == 1.0 and precision([3, 1], 2, version) == 0.5
    # AP over the whole list, precision at each relevant rank
    assert average_precision([0, 2, 0, 1]) == pytest.approx((1 / 2 + 2 / 4) / 2)
    assert q["MAP"] == pytest.approx((1 / 1 + 2 / 3) / 2)


def test_where_3_0_and_4_0_differ() -> None:
    short = [0, 2, 1]
    # P@k past a short list: 3.0 leaves it uncomputed (0 in the mean), 4.0 counts the holes
    # as irrelevant
    assert precision(short, 10, "3.0") == 0.0
    assert precision(short, 10, "4.0") == pytest.approx(2 / 10)
    assert precision(short, 3, "3.0") == precision(short, 3, "4.0") == pytest.approx(2 / 3)
    # positions: 3.0 reports @1..16, 4.0 @1..10 and MeanNDCG (mean of NDCG@1..n)
    long = list(np.resize([2, 0, 1, 0, 0], 20))
    three, four = evaluate_query(long, "3.0"), evaluate_query(long, "4.0")
    assert "NDCG@16" in three and "P@16" in three and "NDCG@17" not in three
    assert "NDCG@11" not in four and "P@10" in four and "MeanNDCG" not in three
    assert {k: three[k] for k in four if k in three} == {k: four[k] for k in four if k in three}
    assert evaluate_query([0, 1], "4.0")["MeanNDCG"] == pytest.approx((0 + 1) / 2)


def test_ties_of_a_saved_run_keep_the_file_order() -> None:
    # the saved run broke the tie of d-b (line 0) and d-a (line 2) by item id, lowering the
    # later one by one float64 step; the script keeps the file order: line 0 first
    scores = {"da-2": 1.0, "db-0": math.nextafter(1.0, -math.inf), "dc-1": 0.5}
    judged = {"da-2": 0, "db-0": 2, "dc-1": 1}
    assert ranked_labels(judged, scores) == [2, 0, 1]
    scores["db-0"] = 0.9  # not a tie: the scores decide
    assert ranked_labels(judged, scores) == [0, 2, 1]


SCRIPTS = os.environ.get("LETOR_EVAL_SCRIPTS", "")


@pytest.mark.skipif(
    not (SCRIPTS and shutil.which("perl")),
    reason="set LETOR_EVAL_SCRIPTS to a folder with Eval-Score-3.0.pl and Eval-Score-4.0.pl "
    "(docs/datasets.md says where to read them) and install perl",
)
@pytest.mark.parametrize("version", ["3.0", "4.0"])
def test_equals_the_official_script(version: str, tmp_path: Path) -> None:
    """Random queries (short lists, queries without a relevant document, tied scores) scored by
    the official script and by our convention."""
    rng = np.random.default_rng(7)
    features, predictions, ranked = [], [], {}
    for q in range(1, 41):
        n = int(rng.integers(1, 25))
        labels = rng.choice(3, n, p=[0.6, 0.25, 0.15]) * (q % 7 != 0)
        scores = rng.integers(0, 6, n) / 4  # many ties
        features += [f"{lab} qid:{q} 1:0.5 #docid = d{q}-{i}\n" for i, lab in enumerate(labels)]
        predictions += [f"{s}\n" for s in scores]
        order = sorted(range(n), key=lambda i: (-scores[i], i))  # ties: file order
        ranked[str(q)] = [int(labels[i]) for i in order]
    (tmp_path / "f.txt").write_text("".join(features))
    (tmp_path / "p.txt").write_text("".join(predictions))
    script = Path(SCRIPTS) / f"Eval-Score-{version}.pl"
    files = [str(tmp_path / name) for name in ("f.txt", "p.txt", "r.txt")]
    subprocess.run(["perl", str(script), *files, "0"], check=True, capture_output=True)
    text = (tmp_path / "r.txt").read_text()
    ours = evaluate(ranked, version)
    if version == "3.0":
        lines = {line.split("\t")[0]: line.split("\t")[1:] for line in text.splitlines()}
        theirs = {f"P@{k}": float(v) for k, v in enumerate(lines["precision:"], 1) if v.strip()}
        theirs |= {f"NDCG@{k}": float(v) for k, v in enumerate(lines["NDCG:"], 1) if v.strip()}
        theirs["MAP"] = float(lines["MAP:"][0])
        tolerance = 1e-12
    else:
        p, n = (
            [float(v) for v in line.split("\t")[1:] if v.strip()]
            for line in text.splitlines()
            if line.startswith("Average")
        )
        theirs = {f"P@{k}": v for k, v in enumerate(p[:10], 1)} | {"MAP": p[10]}
        theirs |= {f"NDCG@{k}": v for k, v in enumerate(n[:10], 1)} | {"MeanNDCG": n[10]}
        tolerance = 5.0001e-5  # 4.0 prints 4 decimals
    assert set(theirs) == set(ours)
    assert max(abs(ours[k] - theirs[k]) for k in theirs) <= tolerance
