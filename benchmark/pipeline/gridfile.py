"""Grid files (``grids/<name>.toml``): read, checked against their schema, planned.

A grid is a TOML table with an optional ``dataset`` (default ``synthetic-serp``), ``seeds``
(default 3) and ``dataset_params``, and one or more ``[[group]]`` tables, each with
``rerankers`` (a list of names, required), ``budgets`` (a list such as ``["10%", "30%"]``) and
optional ``strategy``, ``references`` (default true), ``seeds``, ``dataset``,
``dataset_params`` and ``params`` (a table per reranker of the group). Optional top-level
tables: ``[report]`` (a view across the grid's datasets) and ``[labels]`` (display names for
the LaTeX tables: ``"smar@10%" = "SMAR (10 %)"``, a method or a dataset key likewise).

Every key is checked (a typo such as ``seed =`` or ``datset_params =`` is an error with a
suggestion, not silently the default), every value's type too (``rerankers = "lambdamart"``
must be a list), and every group must give at least one cell. Errors name the file and group.
"""

from __future__ import annotations

import difflib
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmark.core.annotation import parse_budget
from benchmark.core.config import CellConfig
from benchmark.core.registry import Registry, UnknownNameError
from benchmark.core.reranker import RERANKERS, make_reranker
from benchmark.pipeline.grid import check_size, plan, points

GRIDS = Path(__file__).resolve().parents[2] / "grids"
DEFAULT_DATASET = "synthetic-serp"
DEFAULT_SEEDS = 3
Check = Callable[[Any], bool]


def is_seeds(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and v >= 1


def is_names(v: Any) -> bool:
    return isinstance(v, list) and bool(v) and all(isinstance(n, str) and n for n in v)


def is_budgets(v: Any) -> bool:
    return isinstance(v, list) and all(
        isinstance(b, str | int | float) and not isinstance(b, bool) for b in v
    )


def is_table(v: Any) -> bool:
    return isinstance(v, dict)


def is_text(v: Any) -> bool:
    return isinstance(v, str) and bool(v)


#: key -> (check, what a good value looks like)
TOP: dict[str, tuple[Check, str]] = {
    "dataset": (is_text, 'a dataset spec such as "letor-serp:mq2008"'),
    "seeds": (is_seeds, "an integer >= 1 such as 3"),
    "dataset_params": (is_table, "a table such as { modal_train_keep = 0.25 }"),
    "group": (lambda v: isinstance(v, list) and all(map(is_table, v)), "[[group]] tables"),
    "report": (is_table, "a [report] table (kind, name, ...: a view across the datasets)"),
    "labels": (
        lambda v: is_table(v) and all(map(is_text, v.values())),
        'a [labels] table of display names such as { "smar@10%" = "SMAR (10 %)" }',
    ),
}
GROUP: dict[str, tuple[Check, str]] = {
    "rerankers": (is_names, 'a list of reranker names such as ["lambdamart", "smar"]'),
    "budgets": (is_budgets, 'a list of budgets such as ["10%", "30%"]'),
    "strategy": (is_text, 'a strategy name such as "top-p"'),
    "references": (lambda v: isinstance(v, bool), "true or false"),
    "seeds": TOP["seeds"],
    "dataset": TOP["dataset"],
    "dataset_params": TOP["dataset_params"],
    "params": (
        lambda v: is_table(v) and all(map(is_table, v.values())),
        'a table of tables such as { smar = { head = "attention" } }',
    ),
}


def grid_path(name: str) -> Path:
    """``smar-main`` -> ``grids/smar-main.toml``; a path to a ``.toml`` file is used as is."""
    path = Path(name)
    if path.suffix == ".toml":
        return path
    known = sorted(p.stem for p in GRIDS.glob("*.toml"))
    if name not in known:
        registry: Registry[str] = Registry("grid")
        for k in known:
            registry.register(k)(k)
        registry.get(name)
    return GRIDS / f"{name}.toml"


def read(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8-sig"))  # a BOM is not TOML
    except FileNotFoundError:
        raise FileNotFoundError(f"grid {path}: no such file") from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ValueError(f"grid {path}: {exc}") from None


def check_keys(where: str, table: dict[str, Any], schema: dict[str, tuple[Check, str]]) -> None:
    """Unknown keys (with the closest known one) and values of the wrong type."""
    for key, value in table.items():
        if key not in schema:
            close = difflib.get_close_matches(key, schema, n=1, cutoff=0.6)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise ValueError(f"{where}: unknown key {key!r}{hint} (keys: {', '.join(schema)})")
        check, wanted = schema[key]
        if not check(value):
            raise ValueError(f"{where}: {key} must be {wanted}, got {value!r}")


def load_grid(name: str, data_dir: Path | None = None) -> list[CellConfig]:
    """The checked and planned cells of a grid file (see the module docstring)."""
    path = grid_path(name)
    spec = read(path)
    check_keys(f"grid {path}", spec, TOP)
    groups = spec.get("group", [])
    if not groups:
        raise ValueError(f"grid {path}: no [[group]] tables (see grids/default.toml)")
    cells: list[CellConfig] = []
    for i, group in enumerate(groups, start=1):
        where = f"grid {path}: group {i}"
        check_keys(where, group, GROUP)
        if "rerankers" not in group:
            raise ValueError(f'{where}: no rerankers (add rerankers = ["lambdamart", ...])')
        try:
            cells += plan_group(spec, group, data_dir)
            check_size(len(cells))  # the groups so far
        except (ValueError, UnknownNameError, FileNotFoundError) as exc:
            raise type(exc)(f"{where}: {exc}") from None
    report_spec(name)  # a bad [report] kind: an error before any cell runs
    return list({c.run_id: c for c in cells}.values())


def plan_group(
    spec: dict[str, Any], group: dict[str, Any], data_dir: Path | None
) -> list[CellConfig]:
    """The cells of one group; a group that would give no cell is an error."""
    names = list(group["rerankers"])
    stray = sorted(set(group.get("params", {})) - set(names))
    if stray:
        raise ValueError(f"params for {stray[0]!r}, which the group does not run")
    budgets = [parse_budget(b) for b in group.get("budgets", [])]
    references = group.get("references", True)
    unfunded = [n for n in names if RERANKERS.get(n).default_strategy is not None]
    if unfunded and not budgets and not references:
        raise ValueError(
            f"no budgets and references = false: {', '.join(unfunded)} would get no cell"
        )
    return plan(
        group.get("dataset", spec.get("dataset", DEFAULT_DATASET)),
        names,
        budgets,
        group.get("seeds", spec.get("seeds", DEFAULT_SEEDS)),
        strategy=group.get("strategy"),
        params=group.get("params"),
        dataset_params=group.get("dataset_params", spec.get("dataset_params")),
        references=references,
        data_dir=data_dir,
    )


def labels(name: str) -> dict[str, str]:
    """The display names of a grid file's ``[labels]`` table (row label, method or dataset key
    -> text for the LaTeX tables), checked."""
    path = grid_path(name)
    spec = read(path)
    check_keys(f"grid {path}", {k: v for k, v in spec.items() if k == "labels"}, TOP)
    return dict(spec.get("labels", {}))


#: The views a grid file's ``[report]`` table can ask for with ``kind`` (default settings):
#: ``benchmark.reporting.settings`` and ``benchmark.reporting.strategies``.
REPORT_KINDS = ("settings", "strategies")


def report_spec(name: str) -> dict[str, Any] | None:
    """The ``[report]`` table of a grid file (a view across its datasets), or None; ``kind``
    is filled in (default ``settings``) and checked; a strategies view gets ``rows``, the row
    labels the grid's groups plan (:func:`grid_rows`: what its figures draw), unless it names
    them."""
    grid = read(grid_path(name))
    spec = grid.get("report")
    if not spec:
        return None
    kind = spec.get("kind", "settings")
    if kind not in REPORT_KINDS:
        raise ValueError(f"grid {name}: [report] kind {kind!r} is not one of {REPORT_KINDS}")
    rows = {"rows": grid_rows(grid)} if kind == "strategies" else {}
    return {**rows, **spec, "kind": kind}


def grid_rows(grid: dict[str, Any]) -> list[str]:
    """The row labels (``smar@10%[uncertainty]``, ``sft@100%``) the groups of a grid file plan,
    over all of its datasets, in order; without reading any data."""
    labels = []
    for group in grid.get("group", []):
        budgets = [parse_budget(b) for b in group.get("budgets", [])]
        for name in group.get("rerankers", []):
            reranker = make_reranker(name, group.get("params", {}).get(name))
            defaults = make_reranker(name).params()
            made = points(reranker, budgets, group.get("strategy"), group.get("references", True))
            for budget, strategy in made:
                config = CellConfig("", name, budget, strategy, 0, reranker.params())
                labels.append(config.label(reranker.default_strategy, defaults))
    return list(dict.fromkeys(labels))
