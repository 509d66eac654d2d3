"""The measures of PROTOCOL §6 by name: one definition for evaluation, tables and figures.

A measure's identity is its ranx name (``ndcg_burges@10``: NDCG@10 with exponential gain
2^label - 1 and log2 discount; ``mrr@1``, ``mrr@10``: relevance = label >= 1). ``DISPLAY`` is
what tables print; it names the gain, because trec_eval's and PyTerrier's ``nDCG@10`` use
linear gain and give other numbers for the same run.
"""

from __future__ import annotations

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


def display(metric: str) -> str:
    """The table name of a measure (a user-added measure is shown by its own name)."""
    return DISPLAY.get(metric, metric)
