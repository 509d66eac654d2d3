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

The kernels are imported without ranx's package ``__init__`` when ranx is not imported yet
(:func:`kernels`): that ``__init__`` imports ranx's comparison, fusion and plotting modules,
and with them scipy.stats, matplotlib.pyplot and ir_datasets, about 0.85 s of every worker's
start (issue 19) for nothing a cell uses. A measure name is split as ranx splits it
(:func:`measure_params`, the rule of ``ranx.meta.evaluate.extract_metric_and_params``).

tests/pipeline/test_metrics.py compares every measure against ``ranx.evaluate`` on runs with
ties.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from collections.abc import Callable, Mapping
from types import ModuleType
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
    switch = kernels()
    qids = sorted(qrels)
    codes: dict[str, int] = {}
    qrels_lists = sorted_lists(*flat(qrels, qids, codes))
    run_lists = sorted_lists(*flat(run, qids, codes))
    scores = {}
    for measure in measures:
        name, k, level = measure_params(measure)
        scores[measure] = np.asarray(switch(name)(qrels_lists, run_lists, k, level))
    return qids, scores


def measure_params(measure: str) -> tuple[str, Any, int]:
    """``(name, k, relevance level)`` of a ranx measure name, split by ranx's rule
    (``extract_metric_and_params``: ``ndcg@10``, ``map@100-l2``, ``rbp.95``; no ``@k`` is k 0)."""
    level = 1
    if "-l" in measure:
        measure, text = measure.split("-l")
        level = int(text)
    if "rbp" in measure:
        if "." not in measure and "@" not in measure:
            raise ValueError("RBP requires persistence value. Example: `rpb.95`")
        name, p = measure.split("." if "." in measure else "@")[:2]
        return name, float(f"0.{p}"), level
    name, *rest = measure.split("@")
    return name, int(rest[0]) if rest else 0, level


def kernels() -> Callable[[str], Any]:
    """ranx's ``metric_switch`` (measure name -> compiled kernel), imported without running
    ranx's package ``__init__`` when ranx is not imported yet: the ``ranx`` package is then a
    :class:`Deferred` module, which runs that ``__init__`` the first time anything else of ranx
    is asked for (``import ranx; ranx.evaluate``, ``from ranx import Qrels``)."""
    if "ranx" not in sys.modules:
        spec = importlib.util.find_spec("ranx")
        assert spec is not None and spec.loader is not None
        package, plain = Deferred(spec.name), importlib.util.module_from_spec(spec)
        for attr in ("__spec__", "__loader__", "__file__", "__path__", "__package__"):
            setattr(package, attr, getattr(plain, attr))
        sys.modules["ranx"] = package
        import numba

        config: Any = numba.config
        config.THREADING_LAYER = "workqueue"  # what ranx's __init__ sets
    return importlib.import_module("ranx.metrics").metric_switch


class Deferred(ModuleType):
    """The ``ranx`` package before its ``__init__`` has run: its subpackages import as usual;
    reading any other attribute runs the ``__init__`` (once, into this module)."""

    _running = False

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("__") or self._running:
            raise AttributeError(attr)
        self._running = True
        spec: Any = self.__spec__
        spec.loader.exec_module(self)
        return getattr(self, attr)
