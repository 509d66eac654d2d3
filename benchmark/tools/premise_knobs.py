"""Measure what synthetic-serp's premise knobs do to the single-modal stage (a measurement, not
a test): ``python -m benchmark.tools.premise_knobs [--n-queries N]`` prints a Markdown table.

For each setting (one knob at 2-3 levels, then every knob at its largest premise-map level):

* g^m: stage 1 exactly as the harness runs it (same seed derivation); within-modality NDCG@10
  on test against the modal labels and against the page labels (the harness's diagnostics);
* page-data ranker: the same LightGBM, trained instead on page_train's (sold) page labels and
  the reranker view, scored on test's reranker view: what the page-labelled data alone teach
  about each modality's order, i.e. the knowledge g^m could add;
* the share of inverted within-modality pairs on test (gold labels) and on page_train (the
  labels the oracle sells);
* time of generation and of stage 1: wall seconds, and in brackets this process's CPU seconds
  (everything is single-threaded, so on a machine shared with other work the CPU time is
  what the step costs and the wall time what it took).

NDCG columns average web, image and video (the answer has at most one item per page).
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import numpy as np

from benchmark import configure_environment

SETTINGS: list[dict[str, Any]] = [
    {},
    {"modal_ratio": 1.0},
    {"modal_ratio": 10.0},
    {"modal_ratio": 30.0},
    {"view_noise": 0.5},
    {"view_noise": 1.0},
    {"view_keep": 0.5},
    {"view_keep": 0.25},
    {"annotator_noise": 0.1},
    {"annotator_noise": 0.2},
    {"context_effect": 0.5},
    {"context_effect": 1.0},
    {"feature_complexity": 1.0},
    {"feature_complexity": 2.0},
    {"feature_complexity": 2.0, "modal_ratio": 1.0},
    {"feature_complexity": 2.0, "modal_ratio": 30.0},
    {
        "modal_ratio": 30.0,
        "view_noise": 1.0,
        "annotator_noise": 0.2,
        "context_effect": 1.0,
        "feature_complexity": 2.0,
    },
]
RANKED = ("web", "image", "video")
DEFAULT_QUERIES = 5000
HEADER = (
    "| setting | modal_train queries | g^m vs modal | g^m vs page | page-data ranker vs page "
    "| inverted (test) | inverted (page_train) | generate s (cpu) | stage 1 s (cpu) |\n"
    "|---|---|---|---|---|---|---|---|---|"
)


def mean_ndcg(diag: dict[str, dict[str, float]], key: str) -> float:
    return float(np.mean([diag[m][key] for m in RANKED]))


def page_data_ranker(data: Any, seed: int) -> dict[str, dict[str, float]]:
    """Stage 1 run on page_train's page labels and the reranker view (no modal data at all)."""
    from benchmark.core.data import Dataset
    from benchmark.pipeline.stage1 import add_g_scores

    train = data["page_train"]
    empty = train.select_queries(np.zeros(0, dtype=np.int64))
    splits = {
        "modal_train": train.replace(modal_label=train.page_label, modal_features=None),
        "page_train": empty,
        "page_valid": empty,
        "test": data["test"].replace(modal_features=None),
    }
    relabelled = Dataset(data.name, data.modalities, data.feature_modality, splits)
    return add_g_scores(relabelled, seed)[1]


def measure(params: dict[str, Any], n_queries: int) -> str:
    """One table row for the dataset ``synthetic-serp`` with ``params``."""
    from benchmark.core.config import derive_seed
    from benchmark.pipeline.stage1 import add_g_scores
    from datasets.synthetic_knobs import inverted_share
    from datasets.synthetic_serp import SyntheticSerp

    # the dataset parameters as the CLI would pass them, so stage 1 gets the harness's seed
    given = params if n_queries == DEFAULT_QUERIES else {**params, "n_queries": n_queries}
    t0 = (time.perf_counter(), time.process_time())
    data = SyntheticSerp(**given).generate()
    t1 = (time.perf_counter(), time.process_time())
    seed = derive_seed("stage1", "synthetic-serp", given)
    _, diag = add_g_scores(data, seed)
    t2 = (time.perf_counter(), time.process_time())
    page = page_data_ranker(data, seed)
    name = ", ".join(f"{k}={v:g}" for k, v in params.items()) or "defaults"
    cells = [
        name,
        str(data["modal_train"].n_queries),
        f"{mean_ndcg(diag, 'ndcg@10_modal_label'):.3f}",
        f"{mean_ndcg(diag, 'ndcg@10_page_label'):.3f}",
        f"{mean_ndcg(page, 'ndcg@10_page_label'):.3f}",
        f"{inverted_share(data['test']):.3f}",
        f"{inverted_share(data['page_train']):.3f}",
        f"{t1[0] - t0[0]:.1f} ({t1[1] - t0[1]:.1f})",
        f"{t2[0] - t1[0]:.1f} ({t2[1] - t1[1]:.1f})",
    ]
    return "| " + " | ".join(cells) + " |"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmark.tools.premise_knobs")
    parser.add_argument(
        "--n-queries", type=int, default=DEFAULT_QUERIES, help="queries (default 5000)"
    )
    args = parser.parse_args(argv)
    configure_environment()
    measure({}, 200)  # warm-up: load LightGBM and ranx's compiled metrics before timing
    print(f"synthetic-serp, n_queries={args.n_queries}, seed 0\n\n{HEADER}")
    for params in SETTINGS:
        print(measure(params, args.n_queries), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
