"""The evaluation conventions of LETOR's Perl scripts, ``Eval-Score-3.0.pl`` (LETOR 3.0) and
``Eval-Score-4.0.pl`` (LETOR 4.0), written from the scripts' text (not vendored).

Sources read (Jun Xu and Tie-Yan Liu, Microsoft Research Asia; public copies):
``Eval-Score-3.0.pl`` at commit ``db1841f2d23a65fb21efa15e560be11c48a2d37d`` of
``JuniorZilles/tcc_learning_to_rank`` (the last commit before that repository's copy was
overwritten by 4.0; ``$iMaxPosition = 16``; the copy in ``gcmgomes/L2R-Framework`` is edited to
10 positions and a looser line pattern), ``Eval-Score-4.0.pl`` at its ``HEAD``
``de800940ab6a3a4d1b7fcb52d4063b9c89da5309`` ("modified by Jun Xu, March 3, 2009").

What both scripts do, per query of the test file:

* documents sorted by prediction, descending; ties keep the file order (a stable sort of the
  documents sorted by line number);
* gain ``%hsNdcgRelScore`` = {2: 3, 1: 1, 0: 0}, i.e. 2^label - 1 for labels 0..2 (a label the
  table lacks, 3 or 4, counts as gain 0 and not relevant);
* discount: ranks 1 and 2 undiscounted, rank r >= 3 by 1 / log2(r);
* NDCG@k = DCG@k / ideal DCG@k, and 0 when the ideal DCG is 0 (a query without a relevant
  document scores 0 and still counts in the mean); NDCG@k of a list shorter than k is not
  computed, and the mean adds nothing for it: 0;
* P@k and AP count labels 1 and 2 as relevant; AP = mean of the precisions at the relevant
  ranks of the whole list, 0 without a relevant document; MAP = mean AP;
* every mean is over all queries of the file.

Where 3.0 and 4.0 differ:

* **positions**: 3.0 reports NDCG@1..16 and P@1..16 (``$iMaxPosition = 16``) and MAP; 4.0
  reports NDCG@1..10, P@1..10, MAP and MeanNDCG (per query, the mean of its NDCG@1..n over the
  whole list of n documents), with 4 decimals;
* **ranks past a short list for P@k**: 3.0 does not compute P@k for k > n, and the mean adds 0
  for it (as for NDCG); 4.0 counts the missing ranks as irrelevant ("if # retrieved doc < $topN,
  the P@N will consider the hole as irrelevant", Jun Xu, 2009-4-24): P@k = relevant in the list
  / k. NDCG@k for k > n is 0 in both (4.0 computes NDCG only up to n);
* queries without a relevant document and the gain: no difference (0, counted; the table above).

The file formats differ too (4.0's lines end in ``inc = ... prob = ...``, which both scripts'
active line pattern rejects: it needs ``#docid = X`` at the end); this module evaluates the
suite's saved runs, so only the arithmetic matters.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

GAIN = {0: 0, 1: 1, 2: 3}
RELEVANT = {1, 2}
POSITIONS = {"3.0": 16, "4.0": 10}


def discount(rank: int) -> float:
    """1 at ranks 1 and 2, 1 / log2(rank) from rank 3 on (the scripts' ``log(2)/log(iPos+1)``
    with 0-based ``iPos``)."""
    return 1.0 if rank < 3 else math.log(2.0) / math.log(rank)


def dcg(labels: Sequence[int], k: int) -> float:
    return sum(GAIN.get(lab, 0) * discount(r) for r, lab in enumerate(labels[:k], start=1))


def ndcg(labels: Sequence[int], k: int) -> float:
    """NDCG@k of one ranked list of labels, both scripts: 0 for a list shorter than k or without
    a relevant document."""
    if len(labels) < k:
        return 0.0
    best = dcg(sorted(labels, key=lambda lab: -GAIN.get(lab, 0)), k)
    return dcg(labels, k) / best if best > 0 else 0.0


def precision(labels: Sequence[int], k: int, version: str) -> float:
    """P@k: 3.0 gives 0 for a list shorter than k, 4.0 counts the missing ranks irrelevant."""
    if version == "3.0" and len(labels) < k:
        return 0.0
    return sum(lab in RELEVANT for lab in labels[:k]) / k


def average_precision(labels: Sequence[int]) -> float:
    hits, total = 0, 0.0
    for rank, lab in enumerate(labels, start=1):
        if lab in RELEVANT:
            hits += 1
            total += hits / rank
    return total / hits if hits else 0.0


def mean_ndcg(labels: Sequence[int]) -> float:
    """4.0's MeanNDCG: the mean of NDCG@1..n over the whole list."""
    return sum(ndcg(labels, k) for k in range(1, len(labels) + 1)) / len(labels)


def evaluate_query(labels: Sequence[int], version: str) -> dict[str, float]:
    """Every figure the script of ``version`` ("3.0" or "4.0") reports for one query, given the
    labels in ranked order."""
    n = POSITIONS[version]
    out = {f"NDCG@{k}": ndcg(labels, k) for k in range(1, n + 1)}
    out |= {f"P@{k}": precision(labels, k, version) for k in range(1, n + 1)}
    out["MAP"] = average_precision(labels)
    if version == "4.0":
        out["MeanNDCG"] = mean_ndcg(labels)
    return out


def evaluate(ranked: dict[str, list[int]], version: str) -> dict[str, float]:
    """The means over every query of ``ranked`` (qid -> labels in ranked order)."""
    per_query = [evaluate_query(labels, version) for labels in ranked.values()]
    return {key: sum(q[key] for q in per_query) / len(per_query) for key in per_query[0]}


def ranked_labels(judged: dict[str, int], scores: dict[str, float]) -> list[int]:
    """The labels of one query of a saved run in the scripts' order: score descending, ties in
    file order. The suite's run files break a tie by lowering the later item's score by one
    float64 step (``benchmark.pipeline.metrics.strict_scores``), so scores a few steps apart are
    taken as tied again; an item id ``d<hash>-<position>`` ends in its line within the query."""
    docs = sorted(scores, key=lambda d: -scores[d])
    tied, group = {}, 0
    for prev, doc in zip([None, *docs], docs, strict=False):
        if prev is not None and scores[prev] - scores[doc] > 8 * math.ulp(scores[prev]):
            group += 1
        tied[doc] = group
    order = sorted(docs, key=lambda d: (tied[d], int(d.rsplit("-", 1)[1])))
    return [judged.get(doc, 0) for doc in order]
