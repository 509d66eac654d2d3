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
    suite_version: str = SUITE_VERSION

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

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
            self.dataset,
            self.dataset_params,
            self.dataset_version,
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

    def label(self, default_strategy: str | None) -> str:
        """``reranker@budget`` (+ ``[strategy]`` when not the default): a leaderboard row name."""
        if self.budget is None:
            return self.reranker
        name = f"{self.reranker}@{self.budget * 100:g}%"
        return name if self.strategy == default_strategy else f"{name}[{self.strategy}]"
