"""What ``run`` and ``report`` print: stage 1's diagnostics and the leaderboard."""

from __future__ import annotations

from typing import Any


def show_stage1(manifests: list[dict[str, Any]]) -> None:
    """Stage 1's diagnostics and the test queries of the first dataset (over every fold of a
    cross-validated run)."""
    manifest = manifests[0]
    if manifest["stage1"]:
        parts = [f"{m} {v['ndcg@10_modal_label']:.3f}" for m, v in manifest["stage1"].items()]
        print("single-modal rankers, within-modality nDCG@10 on test: " + ", ".join(parts))
    else:
        print("single-modal rankers: none (this dataset has no modal_train split)")
    same = [m for m in manifests if m["dataset_key"] == manifest["dataset_key"]]
    folds = {m["config"]["dataset_params"].get("fold"): m for m in same}
    evaluated = sum(m["queries_evaluated"] for m in folds.values())
    excluded = sum(m["excluded_queries"]["count"] for m in folds.values())
    over = f" over {len(folds)} folds" if len(folds) > 1 else ""
    print(
        f"test queries evaluated{over}: {evaluated} ({excluded} without a positive label excluded)"
    )


def print_board(board: Any, caption: str, key: str, only: set[str] | None = None) -> None:
    """Print the leaderboard; with ``only``, just those rows and the best reference (the
    p-values still come from the whole leaderboard, as in the written files)."""
    from benchmark.reporting.leaderboard import best_label, formatted, notes

    hidden = 0
    if only is not None and not board.empty:
        keep = board.row.isin(only) | (board.row == best_label(board))
        hidden = int((~keep).sum())
        board = board[keep]
    table = formatted(board)
    widths = [max(len(str(c)), *(len(str(v)) for v in table[c])) for c in table.columns]
    print(f"\nLeaderboard: {key}")
    print("  ".join(str(c).ljust(w) for c, w in zip(table.columns, widths, strict=True)))
    for row in table.itertuples(index=False):
        print("  ".join(str(v).ljust(w) for v, w in zip(row, widths, strict=True)))
    print(notes(board))
    print(caption)
    if hidden:
        print(f"({hidden} more rows, from earlier runs, are in the written leaderboard)")
    print()
