"""A metric is one declaration in benchmark/core/measures.py (issue 23): evaluation, the
leaderboard's column order and the LaTeX tables' columns read it; a measure ranx lacks plugs in
as a function of a query's ranked labels."""

from __future__ import annotations

import numpy as np
import pytest

from benchmark.core import measures
from benchmark.core.measures import MEASURES, Measure
from benchmark.pipeline.metrics import evaluate_run
from benchmark.reporting import leaderboard, tables

QRELS = {"a": {"x": 2, "y": 0, "z": 1}, "b": {"x": 0, "y": 1}, "c": {"x": 0}}
RUN = {"a": {"x": 0.1, "y": 0.9, "z": 0.5}, "b": {"x": 0.7, "y": 0.2}, "c": {"x": 1.0}}


def first_label(labels: np.ndarray) -> float:
    return float(labels[0])


def test_tables_read_the_declarations() -> None:
    assert tuple(m.name for m in MEASURES if m.tables) == leaderboard.FIRST
    for width, shown in tables.COLUMNS.items():
        assert shown == tuple(m.name for m in MEASURES if width in m.tables) and shown


def test_a_function_measure_and_a_renamed_ranx_measure(monkeypatch: pytest.MonkeyPatch) -> None:
    extra = (Measure("top_label", "top", function=first_label), Measure("rr", "RR", ranx="mrr"))
    monkeypatch.setattr(measures, "MEASURES", (*MEASURES, *extra))
    frame = evaluate_run(QRELS, RUN, ["top_label", "rr", "mrr"])
    value = frame.set_index(["metric", "qid"]).value
    # query c has no positive label: excluded; a: y (0), z (1), x (2); b: x (0), y (1)
    assert value["top_label"].to_dict() == {"a": 0.0, "b": 0.0}
    assert value["rr"].to_dict() == value["mrr"].to_dict() == {"a": 0.5, "b": 0.5}
    assert measures.display("top_label") == "top"


def test_a_measure_is_ranx_or_a_function() -> None:
    with pytest.raises(ValueError, match="not both"):
        Measure("m", "M", ranx="mrr", function=first_label)
    assert Measure("map@100", "MAP@100").ranx == "map@100"
