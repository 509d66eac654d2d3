"""Reproduce a published learning-to-rank number: LambdaMART on ``letor:mq2008``, five folds,
NDCG@k under the LETOR 4.0 evaluation convention.

``python -m benchmark.tools.reproduce_letor [--out DIR] [--seeds N]`` runs the suite's
``lambdamart`` reranker at budget 100 % (every page label of ``page_train``/``page_valid``
revealed) on each
fold through the normal harness (cells are cached under ``DIR/runs``), then re-scores the saved
test runs the way LETOR 4.0's ``Eval-Score-4.0.pl`` (Jun Xu and Tie-Yan Liu, March 2009) does:

* gain ``2^label - 1`` (the script's table: 2 -> 3, 1 -> 1, 0 -> 0);
* discount 1 at ranks 1 and 2 and ``1 / log2(rank)`` from rank 3 on;
* a query without a relevant document scores 0 and IS counted in the mean;
* a query with fewer than k documents scores 0 at NDCG@k (the script computes NDCG only up to
  the list length and adds the undefined entries as 0): 403 of MQ2008's 784 queries have fewer
  than 10 documents, which is why LETOR's MQ2008 NDCG@10 is far below its NDCG@5;
* P@k counts labels 1 and 2 as relevant and a missing rank (fewer than k documents) as not
  relevant; AP is the mean of the precisions at the relevant ranks of the whole list, 0 without
  a relevant document (the script's ``PrecisionAtN`` and ``MAP``);
* the mean over a fold's test queries, then the mean over the five folds.

These are the columns of the published LETOR 4.0 baseline tables (NDCG@1/3/10, P@1/3/10, MAP).

The suite's own NDCG@10 (PROTOCOL §6: log2(rank + 1) discount, queries without a relevant
document excluded) is printed next to it. Ties: the saved run breaks score ties by item id, the
Perl script by file order; LambdaMART scores rarely tie.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from benchmark import configure_environment

KS = (1, 3, 5, 10)
PRECISION_KS = (1, 3, 10)
LETOR_COLUMNS = [f"NDCG@{k}" for k in KS] + [f"P@{k}" for k in PRECISION_KS] + ["MAP"]


def letor_ndcg(labels_in_rank_order: list[int], k: int) -> float:
    """NDCG@k of one ranked list exactly as ``Eval-Score-4.0.pl`` computes it."""
    n = len(labels_in_rank_order)
    if n < k:
        return 0.0

    def dcg(labels: list[int]) -> float:
        return sum(
            (2**lab - 1) / (1.0 if r < 2 else np.log2(r + 1)) for r, lab in enumerate(labels[:k])
        )

    best = dcg(sorted(labels_in_rank_order, reverse=True))
    return dcg(labels_in_rank_order) / best if best > 0 else 0.0


def letor_precision(labels_in_rank_order: list[int], k: int) -> float:
    """P@k as ``Eval-Score-4.0.pl``: labels > 0 relevant, ranks past the list not relevant."""
    return sum(lab > 0 for lab in labels_in_rank_order[:k]) / k


def letor_average_precision(labels_in_rank_order: list[int]) -> float:
    """AP over the whole list as ``Eval-Score-4.0.pl``; 0 without a relevant document."""
    hits, total = 0, 0.0
    for rank, lab in enumerate(labels_in_rank_order, start=1):
        if lab > 0:
            hits += 1
            total += hits / rank
    return total / hits if hits else 0.0


def evaluate_run(run_path: Path, qrels_path: Path) -> dict[str, float]:
    """Mean LETOR-convention NDCG@k, P@k and MAP over every query of the qrels."""
    from benchmark.pipeline.metrics import read_qrels, read_run

    qrels, run = read_qrels(qrels_path), read_run(run_path)
    scores: dict[str, list[float]] = {name: [] for name in LETOR_COLUMNS}
    for qid, judged in qrels.items():
        ranked = sorted(run[qid].items(), key=lambda item: -item[1])
        labels = [judged.get(doc, 0) for doc, _ in ranked]
        for k in KS:
            scores[f"NDCG@{k}"].append(letor_ndcg(labels, k))
        for k in PRECISION_KS:
            scores[f"P@{k}"].append(letor_precision(labels, k))
        scores["MAP"].append(letor_average_precision(labels))
    return {name: float(np.mean(values)) for name, values in scores.items()}


def run_folds(dataset: str, out: Path, seeds: int, folds: int) -> list[dict[str, float]]:
    """Run (or reuse) LambdaMART at 100 % on every fold; one row of metrics per fold."""
    from benchmark.pipeline import grid
    from benchmark.store import Store

    rows = []
    store = Store(out)
    for fold in range(1, folds + 1):
        cells = grid.plan(dataset, ["lambdamart"], [1.0], seeds, dataset_params={"fold": fold})
        outcome = grid.run(cells, store, progress=False)
        if any(not (r.run_dir / "run.trec").exists() for r in outcome.results):
            outcome = grid.run(cells, store, progress=False, force=True)  # packed: no run file
        if outcome.failures:
            raise RuntimeError(f"fold {fold}: {outcome.failures[0][1]}")
        per_seed = []
        for result in outcome.results:
            qrels = result.run_dir.parent.parent / result.manifest["qrels"]
            letor = evaluate_run(result.run_dir / "run.trec", qrels)
            letor["suite NDCG@10"] = result.manifest["mean"]["ndcg_burges@10"]
            per_seed.append(letor)
        rows.append({key: float(np.mean([r[key] for r in per_seed])) for key in per_seed[0]})
        rows[-1]["queries"] = (
            result.manifest["queries_evaluated"] + result.manifest["excluded_queries"]["count"]
        )
    return rows


def table(rows: list[dict[str, float]]) -> str:
    keys = [*LETOR_COLUMNS, "suite NDCG@10"]
    lines = ["| fold | test queries | " + " | ".join(keys) + " |", "|---" * (len(keys) + 2) + "|"]
    for fold, row in enumerate(rows, start=1):
        cells = " | ".join(f"{row[k]:.4f}" for k in keys)
        lines.append(f"| {fold} | {int(row['queries'])} | {cells} |")
    mean = " | ".join(f"**{np.mean([r[k] for r in rows]):.4f}**" for k in keys)
    lines.append(f"| mean | {sum(int(r['queries']) for r in rows)} | {mean} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmark.tools.reproduce_letor",
        description="LambdaMART on letor:mq2008, 5 folds, NDCG@k under the LETOR 4.0 "
        "evaluation convention (Eval-Score-4.0.pl).",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=Path("results"),
        help="results folder for the cells (default: results)",
    )
    parser.add_argument("--seeds", type=int, default=1, help="seeds per fold (default 1)")
    parser.add_argument("--dataset", default="letor:mq2008", help="default: letor:mq2008")
    args = parser.parse_args(argv)

    rows = run_folds(args.dataset, args.out, args.seeds, folds=5)
    print(
        f"LambdaMART (suite defaults) on {args.dataset} at budget 100 %, {args.seeds} seed(s) "
        "per fold; NDCG@k, P@k and MAP under the LETOR 4.0 convention (Eval-Score-4.0.pl: queries "
        "without relevant documents and queries with fewer than k documents count as 0); last "
        "column: the suite's NDCG@10 (PROTOCOL §6, such queries excluded).\n"
    )
    print(table(rows))
    return 0


if __name__ == "__main__":
    configure_environment()
    sys.exit(main())
