"""Unlabelled pages (synthetic-serp ``unlabelled_ratio``, docs/protocol.md): the oracle never sells
their labels, SFT never sees them, the SMAR family distils on them; off by default."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest

from benchmark.core.annotation import ANNOTATED_SPLITS, Oracle
from benchmark.core.config import CellConfig
from benchmark.core.data import UNLABELLED
from benchmark.store import Store
from tests.conftest import TINY, tiny_config

WITH = {**TINY, "unlabelled_ratio": 2}
FAST = {"max_rounds": 2, "betas": [1.0]}


def cell(reranker: str, budget: float, params: dict, data: dict) -> CellConfig:
    strategy = "middle" if reranker.startswith("smar") else "pages"
    params = {k: v for k, v in params.items() if k != "betas" or reranker.startswith("smar")}
    return dataclasses.replace(tiny_config(reranker, budget, strategy, 0, data), params=params)


def test_the_split_has_no_label_and_is_disjoint(cache) -> None:
    data = cache.get("synthetic-serp", WITH).dataset
    extra = data[UNLABELLED]
    labelled = data["page_train"].n_queries + data["page_valid"].n_queries
    assert extra.n_queries == 2 * labelled
    assert (extra.page_label == -1).all() and (extra.modal_label == -1).all()
    assert np.isfinite(extra.g_score).all()  # stage 1 scored them: g^m exists for distillation
    others = np.concatenate([s.qids for name, s in data.splits.items() if name != UNLABELLED])
    assert not set(extra.qids.tolist()) & set(others.tolist())
    assert UNLABELLED not in cache.get("synthetic-serp", TINY).dataset.splits


def test_the_oracle_never_sells_them(cache) -> None:
    data = cache.get("synthetic-serp", WITH).dataset
    with pytest.raises(ValueError, match="only sells labels"):
        Oracle({UNLABELLED: data[UNLABELLED]}, 1.0)
    assert UNLABELLED not in ANNOTATED_SPLITS


@pytest.mark.parametrize(("reranker", "used"), [("sft", False), ("smar", True)])
def test_who_gets_them(tmp_path: Path, cache, reranker: str, used: bool) -> None:
    """At 100 % the oracle sells page_train + page_valid only; SFT's fit gets none of the
    unlabelled pages, SMAR's all of them (the manifest counts them)."""
    from benchmark.pipeline.harness import run_cell

    done = run_cell(cell(reranker, 1.0, FAST, WITH), Store(tmp_path), cache)
    manifest = json.loads((done.run_dir / "manifest.json").read_text())
    data = cache.get("synthetic-serp", WITH).dataset
    items = sum(data[name].n_items for name in ANNOTATED_SPLITS)
    assert manifest["annotation"]["units_used"] == manifest["annotation"]["units_total"] == items
    available = data[UNLABELLED].n_queries
    assert manifest["unlabelled_pages"] == {"available": available, "used": available * used}


@pytest.mark.parametrize(("reranker", "sees"), [("sft", False), ("smar", True)])
def test_what_fit_sees(tmp_path: Path, cache, monkeypatch, reranker: str, sees: bool) -> None:
    """A spy on the network's fit: SFT's training and validation pages never include an
    unlabelled page; SMAR's training pages include all of them, with no label."""
    from baselines.smar_train import PageNetReranker
    from benchmark.pipeline.harness import run_cell

    seen: list = []
    fit = PageNetReranker.fit

    def spy(self, train, valid, **kwargs):
        seen.append((train, valid))
        return fit(self, train, valid, **kwargs)

    monkeypatch.setattr(PageNetReranker, "fit", spy)
    run_cell(cell(reranker, 0.3, FAST, WITH), Store(tmp_path), cache)
    extra = set(cache.get("synthetic-serp", WITH).dataset[UNLABELLED].qids.tolist())
    ((train, valid),) = seen
    assert not extra & set(valid.qids.tolist())
    assert (extra <= set(train.qids.tolist())) is sees
    assert bool(extra & set(train.qids.tolist())) is sees
    rows = np.isin(train.qids[train.query_index], list(extra))
    assert (train.page_label[rows] == -1).all()


def test_smar_fit_receives_them(cache, monkeypatch) -> None:
    """The SMAR family's training split is page_train followed by the unlabelled pages, with
    every label of those pages unknown."""
    from baselines.smar import SMAR
    from benchmark.pipeline.annotation import with_unlabelled

    data = cache.get("synthetic-serp", WITH).dataset
    train = with_unlabelled(data["page_train"].hide_labels(), SMAR(), data)
    extra = data[UNLABELLED]
    assert train.n_queries == data["page_train"].n_queries + extra.n_queries
    assert train.qids[-extra.n_queries :].tolist() == extra.qids.tolist()
    assert (train.page_label[-extra.n_items :] == -1).all()
    train.validate()


def test_the_parameters_are_listed(capsys) -> None:
    """``datasets`` and ``run --help`` name the regime parameters; ``list`` the bandsel variant."""
    from benchmark.cli import main

    assert main(["datasets"]) == 0
    listed = capsys.readouterr().out
    assert "unlabelled_ratio" in listed and "labelled_pages" in listed
    main(["run", "--help"])  # argparse's help exits; the CLI turns that into a return code
    assert "unlabelled_ratio" in capsys.readouterr().out
    assert main(["list"]) == 0
    assert "smar-bandsel" in capsys.readouterr().out
