"""Running an annotation strategy on the annotated splits (PROTOCOL §4), in its rounds.

Round r (0-based) of a strategy's R rounds opens the oracle's cumulative cap for the round
(:meth:`benchmark.core.annotation.Oracle.open_round`), then the strategy buys ``page_train``
then ``page_valid`` with one generator: round 0 draws from the annotation seed itself (so a
one-round strategy buys exactly what it bought before rounds existed), round r > 0 from
``derive_seed("annotation-round", seed, r)``. After every round but the last the strategy's
proxy is refitted on the labels bought so far (:func:`proxy_scores`) and scores the annotated
splits' rows for the next round. The log records, per round, the units bought per split and
the time the proxy's refit after it took (fit and scoring).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from benchmark.core.annotation import STRATEGIES, Oracle, Proxy, RoundState, Strategy
from benchmark.core.config import derive_seed
from benchmark.core.data import UNLABELLED, Dataset, Split
from benchmark.core.reranker import Layout, Reranker, make_reranker


@dataclass
class Annotation:
    """What a strategy bought: the reranker's views of the splits (labels not bought are
    ``-1``), the units used, the units a full annotation costs, and the per-round log."""

    views: dict[str, Split]
    units_used: int
    units_total: int
    rounds: list[dict[str, Any]]

    def manifest(self) -> dict[str, Any]:
        return {
            "units_used": self.units_used,
            "units_total": self.units_total,
            "fraction_used": self.units_used / self.units_total,
            "rounds": self.rounds,
        }


def annotate(
    splits: dict[str, Split], strategy_name: str, fraction: float, seed: int
) -> tuple[dict[str, Split], int, int]:
    """Run a strategy on the annotated splits.

    Returns the reranker's views of the splits (labels it did not buy are ``-1``), the units used
    and the units a full annotation costs. A strategy with a proxy needs
    :func:`annotate_rounds` (the proxy needs the dataset's layout).
    """
    done = annotate_rounds(splits, strategy_name, fraction, seed)
    return done.views, done.units_used, done.units_total


def annotate_rounds(
    splits: dict[str, Split],
    strategy_name: str,
    fraction: float,
    seed: int,
    layout: Layout | None = None,
) -> Annotation:
    """Run a strategy, round by round (module docstring)."""
    strat = STRATEGIES.get(strategy_name)
    if strat.proxy is not None and layout is None:
        raise ValueError(f"strategy {strategy_name!r} refits a proxy: pass the dataset's layout")
    oracle = Oracle(splits, fraction)
    hidden = {name: s.hide_labels() for name, s in splits.items()}
    pairs: dict[str, list[np.ndarray]] = {name: [] for name in hidden}
    scores: dict[str, np.ndarray] | None = None
    log = []
    for r in range(strat.rounds):
        oracle.open_round(r, strat.rounds)
        before = {name: oracle.units_spent(name) for name in hidden}
        rng = np.random.default_rng(seed if r == 0 else derive_seed("annotation-round", seed, r))
        for name, split in hidden.items():
            state = RoundState(r, strat.rounds, (scores or {}).get(name), hidden)
            pairs[name].append(strat.buy(split, oracle, fraction, rng, state))
        t0 = time.perf_counter()
        if r + 1 < strat.rounds:
            scores = refit(strat, oracle, hidden, layout, derive_seed("proxy", seed, r))
        log.append(
            {
                "round": r,
                "units": {name: oracle.units_spent(name) - before[name] for name in hidden},
                "proxy_fit_s": round(time.perf_counter() - t0, 3),
            }
        )
    views = {
        name: split.replace(
            page_label=oracle.revealed_labels(name), pairs=np.concatenate(pairs[name])
        )
        for name, split in hidden.items()
    }
    return Annotation(views, oracle.units_used, oracle.units_total, log)


def refit(
    strat: Strategy,
    oracle: Oracle,
    hidden: dict[str, Split],
    layout: Layout | None,
    seed: int,
) -> dict[str, np.ndarray] | None:
    """The proxy's scores after a round (None for a strategy without a proxy)."""
    if strat.proxy is None or layout is None:
        return None
    views = {name: s.replace(page_label=oracle.revealed_labels(name)) for name, s in hidden.items()}
    return proxy_scores(strat.proxy, views, layout, seed)


def proxy_scores(
    proxy: Proxy, views: dict[str, Split], layout: Layout, seed: int
) -> dict[str, np.ndarray] | None:
    """Fit the proxy (each bootstrap member) on the revealed labels of ``views`` and score every
    row of the views it scores (:attr:`Proxy.scored`): ``{split: (members, n_items)}``; None
    when no ``page_train`` label is revealed. Member k's page draw and model seed are derived
    from ``seed`` and k."""
    train = views["page_train"]
    valid = views.get("page_valid", train.hide_labels())
    known = np.add.reduceat((train.page_label >= 0).astype(np.int64), train.offsets[:-1])
    labelled = np.flatnonzero(known > 0)
    if len(labelled) == 0:
        return None
    out: dict[str, list[np.ndarray]] = {name: [] for name in views if name in proxy.scored}
    for k in range(proxy.members):
        member_seed = derive_seed("proxy-member", seed, k)
        if proxy.members == 1:
            sample = train
        else:
            draw = np.random.default_rng(member_seed).choice(labelled, len(labelled))
            sample = train.select_queries(draw)
        model = make_reranker(proxy.reranker, proxy.params)
        model.fit(sample, valid, layout=layout, seed=member_seed)
        for name, parts in out.items():
            parts.append(np.asarray(model.score(views[name]), dtype=np.float64))
    return {name: np.stack(parts) for name, parts in out.items()}


def with_unlabelled(train: Split, reranker: Reranker, data: Dataset) -> Split:
    """``train`` followed by the dataset's unlabelled pages (labels unknown) when the reranker
    declares it uses them; otherwise ``train`` itself: the oracle and every other reranker never
    see those pages."""
    if not type(reranker).unlabelled_pages or UNLABELLED not in data.splits:
        return train
    return train.concat(data[UNLABELLED].hide_labels())


def unlabelled_record(train: Split, view: Split, data: Dataset) -> dict[str, Any]:
    """The manifest's count of unlabelled pages given to the reranker (datasets that have some)."""
    if UNLABELLED not in data.splits:
        return {}
    return {
        "unlabelled_pages": {
            "available": data[UNLABELLED].n_queries,
            "used": train.n_queries - view.n_queries,
        }
    }
