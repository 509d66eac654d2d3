"""Annotation in rounds: every round stays within its cumulative cap, the same config buys the
same labels, a strategy and its proxy never see a test label or an unbought one, and the
manifest records each round."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from benchmark.core.annotation import STRATEGIES, BudgetExceeded, Oracle, RoundState
from benchmark.pipeline import annotation as pipeline_annotation
from benchmark.pipeline.annotation import annotate, annotate_rounds
from benchmark.pipeline.harness import Prepared, run_cell
from benchmark.store import Store
from tests.conftest import tiny_config

ROUND_STRATEGIES = [n for n in STRATEGIES.names() if STRATEGIES.get(n).rounds > 1]


def labelled(tiny: Prepared) -> dict:
    return {s: tiny.dataset[s] for s in ("page_train", "page_valid")}


def test_there_are_round_strategies() -> None:
    assert {"uncertainty", "disagreement", "pages-active"} <= set(ROUND_STRATEGIES)


def test_oracle_round_caps_are_cumulative(tiny: Prepared) -> None:
    oracle = Oracle(labelled(tiny), 0.2)
    full = oracle.allowance["page_train"]
    oracle.open_round(0, 4)
    assert oracle.units_left("page_train") == full // 4
    with pytest.raises(BudgetExceeded):
        oracle.reveal("page_train", np.arange(full // 4 + 1))
    oracle.reveal("page_train", np.arange(full // 4))
    assert oracle.cost("page_train", np.arange(full // 4 + 2)) == 2
    oracle.open_round(3, 4)
    assert oracle.units_left("page_train") == full - full // 4


@pytest.mark.parametrize("name", ROUND_STRATEGIES)
@pytest.mark.parametrize("budget", [0.05, 0.2, 0.5])
def test_rounds_stay_within_their_caps(tiny: Prepared, name: str, budget: float) -> None:
    splits = labelled(tiny)
    caps = Oracle(splits, budget).allowance
    done = annotate_rounds(splits, name, budget, 3, tiny.layout)
    rounds = STRATEGIES.get(name).rounds
    assert [r["round"] for r in done.rounds] == list(range(rounds))
    spent = dict.fromkeys(splits, 0)
    for r, line in enumerate(done.rounds):
        for split, units in line["units"].items():
            spent[split] += units
            assert spent[split] <= caps[split] * (r + 1) // rounds
    for split, view in done.views.items():
        assert int((view.page_label >= 0).sum()) == spent[split] <= caps[split]


@pytest.mark.parametrize("name", ROUND_STRATEGIES)
def test_same_config_same_labels_other_seed_other_labels(tiny: Prepared, name: str) -> None:
    a = annotate_rounds(labelled(tiny), name, 0.3, 21, tiny.layout)
    b = annotate_rounds(labelled(tiny), name, 0.3, 21, tiny.layout)
    c = annotate_rounds(labelled(tiny), name, 0.3, 22, tiny.layout)
    for split in a.views:
        assert np.array_equal(a.views[split].page_label, b.views[split].page_label)
    assert not np.array_equal(a.views["page_train"].page_label, c.views["page_train"].page_label)


def test_a_proxy_strategy_needs_the_layout(tiny: Prepared) -> None:
    with pytest.raises(ValueError, match="layout"):
        annotate(labelled(tiny), "uncertainty", 0.2, 0)


@pytest.mark.parametrize("name", ROUND_STRATEGIES)
def test_strategy_and_proxy_never_see_test_or_unbought_labels(
    tiny: Prepared, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = STRATEGIES.get(name)
    seen: list[dict[str, Any]] = []

    def spy(split, oracle, fraction, rng, state: RoundState) -> np.ndarray:
        seen.append(
            {
                "split": split.name,
                "for_sale": set(oracle.cap),
                "page": set(split.page_label.tolist()),
                "modal": set(split.modal_label.tolist()),
                "others": {  # the state's splits: every label hidden too
                    int(v) for s in (state.splits or {}).values() for v in s.page_label
                }
                | {int(v) for s in (state.splits or {}).values() for v in s.modal_label},
                "scores": None if state.scores is None else state.scores.shape,
                "n": split.n_items,
                "round": state.round,
            }
        )
        return real.fn(split, oracle, fraction, rng, state)

    fitted: list[tuple[str, set[int]]] = []
    make = pipeline_annotation.make_reranker

    def spying_make(name: str, params: dict[str, Any] | None = None) -> Any:
        model = make(name, params)
        fit, score = model.fit, model.score

        def fit_spy(train, valid, **kw):  # type: ignore[no-untyped-def]
            fitted.append((train.name, set((train.modal_label).tolist())))
            fitted.append((valid.name, set((valid.modal_label).tolist())))
            return fit(train, valid, **kw)

        def score_spy(split):  # type: ignore[no-untyped-def]
            fitted.append((split.name, set(split.modal_label.tolist())))
            return score(split)

        model.fit, model.score = fit_spy, score_spy  # type: ignore[method-assign]
        return model

    monkeypatch.setitem(STRATEGIES.entries, name, replace(real, fn=spy))
    monkeypatch.setattr(pipeline_annotation, "make_reranker", spying_make)
    annotate_rounds(labelled(tiny), name, 0.3, 4, tiny.layout)
    assert {s["split"] for s in seen} == {"page_train", "page_valid"}
    assert all(s["for_sale"] == {"page_train", "page_valid"} for s in seen)
    assert all(s["page"] == {-1} and s["modal"] == {-1} and s["others"] == {-1} for s in seen)
    later = [s for s in seen if s["round"] > 0]
    scored = real.proxy.scored if real.proxy else ()
    assert later and all(
        s["scores"][1] == s["n"] if s["split"] in scored else s["scores"] is None for s in later
    )
    assert (fitted or real.proxy is None) and {n for n, _ in fitted} <= {"page_train", "page_valid"}
    assert all(modal == {-1} for _, modal in fitted)


def test_manifest_records_each_round(tmp_path: Path, cache) -> None:
    config = tiny_config("lambdamart", 0.2, "uncertainty", 0)
    manifest = run_cell(config, Store(tmp_path), cache).manifest
    rounds = manifest["annotation"]["rounds"]
    assert [r["round"] for r in rounds] == [0, 1, 2, 3]
    assert sum(sum(r["units"].values()) for r in rounds) == manifest["annotation"]["units_used"]
    assert all(r["proxy_fit_s"] > 0 for r in rounds[:-1]) and rounds[-1]["proxy_fit_s"] == 0
    assert set(rounds[0]["units"]) == {"page_train", "page_valid"}
    one = run_cell(tiny_config("lambdamart", 0.2, "pages", 0), Store(tmp_path), cache).manifest
    assert len(one["annotation"]["rounds"]) == 1
