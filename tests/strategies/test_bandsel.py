"""``bandsel`` (smar-bandsel's strategy): within the budget, a pilot of both bands, the choice
made on the revealed page_valid labels, the chosen band on every page_train page."""

from __future__ import annotations

import numpy as np
import pytest

from benchmark.core.annotation import allowance
from benchmark.pipeline.annotation import annotate_rounds
from strategies.bands import band_rows
from strategies.bandsel import calibrated, choose


@pytest.fixture(scope="module")
def splits(tiny):
    return {name: tiny.dataset[name] for name in ("page_train", "page_valid")}


def chosen_band(views, fraction: float) -> str:
    labels = views["page_train"].page_label
    full = {
        p: sum(bool((labels[r] >= 0).all()) for r in band_rows(views["page_train"], p, fraction))
        for p in ("top", "middle")
    }
    return max(full, key=full.__getitem__)


@pytest.mark.parametrize("fraction", [0.1, 0.3])
def test_budget_and_bands(splits, fraction: float) -> None:
    done = annotate_rounds(splits, "bandsel", fraction, seed=7)
    for name, split in splits.items():
        spent = int((done.views[name].page_label >= 0).sum())
        assert spent <= allowance(fraction, split.n_items)
    train = done.views["page_train"]
    band = chosen_band(done.views, fraction)
    other = "top" if band == "middle" else "middle"
    share = {
        p: np.mean([(train.page_label[r] >= 0).all() for r in band_rows(train, p, fraction)])
        for p in (band, other)
    }
    # the chosen band on the pages the budget reaches, the other band on part of the pilot
    # half only (the bands' one-item-per-modality minimum makes both wider than B)
    assert share[band] > 0.4 and 0.1 < share[other] < share[band]
    plain = annotate_rounds(splits, "middle", fraction, seed=7).views["page_train"]
    assert (train.page_label >= 0).sum() >= 0.9 * (plain.page_label >= 0).sum()
    assert done.rounds[0]["units"]["page_train"] > 0 and done.rounds[1]["units"]["page_train"] > 0


def test_page_valid_labels_spread_over_pages(splits) -> None:
    done = annotate_rounds(splits, "bandsel", 0.3, seed=7)
    valid = done.views["page_valid"]
    counts = np.add.reduceat((valid.page_label >= 0).astype(int), valid.offsets[:-1])
    share = counts / valid.group_sizes
    assert share.max() - share.min() < 0.5  # band-neutral: every page gets some, none all


def test_same_seed_same_labels(splits) -> None:
    a = annotate_rounds(splits, "bandsel", 0.1, seed=3).views["page_train"].page_label
    b = annotate_rounds(splits, "bandsel", 0.1, seed=3).views["page_train"].page_label
    assert np.array_equal(a, b)


def test_calibration_recovers_a_linear_label_model(splits) -> None:
    """Labels exactly 1 + 2 z in one modality: the fitted scores of the rows are the labels."""
    train = splits["page_train"]
    own = train.modality == 0
    z = (train.g_score - train.g_score[own].mean()) / train.g_score[own].std()
    labels = np.where(own, 1 + 2 * z, 0.0)
    rows = np.flatnonzero(own)
    scores = calibrated(train, labels, rows, train)
    assert np.allclose(scores[own], labels[own])


def test_choice_follows_validation(splits, monkeypatch) -> None:
    """choose() picks whichever band scores the higher revealed page_valid NDCG."""
    import strategies.bandsel as module

    done = annotate_rounds(splits, "bandsel", 0.3, seed=7)

    class Seen:
        def revealed_labels(self, name):
            return done.views[name].page_label

    monkeypatch.setattr(module, "calibrated", lambda t, lab, rows, v: np.zeros(v.n_items))
    for top, expected in ((0.9, "top"), (0.1, "middle"), (0.5, "middle")):
        quality = iter([top, 0.5])  # choose() scores top, then middle
        monkeypatch.setattr(module, "revealed_ndcg", lambda s, sc, q=quality: next(q))
        picked = choose(splits["page_train"], splits["page_valid"], Seen(), 0.3)  # type: ignore[arg-type]
        assert picked == expected
