"""``bandsel``: SMAR's band position (top or middle) chosen per cell on the revealed
``page_valid`` labels, within the budget (the default strategy of ``smar-bandsel``).

What it buys. Rounds: two, each spending up to half of every split's allowance (the oracle's
round caps), page_train before page_valid in each:

* ``page_valid``: random unrevealed items, spread evenly over the pages (band-neutral, so the
  two bands are judged on the same labels, and the network's early stopping sees every rank).
* ``page_train``, round 0 (the pilot): a random half of the pages gets the top band of relative
  width B of each modality's g^m ranking, the other half the middle band (:mod:`strategies.bands`).
* Between the rounds, each band's pilot labels fit a per-modality calibration ``a_m + b_m z``
  (``z``: g^m standardised per modality on page_train; least squares on that band's revealed
  items), which scores ``page_valid``; the band with the higher NDCG@10 on the revealed
  ``page_valid`` labels is chosen (ties: middle, the released code's band).
* ``page_train``, round 1: the chosen band on the pages that had the other one.

So every page ends with the chosen band, and half of them with the other band as well. Within a
modality the calibration keeps the g^m order: the choice measures which band's labels place the
modalities better against each other, the part of the page order SMAR takes from labels.
"""

from __future__ import annotations

import warnings

import numpy as np

from benchmark.core.annotation import (
    NO_PAIRS,
    STRATEGIES,
    Oracle,
    RoundState,
    Strategy,
    buy_whole_requests,
)
from benchmark.core.data import Split
from benchmark.core.ndcg import revealed_ndcg
from strategies.bands import band_rows

POSITIONS = ("top", "middle")


def spread_items(split: Split, oracle: Oracle, rng: np.random.Generator) -> None:
    """Buy random unrevealed rows, the pages taking turns, until the round's cap."""
    unknown = np.flatnonzero(oracle.revealed_labels(split.name) < 0)
    order = rng.permutation(unknown)
    page = split.query_index[order]
    turn = np.empty(len(order), np.int64)
    for q in np.unique(page):
        turn[page == q] = np.arange(int((page == q).sum()))
    rows = order[np.argsort(turn, kind="stable")][: max(0, oracle.units_left(split.name))]
    oracle.reveal(split.name, rows)


def calibrated(train: Split, labels: np.ndarray, rows: np.ndarray, other: Split) -> np.ndarray:
    """Scores ``a_m + b_m z`` of ``other``'s rows, fitted on ``train``'s ``rows``."""
    scores = np.zeros(other.n_items)
    for m in np.unique(train.modality):
        own, theirs = train.modality == m, other.modality == m
        mu, sd = train.g_score[own].mean(), train.g_score[own].std() or 1.0
        fit = rows[train.modality[rows] == m]
        z = (train.g_score[fit] - mu) / sd
        y = labels[fit].astype(np.float64)
        with warnings.catch_warnings():  # a near-constant z: polyfit warns, the slope is ~0
            warnings.simplefilter("ignore", np.exceptions.RankWarning)
            slope = np.polyfit(z, y, 1)[0] if len(fit) > 1 and z.std() > 0 else 0.0
        intercept = y.mean() - slope * z.mean() if len(fit) else 0.0
        scores[theirs] = intercept + slope * (other.g_score[theirs] - mu) / sd
    return scores


def choose(train: Split, valid: Split, oracle: Oracle, fraction: float) -> str:
    """The band whose pilot labels calibrate page_valid better (ties: middle)."""
    labels = oracle.revealed_labels(train.name)
    seen = valid.replace(page_label=oracle.revealed_labels(valid.name))
    quality = {}
    for position in POSITIONS:
        pages = band_rows(train, position, fraction)
        piloted = [r for r in pages if len(r) and (labels[r] >= 0).all()]
        rows = np.concatenate(piloted or [np.zeros(0, np.int64)])
        quality[position] = revealed_ndcg(seen, calibrated(train, labels, rows, valid))
    return "top" if quality["top"] > quality["middle"] else "middle"


def buy(
    split: Split, oracle: Oracle, fraction: float, rng: np.random.Generator, state: RoundState
) -> np.ndarray:
    if split.name != "page_train":
        spread_items(split, oracle, rng)
        return NO_PAIRS
    if state.round == 0:
        half = rng.permutation(split.n_queries) < split.n_queries // 2
        bands = {p: band_rows(split, p, fraction) for p in POSITIONS}
        requests = [bands["top"][k] if half[k] else bands["middle"][k] for k in range(len(half))]
        buy_whole_requests(split, oracle, requests, rng)
        return NO_PAIRS
    assert state.splits is not None
    band = choose(split, state.splits["page_valid"], oracle, fraction)
    labels = oracle.revealed_labels(split.name)
    requests = [r for r in band_rows(split, band, fraction) if not (labels[r] >= 0).all()]
    buy_whole_requests(split, oracle, requests, rng)
    return NO_PAIRS


STRATEGIES.register("bandsel")(
    Strategy(
        "bandsel",
        "SMAR band (top or middle) chosen per cell on revealed page_valid labels: half the "
        "budget pilots both bands, the rest goes to the better one",
        buy,
        rounds=2,
    )
)
