"""The knobs of ``synthetic-serp`` (:mod:`datasets.synthetic_serp`): parameter parsing, allowed
ranges and validation, the mechanisms the knobs switch on, and the inverted-pair measure.

Every knob draws from its own random stream, ``numpy.random.default_rng((seed, stream, part))``
(part 0: the page queries, 1: the extra modal-only queries, 2: the unlabelled pages), never from
the generator's main stream, so a knob at its default draws nothing and data keep their bytes.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from benchmark.core.data import Split
from benchmark.core.params import Range as Interval
from benchmark.core.params import at_least

PAGE_THRESHOLDS = (0.21, 0.36, 0.49, 0.63)
MODAL_THRESHOLDS = (0.44, 0.58, 0.7, 0.81)
STREAMS = {"extra": 1, "view": 2, "annotator": 3, "context": 4, "unlabelled": 5}
#: The centre of the informative latent (``Beta(2, 2.5)`` has mean 0.44).
CENTRE = 0.45


@dataclass(frozen=True)
class Range:
    """An interval of allowed values; ``integer`` ranges admit ints only."""

    low: float
    high: float = math.inf
    low_open: bool = False
    integer: bool = False

    def __str__(self) -> str:
        if self.integer:
            return f"an integer >= {self.low:g}"
        high = "inf)" if self.high == math.inf else f"{self.high:g}]"
        return f"{'(' if self.low_open else '['}{self.low:g}, {high}"

    def admits(self, value: object) -> bool:
        number = numbers.Integral if self.integer else numbers.Real
        if isinstance(value, bool) or not isinstance(value, number):
            return False
        x = float(value)
        above = x > self.low if self.low_open else x >= self.low
        return above and x <= self.high and math.isfinite(x)


RANGES = {
    "n_queries": Range(20, integer=True),
    "modal_train_keep": Range(0, 1, low_open=True),
    "modal_ratio": Range(0, 100, low_open=True),
    "view_noise": Range(0),
    "view_keep": Range(0, 1),
    "annotator_noise": Range(0),
    "context_effect": Range(0, 1),
    "n_topics": Range(1, integer=True),
    "feature_complexity": Range(0),
    "labelled_pages": Range(2, integer=True),
    "unlabelled_ratio": Range(0, 100),
}
#: The regime knobs and their defaults (off: left out of the dataset's info).
REGIME: dict[str, Any] = {"labelled_pages": None, "unlabelled_ratio": 0.0}
OPTIONAL = ("modal_ratio", *(k for k, v in REGIME.items() if v is None))

#: Ranges of the generator's base parameters (every entry of a tuple), checked by the shared
#: coercion (:func:`benchmark.core.params.coerce_params`); the knobs' are :data:`RANGES`.
BASE_RANGES = {
    "seed": at_least(0),
    "n_query_features": at_least(1),
    "intent_strength": at_least(0),
    "items_range": at_least(0),
    "answer_rate": Interval(0, 1),
    "label_noise": at_least(0),
    "feature_noise": at_least(0),
    "feature_dims": at_least(1),
    "informative": at_least(0),
    "split_fractions": Interval(0, 1),
}


def out_of_range(name: str, value: object) -> str:
    return f"synthetic-serp parameter {name}={value!r} is out of range: allowed {RANGES[name]}"


def validate(values: Mapping[str, Any]) -> None:
    """Raise ValueError, one line naming parameter, value and allowed range, on a bad value."""
    for name, allowed in RANGES.items():
        value = values[name]
        if not (name in OPTIONAL and value is None) and not allowed.admits(value):
            raise ValueError(out_of_range(name, value))
    if abs(sum(values["split_fractions"]) - 1) > 1e-9:
        raise ValueError("synthetic-serp split_fractions must sum to 1")
    check_splits(values["split_fractions"], values["n_queries"])
    check_labelled(values)
    check_memory(values)
    if values["modal_ratio"] is not None and values["modal_train_keep"] != 1:
        raise ValueError("synthetic-serp: set modal_ratio or modal_train_keep, not both")
    dims, informative = values["feature_dims"], values["informative"]
    if values["feature_complexity"] > 0 and any(
        d <= k for d, k in zip(dims, informative, strict=True)
    ):
        raise ValueError(
            "synthetic-serp parameter feature_complexity > 0 needs a noise feature in every "
            f"modality (feature_dims {dims} must exceed informative {informative})"
        )


SPLITS = ("modal_train", "page_train", "page_valid", "test")


def check_splits(fractions: tuple[float, ...], n_queries: int) -> None:
    """Every split gets at least one of the ``n_queries`` queries (as the generator rounds)."""
    if len(fractions) != len(SPLITS):
        raise ValueError(f"synthetic-serp split_fractions needs {len(SPLITS)} fractions")
    for name, size in zip(SPLITS, np.diff(np.r_[0, bounds(fractions, n_queries)]), strict=True):
        if size < 1:
            given = ",".join(f"{f:g}" for f in fractions)
            raise ValueError(
                f"synthetic-serp split_fractions={given} with n_queries={n_queries} leaves "
                f"{name} with no query; every split ({', '.join(SPLITS)}) needs at least one"
            )


def bounds(fractions: tuple[float, ...], n_queries: int) -> np.ndarray:
    """The end of each split among the ``n_queries`` queries, as the generator rounds them."""
    return np.round(np.cumsum(fractions) * n_queries).astype(int)


def page_counts(fractions: tuple[float, ...], n_queries: int) -> tuple[int, int]:
    """(page_train, page_valid) queries of the ``split_fractions`` split."""
    ends = bounds(fractions, n_queries)
    return int(ends[1] - ends[0]), int(ends[2] - ends[1])


def labelled_counts(
    fractions: tuple[float, ...], n_queries: int, labelled: int | None
) -> tuple[int, int]:
    """(page_train, page_valid) queries kept: all, or ``labelled`` of them in the split's
    proportion (page_valid rounded, at least one of each)."""
    n_train, n_valid = page_counts(fractions, n_queries)
    if labelled is None:
        return n_train, n_valid
    valid = min(max(1, round(labelled * n_valid / (n_train + n_valid))), labelled - 1)
    return labelled - valid, valid


def check_labelled(values: Mapping[str, Any]) -> None:
    """``labelled_pages`` keeps a subset: at most the page queries the split gives, and at
    least one of page_train and of page_valid within them."""
    labelled, n = values["labelled_pages"], values["n_queries"]
    if labelled is None:
        return
    fractions = values["split_fractions"]
    n_train, n_valid = page_counts(fractions, n)
    train, valid = labelled_counts(fractions, n, labelled)
    if train > n_train or valid > n_valid:  # train + valid = labelled
        raise ValueError(
            f"synthetic-serp labelled_pages={labelled} exceeds the {n_train} page_train + "
            f"{n_valid} page_valid queries of n_queries={n} and split_fractions"
            " (raise n_queries or the page fractions)"
        )


def check_memory(values: Mapping[str, Any]) -> None:
    """Refuse, before generating anything, parameters whose pages need more memory than is
    available (a lower estimate: two float64 copies of every item's features)."""
    from datasets.svmlight_checks import available_memory, size

    extra = 1 + (values["modal_ratio"] or 0) + values["unlabelled_ratio"]
    items = values["n_queries"] * extra * sum((lo + hi) / 2 for lo, hi in values["items_range"])
    need = int(items * (sum(values["feature_dims"]) + values["n_query_features"]) * 8 * 2)
    free = available_memory()
    if free is not None and need > free:
        raise ValueError(
            f"synthetic-serp with n_queries={values['n_queries']:,} needs at least {size(need)} "
            f"of memory, more than the {size(free)} available"
        )


def stream(seed: int, name: str, part: int) -> np.random.Generator:
    return np.random.default_rng((seed, STREAMS[name], part))


def entangle(h: np.ndarray, noise: np.ndarray, complexity: float) -> np.ndarray:
    """Feature complexity: informative latent ``j`` becomes
    ``CENTRE + (h_j - CENTRE) * cos(complexity * z_j)``, with ``z_j`` the latent of noise column
    ``j`` (cyclically) of the same item: relevance is readable only through the interaction."""
    if complexity == 0:
        return h
    z = noise[:, np.arange(h.shape[1]) % noise.shape[1]]
    return CENTRE + (h - CENTRE) * np.cos(complexity * z)


def reranker_view(
    h: np.ndarray,
    noise: np.ndarray,
    rng: np.random.Generator,
    view_noise: float,
    view_keep: float,
    complexity: float,
) -> np.ndarray:
    """The informative latent the rerankers see: ``h + N(0, view_noise)``, entangled like the
    single-modal view; columns past ``round(k * view_keep)`` are replaced by pure noise latents.
    """
    view = entangle(h + rng.normal(0, view_noise, h.shape), noise, complexity)
    visible = int(h.shape[1] * view_keep + 0.5)
    view[:, visible:] = CENTRE + 0.25 * rng.standard_normal((len(h), h.shape[1] - visible))
    return view


def page_context(
    rng: np.random.Generator,
    query_of: np.ndarray,
    modality: np.ndarray,
    n_topics: int,
    effect: float,
) -> tuple[np.ndarray, np.ndarray]:
    """The page-context effect: each item draws a topic ``U{0..n_topics-1}`` and an authority
    ``U(0, 1)`` (independent of relevance); an item whose topic already appears among more
    authoritative items of its modality on its page is a near-duplicate, and its page utility
    is multiplied by ``1 - effect``. Returns that factor per item and the context feature
    columns (one-hot topic, authority) every model sees."""
    topic = rng.integers(0, n_topics, len(query_of))
    authority = rng.random(len(query_of))
    order = np.lexsort((-authority, topic, modality, query_of))
    key = np.stack([query_of, modality, topic])[:, order]
    duplicate = np.empty(len(order), dtype=bool)
    duplicate[order] = np.r_[False, np.all(key[:, 1:] == key[:, :-1], axis=0)]
    columns = np.column_stack([topic[:, None] == np.arange(n_topics), authority])
    return np.where(duplicate, 1 - effect, 1.0), columns.astype(np.float32)


def modal_sizes(natural: int, n_page: int, ratio: float | None, keep: float) -> tuple[int, int]:
    """(modal_train queries, of which extra modal-only queries): ``keep`` of the ``natural``
    share, or ``round(ratio * n_page)`` with the queries beyond ``natural`` extra."""
    if ratio is None:
        return max(1, round(natural * keep)), 0
    wanted = max(1, int(ratio * n_page + 0.5))
    return wanted, max(0, wanted - natural)


def inverted_share(split: Split) -> float:
    """Share of within-modality pairs (same page, same modality, different page labels and
    different modal labels) whose page-label order is the reverse of their modal-label order."""
    order = np.lexsort((split.modality, split.query_index))
    group = np.stack([split.query_index, split.modality])[:, order]
    cuts = np.flatnonzero(np.any(group[:, 1:] != group[:, :-1], axis=0)) + 1
    page = np.split(split.page_label[order].astype(int), cuts)
    modal = np.split(split.modal_label[order].astype(int), cuts)
    inverted = compared = 0
    for p, m in zip(page, modal, strict=True):
        sign = np.sign(p[:, None] - p[None, :]) * np.sign(m[:, None] - m[None, :])
        inverted += int((sign < 0).sum())
        compared += int((sign != 0).sum())
    return inverted / compared if compared else 0.0


@dataclass(frozen=True)
class Pages:
    """The rows of a block of generated queries, before they are split."""

    sizes: np.ndarray
    modality: np.ndarray
    modal_label: np.ndarray
    page_label: np.ndarray
    annotated_label: np.ndarray | None
    features: np.ndarray
    modal_features: np.ndarray | None


def quantise(values: np.ndarray, thresholds: tuple[float, ...]) -> np.ndarray:
    return np.searchsorted(np.asarray(thresholds), values, side="right").astype(np.int8)


TRANSFORMS = {
    "web": lambda h, rng: (h - 0.45) / 0.25,
    "image": lambda h, rng: 100 * np.exp(2 * h + 0.3 * rng.standard_normal(h.shape)),
    "video": lambda h, rng: rng.poisson(1000 * np.exp(2.5 * np.clip(h, -2, 3))).astype(float),
    "answer": lambda h, rng: 1 / (1 + np.exp(-(6 * h - 3))),
}


def layout(feature_dims: tuple[int, ...], n_topics: int) -> np.ndarray:
    """``feature_modality``: each modality's own columns, then ``n_topics + 1`` shared context
    columns when there are topics (0: no context columns)."""
    owner = [np.full(dim, m) for m, dim in enumerate(feature_dims)]
    if n_topics:
        owner.append(np.full(n_topics + 1, -1))
    return np.concatenate(owner).astype(np.int64)


def info(params: dict[str, Any]) -> dict[str, Any]:
    """The generator's parameters; the regime knobs only when set (earlier data, same info)."""
    return {k: v for k, v in params.items() if k not in REGIME or v != REGIME[k]}
