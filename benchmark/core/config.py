"""Cell configs: one frozen record per (dataset, reranker, budget, strategy, seed, params).

The canonical JSON of a config is its identity; its hash is the run id. Seeds are derived from
the names and values of the cell, never from global state:

* the annotation seed depends on (dataset, budget, strategy, seed index) only, so rerankers that
  use the same strategy at the same budget and seed index are trained on the same labels (their
  comparison is paired on the annotation as well as on the test queries);
* the model seed depends on the whole config.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

#: Bump when a change makes earlier cached cells incomparable.
SUITE_VERSION = "3"


def canonical_json(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), default=str)


def row_key(config: dict[str, Any]) -> str:
    """What makes a leaderboard row: a cell's config (:meth:`CellConfig.to_dict`) without its
    seed, data fingerprint and fold, which are all the cells of one row differ in."""
    row = {k: v for k, v in config.items() if k not in ("seed", "data_fingerprint")}
    row["dataset_params"] = {k: v for k, v in row["dataset_params"].items() if k != "fold"}
    return canonical_json(row)


def derive_seed(*parts: Any) -> int:
    """A 31-bit seed from the canonical JSON of ``parts``."""
    digest = hashlib.sha256(canonical_json(list(parts)).encode()).digest()
    return int.from_bytes(digest[:4], "little") & 0x7FFFFFFF


@dataclass(frozen=True)
class CellConfig:
    dataset: str
    reranker: str
    budget: float | None  # None: a label-free reranker, which buys nothing
    strategy: str | None
    seed: int  # the seed index 0..n-1; actual seeds are derived from it
    params: dict[str, Any] = field(default_factory=dict)
    dataset_params: dict[str, Any] = field(default_factory=dict)
    dataset_version: str = "1"
    data_fingerprint: str = ""  # the dataset's content fingerprint (core.catalog)
    suite_version: str = SUITE_VERSION
    # the strategy's version (core.annotation.Strategy.version): a strategy that changes what it
    # buys gets a new one, so its earlier cells are neither reused nor reported as current
    strategy_version: str = "1"
    # the dataset's identity (core.catalog.dataset_identity: a folder named by its content) when
    # ``dataset``, the spec the data is read from, names it by its path; "": ``dataset`` itself
    dataset_id: str = ""

    def to_dict(self) -> dict[str, Any]:
        """The identity of the cell: its ``dataset`` is :attr:`dataset_name` (not where the
        data lies); ``strategy_version`` is left out at "1", so the cells computed before it
        existed keep their run ids."""
        data = dataclasses.asdict(self)
        if data["strategy_version"] == "1":
            del data["strategy_version"]
        data["dataset"] = self.dataset_name
        del data["dataset_id"]
        return data

    @property
    def dataset_name(self) -> str:
        """The dataset in the cell's identity (and seeds): the same from any path."""
        return self.dataset_id or self.dataset

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CellConfig:
        return cls(**data)

    @property
    def run_id(self) -> str:
        return hashlib.sha256(canonical_json(self.to_dict()).encode()).hexdigest()[:16]

    @property
    def annotation_seed(self) -> int:
        return derive_seed(
            "annotation",
            self.dataset_name,
            self.dataset_params,
            self.dataset_version,
            self.data_fingerprint,
            self.budget,
            self.strategy,
            self.seed,
        )

    @property
    def model_seed(self) -> int:
        return derive_seed("model", self.to_dict())

    @property
    def is_reference(self) -> bool:
        """A fully-annotated baseline row (budget 100 %)."""
        return self.budget == 1.0

    def changed_params(self, defaults: dict[str, Any]) -> str:
        """``{k=v,...}`` of the hyper-parameters that differ from ``defaults`` (or "")."""
        changed = {k: v for k, v in sorted(self.params.items()) if defaults.get(k) != v}
        return "{" + ",".join(f"{k}={v}" for k, v in changed.items()) + "}" if changed else ""

    def label(self, default_strategy: str | None, defaults: dict[str, Any]) -> str:
        """The leaderboard row name: ``reranker@budget``, ``[strategy]`` when not the
        reranker's default, ``{k=v}`` for hyper-parameters that differ from its defaults."""
        suffix = self.changed_params(defaults)
        if self.budget is None:
            return self.reranker + suffix
        name = f"{self.reranker}@{self.budget * 100:g}%"
        name = name if self.strategy == default_strategy else f"{name}[{self.strategy}]"
        return name + suffix

    def method(self, defaults: dict[str, Any]) -> str:
        """The row name without the budget (what a budget curve connects): reranker,
        ``[strategy]`` and changed hyper-parameters."""
        strategy = f" [{self.strategy}]" if self.strategy else ""
        return self.reranker + strategy + self.changed_params(defaults)
