"""Metrics exactly as PROTOCOL §6, computed by ranx from a saved run (names in
:mod:`benchmark.core.measures`).

* NDCG@k with gain 2^label - 1 and log2 discount: ranx ``ndcg_burges@k``, k = 1, 3, 5, 10.
* MRR@1 and MRR@10 with relevance = label >= 1: ranx ``mrr@1``, ``mrr@10``.
* Ties are broken by score descending, then item id ascending, before any library sees the run.
  The saved TREC run carries the model's own scores at single precision (trec_eval, and so
  pytrec_eval and ir_measures, read scores as C ``float``: two doubles one float64 step apart
  are a tie to it, broken by docno), made strictly decreasing along that order (an item tied
  with the one above it is lowered by the smallest float32 steps), so trec_eval, ranx and
  ir_measures, whatever their own tie rule, all read the same order; a run whose scores do not
  fit a float32 is saved with rank-derived scores, and the manifest says which
  (``run_scores``).
* Queries without a positive label are excluded (and counted).
* Measures a user adds (``run --metrics``, :func:`check_measures`) are computed the same way,
  from the saved run, and stored per query next to these.
* Diagnostic: mean share of each modality in the top 10 (``share@10:<modality>``) next to the
  ideal page's share (``ideal_share@10:<modality>``).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from benchmark.core.data import Split
from benchmark.core.measures import METRICS, declared, ranx_name

TOP = 10
#: the measure names ranx's ``evaluate`` knows (``ranx.metrics.metric_switch``)
RANX_MEASURES = (
    "hits", "hit_rate", "precision", "recall", "f1", "r-precision", "mrr", "map", "dcg",
    "dcg_burges", "ndcg", "ndcg_burges", "bpref", "rbp",
)  # fmt: skip


def ranking(split: Split, scores: np.ndarray) -> np.ndarray:
    """Row indices of ``split`` ordered query by query, score descending, then item id."""
    scores = np.asarray(scores, dtype=np.float64)
    return np.lexsort((split.item_ids, -scores, split.query_index))


def ranks(split: Split, scores: np.ndarray, order: np.ndarray | None = None) -> np.ndarray:
    """1-based rank of each row within its query after tie-breaking (``order``: the
    :func:`ranking` of ``scores`` when the caller has it)."""
    order = ranking(split, scores) if order is None else order
    out = np.empty(split.n_items, dtype=np.int64)
    out[order] = np.arange(split.n_items) - np.repeat(split.offsets[:-1], split.group_sizes)
    return out + 1


def positive_queries(split: Split) -> np.ndarray:
    """Boolean per query: has at least one item with a positive page label."""
    return np.maximum.reduceat(split.page_label, split.offsets[:-1]) >= 1


def strict_scores(
    split: Split, scores: np.ndarray, order: np.ndarray | None = None
) -> tuple[np.ndarray, str]:
    """Scores strictly decreasing, as float32 values, along :func:`ranking` inside every query:
    the model's own rounded to float32, ties lowered by float32 steps (``"model"``), else
    rank-derived (``"rank"``). Rounding is monotone, so it never reorders two items.
    (``order``: the :func:`ranking` of ``scores`` when the caller has it.)"""
    order = ranking(split, scores) if order is None else order
    with np.errstate(over="ignore"):
        s = np.asarray(scores, dtype=np.float64)[order].astype(np.float32)
    same_query = split.query_index[order][1:] == split.query_index[order][:-1]
    bad = np.flatnonzero(same_query & (s[1:] >= s[:-1])) + 1
    while len(bad) and np.isfinite(s).all():  # a run of k ties takes k - 1 rounds
        s[bad] = np.nextafter(s[bad - 1], np.float32(-np.inf))
        bad = np.flatnonzero(same_query & (s[1:] >= s[:-1])) + 1
    if np.isfinite(s).all():
        out = np.empty(len(s), dtype=np.float64)
        out[order] = s
        return out, "model"
    n = split.group_sizes[split.query_index]
    return (n - ranks(split, scores, order) + 1).astype(np.float64), "rank"


def run_lines(split: Split, scores: np.ndarray, tag: str) -> tuple[list[str], str]:
    """TREC run lines ``qid Q0 docno rank score tag`` (scores from :func:`strict_scores`) and
    the kind of score written. (One :func:`ranking` for all three: a sort of every row, which
    grows as n log n, issue 19.)"""
    order = ranking(split, scores)
    r = ranks(split, scores, order)
    written, kind = strict_scores(split, scores, order)
    # Python lists, not numpy scalars, in the loop: the same text, about 3x faster
    columns = (
        split.qids[split.query_index][order].tolist(),
        np.asarray(split.item_ids)[order].tolist(),
        r[order].tolist(),
        np.asarray(written, dtype=np.float64)[order].tolist(),
    )
    lines = [f"{q} Q0 {d} {k} {v!r} {tag}\n" for q, d, k, v in zip(*columns, strict=True)]
    return lines, kind


def qrels_lines(split: Split) -> list[str]:
    qids = split.qids[split.query_index]
    return [
        f"{q} 0 {d} {int(lab)}\n"
        for q, d, lab in zip(qids, split.item_ids, split.page_label, strict=True)
    ]


def read_trec(path: Path, columns: tuple[int, int, int]) -> dict[str, dict[str, float]]:
    """Read a TREC run or qrels file into ``{qid: {docno: value}}`` (columns: qid, doc, value)."""
    out: dict[str, dict[str, float]] = {}
    q, d, v = columns
    with open(path) as fh:
        for line in fh:
            parts = line.split()
            out.setdefault(parts[q], {})[parts[d]] = float(parts[v])
    return out


def read_run(path: Path) -> dict[str, dict[str, float]]:
    return read_trec(path, (0, 2, 4))


def read_qrels(path: Path) -> dict[str, dict[str, int]]:
    return {
        q: {d: int(v) for d, v in docs.items()} for q, docs in read_trec(path, (0, 2, 3)).items()
    }


def evaluate_run(
    qrels: dict[str, dict[str, int]],
    run: dict[str, dict[str, float]],
    measures: tuple[str, ...] | list[str] = METRICS,
) -> pd.DataFrame:
    """Per-query scores of ``measures`` (default :data:`METRICS`), for queries with a
    positive. Returns a long frame ``qid, metric, value`` (queries in ranx's order). ranx's
    metric kernels compute the ranx measures (:mod:`benchmark.pipeline.ranx_lists`: the same
    numbers as ``ranx.evaluate`` on ``Qrels``/``Run``, without numba's per-process
    compilation); a measure declared with a ``function`` gets each query's labels in the run's
    order."""
    from benchmark.pipeline import ranx_lists

    keep = [q for q, docs in qrels.items() if max(docs.values()) >= 1 and q in run]
    positive = {q: {d: v for d, v in qrels[q].items() if v > 0} for q in keep}
    found = {m: declared(m) for m in measures}
    ranx = {m: (d.ranx or m) if d else m for m, d in found.items() if not (d and d.function)}
    qids, scores = ranx_lists.evaluate(positive, {q: run[q] for q in keep}, list(ranx.values()))
    values = {m: scores[name] for m, name in ranx.items()}
    for m, d in found.items():
        if d is not None and d.function is not None:
            values[m] = np.array([d.function(ranked_labels(qrels[q], run[q])) for q in qids])
    return pd.concat(
        [pd.DataFrame({"qid": qids, "metric": m, "value": values[m]}) for m in measures],
        ignore_index=True,
    )


def ranked_labels(labels: dict[str, int], scores: dict[str, float]) -> np.ndarray:
    """A query's labels in the run's order (score descending, then docno; unjudged: 0)."""
    order = sorted(scores, key=lambda d: (-scores[d], d))
    return np.array([labels.get(d, 0) for d in order], dtype=np.float64)


def check_measures(names: list[str]) -> list[str]:
    """The ranx names of user-requested measures (ir_measures / trec_eval names translated,
    duplicates and the suite's own measures dropped); an unknown name raises ``ValueError``
    naming it. ranx's rule decides what a ranx name is (:func:`ranx_lists.measure_params`,
    tested equal to ranx's parser)."""
    if not names:
        return []  # (ranx is not imported for nothing: a second of every run)
    from benchmark.pipeline.ranx_lists import kernels, measure_params

    metric_switch = kernels()

    out: list[str] = []
    for name in names:
        ranx = ranx_name(name)
        try:
            if not re.fullmatch(r"[a-z_-]+(@\d+)?(-l\d+)?|rbp\.\d+", ranx):
                raise ValueError
            metric_switch(measure_params(ranx)[0])
        except ValueError:
            raise ValueError(f"unknown measure {name!r}{suggest(name)}") from None
        if ranx not in METRICS and ranx not in out:
            out.append(ranx)
    return out


def suggest(name: str) -> str:
    base = re.split(r"[@.-]", name, maxsplit=1)[0].lower()
    close = [c for c in difflib.get_close_matches(base, RANX_MEASURES, n=1) if c != name]
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return (
        f"{hint} (ranx names: {', '.join(RANX_MEASURES)}, with @k for a cut-off, e.g. ndcg@10; "
        "or ir_measures' nDCG@k, P@k, R@k, RR, AP, or trec_eval's ndcg_cut_k, P_k, map)"
    )


def modality_shares(
    split: Split, scores: np.ndarray, modalities: tuple[str, ...]
) -> dict[str, float]:
    """Mean share of each modality in the top 10 of the run (``share@10:<m>``) and of the ideal
    page (``ideal_share@10:<m>``), over the evaluated queries. Stored in the manifest (small),
    not per query."""
    keep = positive_queries(split)
    run_top = ranks(split, scores) <= TOP
    ideal_top = ranks(split, split.page_label.astype(np.float64)) <= TOP
    denom = np.minimum(split.group_sizes, TOP)
    out = {}
    for prefix, top in (("share", run_top), ("ideal_share", ideal_top)):
        for m, name in enumerate(modalities):
            hits = np.add.reduceat((top & (split.modality == m)).astype(float), split.offsets[:-1])
            out[f"{prefix}@10:{name}"] = float((hits / denom)[keep].mean()) if keep.any() else 0.0
    return out


def per_query_metrics(
    qrels_path: Path, run_path: Path, measures: tuple[str, ...] | list[str] = METRICS
) -> pd.DataFrame:
    """Evaluate the saved run file against the saved qrels (long frame: qid, metric, value).
    The qrels file is parsed once per process for every cell of a dataset (it is identified by
    its path, size and modification time, so a rewritten file is read again)."""
    st = qrels_path.stat()
    key = (str(qrels_path.resolve()), st.st_size, st.st_mtime_ns)
    qrels = remembered(("qrels", key), lambda: read_qrels(qrels_path))
    return evaluate_run(qrels, read_run(run_path), measures)


_REMEMBERED: dict[tuple[Any, ...], Any] = {}


def remembered(key: tuple[Any, ...], make: Callable[[], Any], size: int = 8) -> Any:
    """``make()`` once per ``key`` in this process, keeping the ``size`` latest (read-only use)."""
    if key not in _REMEMBERED:
        while len(_REMEMBERED) >= size:
            _REMEMBERED.pop(next(iter(_REMEMBERED)))
        _REMEMBERED[key] = make()
    return _REMEMBERED[key]
