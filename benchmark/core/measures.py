"""The measures of PROTOCOL §6: one declaration each, read by evaluation, leaderboards, tables
and LaTeX.

A measure is one :class:`Measure` line in :data:`MEASURES`: its stored name, its table name,
and how it is computed, either by ranx (``ranx``: a ranx measure name) or by ``function``: a
query's page labels in the run's order (best first) -> a float, for a measure ranx lacks.
``tables`` names the LaTeX tables that show it ("text": one-column width, "column": a column of
a two-column page); those measures also lead the leaderboard's columns.

The suite's measures: ``ndcg_burges@k`` (NDCG@k with exponential gain 2^label - 1 and log2
discount), ``mrr@1``, ``mrr@10`` (relevance = label >= 1). Display names name the gain, because
trec_eval's and PyTerrier's ``nDCG@10`` use linear gain and give other numbers for the same run.

A user may add measures without code (``run --metrics``): ranx names (``ndcg@10``, ``map@100``,
``mrr``, ``precision@5``...), or ir_measures / trec_eval names that :func:`ranx_name` translates
to the ranx measure that computes the same number (``nDCG@10`` and ``ndcg_cut_10`` ->
``ndcg@10``, linear gain). They are stored and shown under their ranx name.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Measure:
    """One measure: ``name`` (stored per query, the identity), ``display`` (table header), and
    ``ranx`` (the ranx name computing it; the name itself when neither is given) or
    ``function`` (labels in ranked order -> value), and the LaTeX ``tables`` that show it."""

    name: str
    display: str
    ranx: str | None = None
    function: Callable[[np.ndarray], float] | None = None
    tables: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.ranx is not None and self.function is not None:
            raise ValueError(f"measure {self.name!r}: give ranx or function, not both")
        if self.ranx is None and self.function is None:
            object.__setattr__(self, "ranx", self.name)


MEASURES = (
    Measure("ndcg_burges@1", "nDCG@1"),
    Measure("ndcg_burges@3", "nDCG@3"),
    Measure("ndcg_burges@5", "nDCG@5"),
    Measure("ndcg_burges@10", "nDCG@10", tables=("text", "column")),
    Measure("mrr@1", "MRR@1", tables=("text",)),
    Measure("mrr@10", "MRR@10", tables=("text", "column")),
)
METRICS = tuple(m.name for m in MEASURES)
DISPLAY = {m.name: m.display for m in MEASURES}
MAIN_METRIC = "ndcg_burges@10"
GAIN_NOTE = "nDCG with exponential gain 2^label − 1 and log2 discount (ranx ndcg_burges)"
#: ir_measures and trec_eval names -> the ranx measure computing the same per-query number
#: (checked against ir_measures in tests/pipeline/test_measures.py)
ALIASES = (
    (r"nDCG@(\d+)|ndcg_cut[._](\d+)", "ndcg@{}"),
    (r"P@(\d+)|P[._](\d+)", "precision@{}"),
    (r"R@(\d+)|recall[._](\d+)", "recall@{}"),
    (r"RR@(\d+)", "mrr@{}"),
    (r"RR|recip_rank", "mrr"),
    (r"AP@(\d+)|map_cut[._](\d+)", "map@{}"),
    (r"AP", "map"),
)


def declared(name: str) -> Measure | None:
    """The declaration of ``name`` in :data:`MEASURES` (None for a user-added measure)."""
    return next((m for m in MEASURES if m.name == name), None)


def table_measures(table: str | None = None) -> tuple[str, ...]:
    """The measures the LaTeX table ``table`` shows (any table when None), in declaration
    order."""
    return tuple(m.name for m in MEASURES if (m.tables if table is None else table in m.tables))


def display(metric: str) -> str:
    """The table name of a measure (a user-added measure is shown by its ranx name)."""
    found = declared(metric)
    return found.display if found else metric


def ranx_name(name: str) -> str:
    """The ranx name of an ir_measures / trec_eval measure name (other names unchanged)."""
    for pattern, template in ALIASES:
        m = re.fullmatch(pattern, name)
        if m:
            return template.format(next((g for g in m.groups() if g), ""))
    return name


def gain_note(metrics: list[str] | tuple[str, ...] = METRICS) -> str:
    """What the nDCG columns of a table mean: the suite's exponential gain, and for a
    user-added ranx ``ndcg@k`` its linear gain."""
    note = GAIN_NOTE
    linear = [m for m in metrics if re.fullmatch(r"ndcg(@\d+)?(-l\d+)?", m)]
    if linear:
        note += (
            f"; {', '.join(linear)}: ranx ndcg, linear gain (trec_eval's ndcg_cut, "
            "ir_measures' nDCG)"
        )
    return note
