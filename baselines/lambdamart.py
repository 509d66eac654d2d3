"""``lambdamart``: LightGBM lambdarank on the revealed page labels."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

import lightgbm as lgb
import numpy as np

from baselines.common import learned_features, revealed_features
from benchmark.core.data import Split
from benchmark.core.params import Range, above
from benchmark.core.reranker import Layout, Reranker, register


@register("lambdamart")
@dataclass
class LambdaMART(Reranker):
    """LightGBM ``lambdarank`` on the rows whose page label was revealed; features from
    :func:`baselines.common.learned_features`. Early stopping on NDCG@10 of the revealed
    ``page_valid`` labels (without any, ``num_boost_round`` rounds are trained)."""

    cost = 5.0  # relative cell time (work order only)

    description = "budgeted: LightGBM lambdarank on item, query, modality and g^m features"
    in_default_run = True
    default_strategy = "pages"
    inputs = "item + query features, modality one-hot, g^m (raw, in-page rank and min-max)"
    objective = "LambdaRank (|delta NDCG|-weighted pairwise logistic) on the revealed labels"
    num_boost_round: int = 500
    early_stopping_rounds: int = 50
    learning_rate: float = 0.05
    num_leaves: int = 31
    min_data_in_leaf: int = 20
    feature_fraction: float = 0.9
    truncation_level: int = 13
    # One thread: on the 2-core machine LambdaMART@100% fits in 1.5 s with 1 thread, 1.1 s with
    # 2 busy-waiting OpenMP threads when the machine is idle, but 7-11 s with 2 threads in a
    # process that also runs torch or on a loaded machine (measured in this repository).
    num_threads: int = 1
    #: LightGBM's own limits (its parameter docs: learning_rate > 0, 1 < num_leaves <= 131072,
    #: 0 < feature_fraction <= 1, lambdarank_truncation_level > 0), checked at parse time
    ranges: ClassVar[dict[str, Range]] = {
        "learning_rate": above(0),
        "num_leaves": Range(1, 131072, open_low=True),
        "feature_fraction": Range(0, 1, open_low=True),
        "truncation_level": above(0),
    }

    def lgb_params(self, seed: int) -> dict[str, Any]:
        return {
            "objective": "lambdarank",
            "metric": "ndcg",
            "eval_at": [10],
            "learning_rate": self.learning_rate,
            "num_leaves": self.num_leaves,
            "min_data_in_leaf": self.min_data_in_leaf,
            "feature_fraction": self.feature_fraction,
            "lambdarank_truncation_level": self.truncation_level,
            "num_threads": self.num_threads,
            "deterministic": True,
            "force_row_wise": True,
            "seed": seed,
            "verbosity": -1,
        }

    def fit(self, train: Split, valid: Split, *, layout: Layout, seed: int) -> LambdaMART:
        self.layout_ = layout
        x, y, sizes = revealed_features(train, layout)
        if len(y) == 0:
            raise ValueError("lambdamart: the budget revealed no page_train labels")
        data = lgb.Dataset(x, y, group=sizes)
        xv, yv, vsizes = revealed_features(valid, layout)
        valid_sets: list[lgb.Dataset] = []
        callbacks: list[Callable[..., Any]] = []
        if len(yv):
            valid_sets = [lgb.Dataset(xv, yv, group=vsizes, reference=data)]
            callbacks = [lgb.early_stopping(self.early_stopping_rounds, verbose=False)]
        self.booster_ = lgb.train(
            self.lgb_params(seed),
            data,
            self.num_boost_round,
            valid_sets=valid_sets,
            callbacks=callbacks,
        )
        return self

    def score(self, split: Split) -> np.ndarray:
        x = learned_features(split, self.layout_)
        best = self.booster_.best_iteration or None
        return np.asarray(self.booster_.predict(x, num_iteration=best), dtype=np.float64)

    def fit_info(self) -> dict[str, Any]:
        return {
            "best_iteration": int(self.booster_.best_iteration),
            "trees": int(self.booster_.num_trees()),
        }
