"""The reranker contract and its registry.

A reranker is a dataclass whose fields are its hyper-parameters (``__init__`` stores them and
does nothing else), with ``fit(train, valid, *, layout, seed)`` and ``score(split)``. Fitted state
ends in ``_``. Rerankers never evaluate, seed globally, configure logging or write files.

``train`` and ``valid`` carry only what the annotation budget revealed: ``page_label`` is ``-1``
for items whose label was not bought, ``modal_label`` is always ``-1`` and ``pairs`` holds the
preference pairs an iso-anchor strategy derived. ``g_score`` (stage 1) is always present.

To add a reranker: write one module in ``baselines/`` with a dataclass decorated by
``@register("name")`` and add its import to ``baselines/__init__.py``; it joins the default run
only if its class says ``in_default_run = True``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

import numpy as np

from benchmark.core.data import Split
from benchmark.core.params import (
    Fields,
    Range,
    at_least,
    coerce_params,
    dataclass_fields,
    numbers_in,
)
from benchmark.core.registry import Registry


@dataclass(frozen=True)
class Layout:
    """What a reranker may know about a dataset beyond its rows."""

    modalities: tuple[str, ...]
    feature_modality: np.ndarray

    def modality_columns(self, m: int) -> np.ndarray:
        return np.flatnonzero((self.feature_modality == m) | (self.feature_modality == -1))


class Reranker:
    """Base class. Subclasses are dataclasses and set the class attributes below."""

    name: ClassVar[str] = ""
    description: ClassVar[str] = ""
    #: What the reranker sees, e.g. "item + query features + g^m" (one line, for listings).
    inputs: ClassVar[str] = ""
    #: What it optimises (its loss, or its rule when label-free), one line.
    objective: ClassVar[str] = ""
    #: The annotation strategy used when the user gives none; ``None`` means label-free.
    default_strategy: ClassVar[str | None] = None
    #: Whether ``python -m benchmark run`` without ``--rerankers`` includes it. Each registered
    #: class says so itself (``in_default_run = True`` in its own body, not inherited), so a new
    #: reranker never makes the default run slower unless it asks to; variants and ablations
    #: are run by name or through grid files.
    in_default_run: ClassVar[bool] = False
    #: Allowed values of hyper-parameters beyond the default rule (a number whose default is
    #: not negative must be >= 0), e.g. a library's own limits; checked when the run is planned.
    ranges: ClassVar[dict[str, Range]] = {}
    #: Rough time of one cell relative to a label-free one, at 100 % of the labels: parallel
    #: runs start the longest cells first (it orders work, never changes a result).
    cost: ClassVar[float] = 1.0
    #: Whether ``fit`` also gets a dataset's unlabelled pages (split ``page_unlabelled``: pages
    #: with single-modal scores and no page label, a protocol extension), appended to
    #: ``page_train`` with every page label unknown. Only label-free terms may use them.
    unlabelled_pages: ClassVar[bool] = False
    #: Modules its ``fit`` imports that registering it does not (torch, allRank): worker
    #: processes import them once, before their first cell, when a run has its cells (the
    #: registry and runs without such a reranker never import them; it never changes a result).
    imports: ClassVar[tuple[str, ...]] = ()

    @property
    def budgeted(self) -> bool:
        return self.default_strategy is not None

    def fit(self, train: Split, valid: Split, *, layout: Layout, seed: int) -> Reranker:
        raise NotImplementedError

    def score(self, split: Split) -> np.ndarray:
        """One finite float64 score per row of ``split`` (higher = better)."""
        raise NotImplementedError

    def params(self) -> dict[str, Any]:
        return dataclasses.asdict(self) if dataclasses.is_dataclass(self) else {}

    def fit_info(self) -> dict[str, Any]:
        """What fitting chose (epochs, tuned weights, ...) for the manifest; JSON-able."""
        return {}


RERANKERS: Registry[type[Reranker]] = Registry("reranker", plugins="baselines")
R = TypeVar("R", bound=type[Reranker])


def register(name: str) -> Callable[[R], R]:
    """Class decorator: name a reranker and put it in :data:`RERANKERS`."""

    def decorator(cls: R) -> R:
        cls.name = name
        cls.in_default_run = bool(vars(cls).get("in_default_run", False))  # its own say only
        RERANKERS.register(name)(cls)
        return cls

    return decorator


def make_reranker(name: str, params: dict[str, Any] | None = None) -> Reranker:
    """Instantiate a registered reranker. Parameters go through the shared coercion
    (:mod:`benchmark.core.params`): unknown names, values of the wrong type for the field, and
    negative numbers where the default is not negative (every reranker's counts, rates and
    weights) are one-line errors, found when the run is planned, not when a cell fails."""
    cls = RERANKERS.get(name)
    fields: Fields = dataclass_fields(cls) if dataclasses.is_dataclass(cls) else {}
    ranges = {
        field: at_least(0)
        for field, (_, default) in fields.items()
        if numbers_in(default) and min(numbers_in(default)) >= 0
    } | cls.ranges
    values = coerce_params(f"reranker {name!r}", fields, dict(params or {}), ranges=ranges)
    return cls(**values)
