"""Reproduce published LETOR numbers: the suite's rerankers at budget 100 % on a plain ``letor:``
dataset, five-fold cross-validated (``fold=all``, one run), each fold's saved test run re-scored
under the convention of LETOR's evaluation script (:mod:`benchmark.tools.letor_eval`).

``python -m benchmark.tools.reproduce_letor [--dataset letor:ohsumed] [--rerankers
lambdamart,allrank] [--seeds N] [--convention 3.0|4.0] [--out DIR]``

* ``letor:ohsumed`` (LETOR 3.0) is scored as ``Eval-Score-3.0.pl`` does, beside the four LETOR
  3.0 baselines (RankSVM, RankBoost, ListNet, AdaRank-MAP) as quoted in the suite's ANCHORS;
* ``letor:mq2008`` (LETOR 4.0) as ``Eval-Score-4.0.pl`` does (no published MQ2008 table could be
  retrieved: none is printed).

Each fold's figure is the mean over its test queries (every query, as the scripts count them),
averaged over seeds; the table's last row is the mean over the five folds, as LETOR reports.
The last column is the suite's own NDCG@10 (PROTOCOL §6: log2(rank + 1) discount, queries
without a relevant document excluded), pooled over the test queries of all folds.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import numpy as np

from benchmark import configure_environment
from benchmark.tools.letor_eval import evaluate, ranked_labels

SUITE = "suite NDCG@10"
COLUMNS = {
    "3.0": ["NDCG@1", "NDCG@3", "NDCG@5", "NDCG@10", "P@1", "P@3", "P@5", "P@10", "MAP"],
    "4.0": ["NDCG@1", "NDCG@3", "NDCG@5", "NDCG@10", "P@1", "P@3", "P@10", "MAP"],
}
CONVENTION = {"ohsumed": "3.0", "mq2008": "4.0"}
#: ANCHORS.md: "Baselines on LETOR3.0" (Microsoft Research), as quoted in honbaa/RankBCA at
#: 0908f51fc547ec4c39585918523a5853e40be6ad, RankBCA_OHSUMED_Thread_Cross/src/test/
#: ParallelRankBCAClient.java (a secondary transcription); mean over the 5 test folds,
#: Eval-Score-3.0.pl, OHSUMED QueryLevelNorm. Columns as COLUMNS["3.0"].
PUBLISHED = {
    "ohsumed": {
        "RankSVM": (0.4958, 0.4207, 0.4164, 0.4140, 0.5974, 0.5427, 0.5319, 0.4864, 0.4334),
        "RankBoost": (0.4632, 0.4555, 0.4494, 0.4302, 0.5576, 0.5609, 0.5447, 0.4966, 0.4411),
        "ListNet": (0.5326, 0.4732, 0.4432, 0.4410, 0.6524, 0.6016, 0.5502, 0.4975, 0.4457),
        "AdaRank-MAP": (0.5388, 0.4682, 0.4613, 0.4429, 0.6338, 0.5895, 0.5674, 0.4976, 0.4487),
    }
}


def run_cells(dataset: str, rerankers: list[str], seeds: int, out: Path) -> list[Any]:
    """Run (or reuse) every reranker at 100 % on every fold; a packed cell (no run file) is
    recomputed, which gives the same numbers."""
    from benchmark.pipeline import grid
    from benchmark.store import Store

    store = Store(out)
    cells = grid.plan(dataset, rerankers, [1.0], seeds, dataset_params={"fold": "all"})
    grid.mark_datasets(cells, store)
    outcome = grid.run(cells, store, progress=False)
    if any(not (r.run_dir / "run.trec").exists() for r in outcome.results):
        outcome = grid.run(cells, store, progress=False, force=True)
    if outcome.failures:
        raise RuntimeError(f"{outcome.failures[0][0].reranker}: {outcome.failures[0][1]}")
    return list(outcome.results)


def score_cell(result: Any, version: str) -> dict[str, float]:
    """One cell's test run under the script's convention (means over its test queries)."""
    from benchmark.pipeline.metrics import read_qrels, read_run

    qrels = read_qrels(result.run_dir.parent.parent / result.manifest["qrels"])
    run = read_run(result.run_dir / "run.trec")
    return evaluate({q: ranked_labels(judged, run[q]) for q, judged in qrels.items()}, version)


def fold_rows(results: list[Any], reranker: str, version: str) -> list[dict[str, float]]:
    """One row per fold (means over seeds) of ``reranker``'s cells."""
    rows = []
    mine = [r for r in results if r.config.reranker == reranker]
    for fold in sorted({r.config.dataset_params["fold"] for r in mine}):
        cells = [r for r in mine if r.config.dataset_params["fold"] == fold]
        scored = [score_cell(r, version) for r in cells]
        row = {k: float(np.mean([s[k] for s in scored])) for k in COLUMNS[version]}
        row["queries"] = len(read_queries(cells[0]))
        rows.append(row)
    return rows


def read_queries(result: Any) -> set[str]:
    from benchmark.pipeline.metrics import read_qrels

    return set(read_qrels(result.run_dir.parent.parent / result.manifest["qrels"]))


def suite_ndcg(results: list[Any], reranker: str) -> float:
    """The suite's NDCG@10 over the test queries of all folds (mean over seeds)."""
    from benchmark.reporting.rows import group_rows

    (row,) = group_rows([r.cell for r in results if r.config.reranker == reranker])
    return row.mean()


def table(name: str, rows: list[dict[str, float]], version: str) -> str:
    keys = COLUMNS[version]
    lines = [f"| {name}: fold | test queries | " + " | ".join(keys) + " |"]
    lines.append("|---" * (len(keys) + 2) + "|")
    for fold, row in enumerate(rows, start=1):
        cells = " | ".join(f"{row[k]:.4f}" for k in keys)
        lines.append(f"| {fold} | {int(row['queries'])} | {cells} |")
    mean = " | ".join(f"**{np.mean([r[k] for r in rows]):.4f}**" for k in keys)
    lines.append(f"| mean of folds | {sum(int(r['queries']) for r in rows)} | {mean} |")
    return "\n".join(lines)


def comparison(
    means: dict[str, dict[str, float]], suite: dict[str, float], name: str, version: str
) -> str:
    """Our rerankers' mean over folds beside the published rows of the dataset (if any)."""
    keys = COLUMNS[version]
    lines = ["| algorithm | " + " | ".join(keys) + f" | {SUITE} |", "|---" * (len(keys) + 2) + "|"]
    for algo, values in PUBLISHED.get(name, {}).items():
        lines.append(f"| {algo} (published) | " + " | ".join(f"{v:.4f}" for v in values) + " | |")
    for algo, row in means.items():
        cells = " | ".join(f"{row[k]:.4f}" for k in keys)
        lines.append(f"| {algo} (this suite) | {cells} | {suite[algo]:.4f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmark.tools.reproduce_letor",
        description="Rerankers at budget 100 % on a plain letor: dataset, 5-fold "
        "cross-validated, scored under LETOR's evaluation-script convention.",
    )
    parser.add_argument("--dataset", default="letor:ohsumed", help="default: letor:ohsumed")
    parser.add_argument("--rerankers", default="lambdamart", help="default: lambdamart")
    parser.add_argument("--seeds", type=int, default=3, help="seeds per fold (default 3)")
    parser.add_argument(
        "--convention", choices=sorted(COLUMNS), help="3.0 or 4.0 (default: the dataset's)"
    )
    parser.add_argument("--out", type=Path, default=Path("results"), help="default: results")
    args = parser.parse_args(argv)
    name = args.dataset.partition(":")[2]
    version = args.convention or CONVENTION.get(name, "4.0")
    rerankers = [r.strip() for r in args.rerankers.split(",")]
    results = run_cells(args.dataset, rerankers, args.seeds, args.out)
    means, suite = {}, {}
    print(
        f"{args.dataset}, 5 folds, budget 100 %, {args.seeds} seed(s) per fold; figures under "
        f"Eval-Score-{version}.pl's convention (every test query counts; mean over the queries "
        f"of a fold, then over the folds); {SUITE}: PROTOCOL §6, pooled over all folds.\n"
    )
    for reranker in rerankers:
        rows = fold_rows(results, reranker, version)
        print(table(reranker, rows, version) + "\n")
        means[reranker] = {k: float(np.mean([r[k] for r in rows])) for k in COLUMNS[version]}
        suite[reranker] = suite_ndcg(results, reranker)
    print(comparison(means, suite, name, version))
    return 0


if __name__ == "__main__":
    configure_environment()
    sys.exit(main())
