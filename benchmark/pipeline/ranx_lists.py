"""ranx's metric kernels, fed without numba's typed containers built in Python.

``ranx.evaluate`` on ``Qrels``/``Run`` objects builds numba typed ``Dict``s and ``List``s from
Python; their methods are compiled in every process and never cached (numba issue #5713), which
cost 3-8 s per process before the first cell (issue 19). The metric kernels themselves are
cached (``@njit(cache=True)``). This module builds the same inputs those kernels receive
(one float64 ``[doc id, value]`` array per query, sorted by value descending) inside one cached
compiled function and calls ranx's kernels (``ranx.metrics.metric_switch``) on them, so the
numbers are ranx's, bit for bit:

* the per-query order is ranx's: ``Run``/``Qrels`` sort each query's values with
  ``np.argsort(-values)`` in numba (``typed_list_argosrt``), which :func:`sorted_lists` repeats
  on the same float64 values in the same (dict) order, so tied values keep ranx's order;
* queries come in ranx's order (``sort_dict_by_key``: the ids sorted as strings);
* document ids are matched by equality only; ranx hashes them (``hash(doc) -> float64``), we
  number them (exact integers, no hash collision), which the kernels cannot tell apart.

tests/pipeline/test_metrics.py compares every measure against ``ranx.evaluate`` on runs with
ties.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from numba import njit
from numba.typed import List


@njit(cache=True)
def sorted_lists(ids: np.ndarray, values: np.ndarray, offsets: np.ndarray) -> Any:
    """One ``[id, value]`` array per query (rows ``offsets[i]:offsets[i+1]``), sorted as ranx
    sorts a query's documents (``np.argsort`` of the negated values)."""
    out = List()
    for i in range(len(offsets) - 1):
        a, b = offsets[i], offsets[i + 1]
        v = values[a:b]
        order = np.argsort(-v)
        block = np.empty((b - a, 2), dtype=np.float64)
        block[:, 0] = ids[a:b][order]
        block[:, 1] = v[order]
        out.append(block)
    return out


def flat(
    nested: Mapping[str, Mapping[str, float]], qids: list[str], codes: dict[str, int]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``nested``'s queries ``qids`` as flat ids, values and offsets (documents in dict order,
    numbered by ``codes``, which it extends)."""
    ids: list[int] = []
    values: list[float] = []
    sizes: list[int] = []
    for q in qids:
        docs = nested[q]
        ids += [codes.setdefault(d, len(codes)) for d in docs]
        values += docs.values()
        sizes.append(len(docs))
    offsets = np.zeros(len(sizes) + 1, dtype=np.int64)
    np.cumsum(sizes, out=offsets[1:])
    return np.asarray(ids, dtype=np.float64), np.asarray(values, dtype=np.float64), offsets


def evaluate(
    qrels: Mapping[str, Mapping[str, float]],
    run: Mapping[str, Mapping[str, float]],
    measures: list[str],
) -> tuple[list[str], dict[str, np.ndarray]]:
    """Per-query scores of ranx ``measures`` for the queries of ``qrels`` (every one must be in
    ``run``), in ranx's query order: ``(qids, {measure: scores})``."""
    from ranx.meta.evaluate import extract_metric_and_params
    from ranx.metrics import metric_switch

    qids = sorted(qrels)
    codes: dict[str, int] = {}
    qrels_lists = sorted_lists(*flat(qrels, qids, codes))
    run_lists = sorted_lists(*flat(run, qids, codes))
    scores = {}
    for measure in measures:
        name, k, level = extract_metric_and_params(measure)
        scores[measure] = np.asarray(metric_switch(name)(qrels_lists, run_lists, k, level))
    return qids, scores
