"""Validation evidence for a default: run reranker configurations through the normal harness
and tabulate the ``page_valid`` NDCG@10 their fits recorded, never a test-split number.

``python -m benchmark.tools.valid_choice --budgets 10% --seeds 3 --out /tmp/vc \\
'smar:{"betas": [0.1]}' 'smar:{"betas": [0.3]}'`` plans each configuration (``name`` or
``name:{json parameters}``) with :func:`benchmark.pipeline.grid.plan` (no 100 % references),
runs the cells with :func:`benchmark.pipeline.grid.run` into ``--out`` (a scratch folder: cells
are cached there like any results folder) and prints one Markdown row per (configuration,
budget): mean ± std over seeds of the NDCG@10 on the revealed ``page_valid`` labels that the
cell's ``fit_info`` records, with the weights chosen and the training rounds.

What the figure is: the network rerankers' ``fit_info`` holds the validation NDCG@10 of each
weight candidate at its best round (:mod:`baselines.smar_train`); the row reports the chosen
candidate's, so a configuration with a grid is the best of several and slightly optimistic
against a fixed one. allRank records ``best_valid_ndcg@10``; a reranker that records none (the
fusions, LambdaMART) gets a dash. The figure is computed on the labels the budget revealed in
``page_valid``, so rows are comparable only at the same budget and strategy.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from benchmark import configure_environment
from benchmark.core.arguments import budget_arg, key_value

if TYPE_CHECKING:
    from benchmark.pipeline.harness import DatasetCache

Config = tuple[str, dict[str, Any]]


def config_arg(text: str) -> Config:
    """``smar`` or ``smar:{"betas": [0.3]}`` -> (name, parameters)."""
    name, sep, raw = text.partition(":")
    try:
        params = json.loads(raw) if sep else {}
    except json.JSONDecodeError as exc:
        raise argparse.ArgumentTypeError(f"{text!r}: parameters are not JSON ({exc})") from None
    if not isinstance(params, dict):
        raise argparse.ArgumentTypeError(f"{text!r}: parameters must be a JSON object")
    return name.strip(), params


def chosen_entry(info: dict[str, Any]) -> dict[str, Any] | None:
    """The ``fit_info["grid"]`` entry of the weights the fit kept (``None`` without a grid)."""
    for entry in info.get("grid", []):
        weights = {k: v for k, v in entry.items() if k not in ("valid_ndcg@10", "rounds")}
        if weights == info["chosen"]:
            return dict(entry)
    return None


def valid_ndcg(info: dict[str, Any]) -> float | None:
    """The page_valid NDCG@10 a fit recorded for the model it kept (``None``: not recorded)."""
    entry = chosen_entry(info)
    value = info.get("best_valid_ndcg@10") if entry is None else entry["valid_ndcg@10"]
    return None if value is None or np.isnan(value) else float(value)


def summary(manifests: list[dict[str, Any]]) -> dict[str, str]:
    """One table row's cells from the manifests of a configuration's seeds at one budget."""
    infos = [m["fit_info"] for m in manifests]
    values = [v for v in map(valid_ndcg, infos) if v is not None]
    std = float(np.std(values, ddof=1)) if len(values) > 1 else 0.0
    chosen = Counter(json.dumps(i["chosen"], sort_keys=True) for i in infos if "chosen" in i)
    rounds = [e["rounds"] for e in map(chosen_entry, infos) if e is not None]
    return {
        "valid": f"{np.mean(values):.4f} ± {std:.4f}" if values else "—",
        "seeds": f"{len(values)}/{len(manifests)}",
        "chosen": ", ".join(f"{k} x{n}" for k, n in sorted(chosen.items())) or "—",
        "rounds": f"{np.mean(rounds):.1f}" if rounds else "—",
        "fit_s": f"{np.mean([m['fit_time_s'] for m in manifests]):.1f}",
    }


def evaluate(args: argparse.Namespace, cache: DatasetCache) -> list[dict[str, str]]:
    """Plan and run every configuration; one row per (configuration, budget)."""
    from benchmark.pipeline import grid
    from benchmark.store import Store

    rows, dataset_params = [], dict(args.dataset_param)
    for name, params in args.configs:
        cells = grid.plan(
            args.dataset,
            [name],
            args.budgets,
            args.seeds,
            strategy=args.strategy,
            params={name: params},
            dataset_params=dataset_params,
            references=False,
        )
        outcome = grid.run(cells, Store(args.out), progress=not args.quiet, cache=cache)
        for cell, message in outcome.failures:
            raise RuntimeError(f"cell {cell.run_id} ({name}) seed {cell.seed} failed: {message}")
        for budget in dict.fromkeys(c.budget for c in cells):
            manifests = [r.manifest for r in outcome.results if r.config.budget == budget]
            label = manifests[0]["label"]
            shown = f"{label} {json.dumps(params, sort_keys=True)}" if params else label
            rows.append({"config": shown, **summary(manifests)})
    return rows


def table(rows: list[dict[str, str]]) -> str:
    head = "| configuration | page_valid NDCG@10 | seeds | chosen | rounds | fit s |"
    lines = [head, "|---|---|---|---|---|---|"]
    lines += [
        f"| {r['config']} | {r['valid']} | {r['seeds']} | {r['chosen']} | {r['rounds']} "
        f"| {r['fit_s']} |"
        for r in rows
    ]
    return "\n".join(lines)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m benchmark.tools.valid_choice",
        description="Run reranker configurations and tabulate the page_valid NDCG@10 their fits "
        "recorded (mean ± std over seeds); test-split metrics are never read.",
    )
    p.add_argument("configs", nargs="+", type=config_arg, help='name or name:{"param": value}')
    p.add_argument("--budgets", nargs="+", type=budget_arg, default=[0.1], help="default 10%%")
    p.add_argument("--seeds", type=int, default=3, help="seeds per cell (default 3)")
    p.add_argument("--strategy", default=None, help="default: each reranker's own")
    p.add_argument("--dataset", default="synthetic-serp", help="default: synthetic-serp")
    p.add_argument(
        "--dataset-param", type=key_value, action="append", default=[], metavar="KEY=VALUE"
    )
    p.add_argument("--out", type=Path, default=Path("/tmp/valid_choice"), help="scratch folder")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    from benchmark.pipeline.harness import DatasetCache

    print(table(evaluate(args, DatasetCache())))
    return 0


if __name__ == "__main__":
    configure_environment()
    sys.exit(main())
