"""The measures of PROTOCOL §6 by name: one definition for evaluation, tables and figures.

A measure's identity is its ranx name (``ndcg_burges@10``: NDCG@10 with exponential gain
2^label - 1 and log2 discount; ``mrr@1``, ``mrr@10``: relevance = label >= 1). ``DISPLAY`` is
what tables print; it names the gain, because trec_eval's and PyTerrier's ``nDCG@10`` use
linear gain and give other numbers for the same run.

A user may add measures (``run --metrics``): ranx names (``ndcg@10``, ``map@100``, ``mrr``,
``precision@5``...), or ir_measures / trec_eval names that :func:`ranx_name` translates to the
ranx measure that computes the same number (``nDCG@10`` and ``ndcg_cut_10`` -> ``ndcg@10``,
linear gain). They are stored and shown under their ranx name.
"""

from __future__ import annotations

import re

METRICS = (
    "ndcg_burges@1",
    "ndcg_burges@3",
    "ndcg_burges@5",
    "ndcg_burges@10",
    "mrr@1",
    "mrr@10",
)
DISPLAY = {
    "ndcg_burges@1": "nDCG@1",
    "ndcg_burges@3": "nDCG@3",
    "ndcg_burges@5": "nDCG@5",
    "ndcg_burges@10": "nDCG@10",
    "mrr@1": "MRR@1",
    "mrr@10": "MRR@10",
}
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


def display(metric: str) -> str:
    """The table name of a measure (a user-added measure is shown by its ranx name)."""
    return DISPLAY.get(metric, metric)


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
