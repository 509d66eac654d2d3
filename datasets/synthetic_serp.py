"""``synthetic-serp``: the embedded default dataset (PROTOCOL §3.1), generated in code.

Generative model (every constant below is a field of :class:`SyntheticSerp`):

1. **Queries.** ``x_q ~ N(0, I_8)`` are the query features (intent signals). A fixed random
   matrix ``W`` (8 x 4, drawn from the seed) maps them to a latent intent ``z_q = x_q W`` with
   one coordinate per modality, and each modality's utility for the query is
   ``u_m(q) = sigmoid(intent_strength * z_qm + bias_m)`` in (0, 1): a smooth function of the
   intent ("how to" queries want video).
2. **Pages.** web has U{8..16} items, image U{4..10}, video U{2..6}, answer Bernoulli(0.6) (0 or
   1). Each item has a latent within-modality relevance ``r_i ~ Beta(2, 2.5)``.
3. **Labels.** ``modal_label = Q_modal(r_i + e)``, ``page_label = Q_page(r_i * u_m(q) + e')``
   with ``e, e' ~ N(0, label_noise)`` and ``Q`` quantising to 0..4 at fixed thresholds. Inside
   a page and modality ``u_m(q)`` is a constant, so the page order agrees with the single-modal
   order; across modalities the calibration ``u_m(q)`` depends on the query. This is the SMAR
   premise: g^m orders each modality well, but merging needs the query.
4. **Features.** Each modality has its own feature space (its own columns; other modalities'
   columns are 0): ``informative`` features are noisy views ``h = r_i + N(0, feature_noise)``
   passed through a modality-specific transform, the rest are pure noise:
   web: 12 features, 6 informative, standardised ``(h - 0.45) / 0.25``;
   image: 8 features, 4 informative, log-normal ``100 * exp(2 h + 0.3 N(0, 1))``;
   video: 6 features, 3 informative, counts ``Poisson(1000 * exp(2.5 h))``;
   answer: 4 features, 2 informative, ``sigmoid(6 h - 3)`` in (0, 1).
5. **Splits** by query: modal_train 60 %, page_train 16 %, page_valid 4 %, test 20 %.
   ``modal_train_keep`` < 1 keeps only that fraction of the modal_train queries (weaker
   single-modal rankers) and leaves the other splits unchanged: the strength ablation.

Everything is drawn from one ``numpy.random.Generator`` seeded by ``seed``: same parameters,
same bytes.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from benchmark.core.catalog import DatasetFamily, register_dataset
from benchmark.core.data import Dataset, Split
from benchmark.core.params import Range, at_least, coerce_params, dataclass_fields

MODALITIES = ("web", "image", "video", "answer")
PAGE_THRESHOLDS = (0.21, 0.36, 0.49, 0.63)
MODAL_THRESHOLDS = (0.44, 0.58, 0.7, 0.81)


@dataclass(frozen=True)
class SyntheticSerp:
    n_queries: int = 5000
    seed: int = 0
    n_query_features: int = 8
    intent_strength: float = 2.0
    bias: tuple[float, ...] = (0.6, 0.0, -0.4, 0.3)
    items_range: tuple[tuple[int, int], ...] = ((8, 16), (4, 10), (2, 6), (0, 1))
    answer_rate: float = 0.6
    label_noise: float = 0.04
    feature_noise: float = 0.35
    feature_dims: tuple[int, ...] = (12, 8, 6, 4)
    informative: tuple[int, ...] = (6, 4, 3, 2)
    split_fractions: tuple[float, ...] = (0.6, 0.16, 0.04, 0.2)
    modal_train_keep: float = 1.0

    def __post_init__(self) -> None:
        if self.n_queries < 20:
            raise ValueError("synthetic-serp needs n_queries >= 20")
        if abs(sum(self.split_fractions) - 1) > 1e-9:
            raise ValueError("synthetic-serp split_fractions must sum to 1")
        if not 0 < self.modal_train_keep <= 1:
            raise ValueError("synthetic-serp modal_train_keep must be in (0, 1]")

    # -- generation ---------------------------------------------------------------------
    def generate(self) -> Dataset:
        rng = np.random.default_rng(self.seed)
        nq, n_mod = self.n_queries, len(MODALITIES)
        x = rng.standard_normal((nq, self.n_query_features)).astype(np.float32)
        w = rng.standard_normal((self.n_query_features, n_mod)) / np.sqrt(self.n_query_features)
        utility = 1 / (1 + np.exp(-(self.intent_strength * (x @ w) + np.asarray(self.bias))))

        counts = np.stack(
            [rng.integers(lo, hi + 1, size=nq) for lo, hi in self.items_range[:-1]]
            + [(rng.random(nq) < self.answer_rate).astype(np.int64)],
            axis=1,
        )
        sizes = counts.sum(axis=1)
        n = int(sizes.sum())
        query_of = np.repeat(np.arange(nq), sizes)
        modality = np.concatenate([np.repeat(np.arange(n_mod), c) for c in counts]).astype(np.int8)
        rel = rng.beta(2.0, 2.5, size=n)
        page_latent = rel * utility[query_of, modality]
        modal_label = quantise(rel + rng.normal(0, self.label_noise, n), MODAL_THRESHOLDS)
        page_label = quantise(page_latent + rng.normal(0, self.label_noise, n), PAGE_THRESHOLDS)
        features, feature_modality = self.features(rng, rel, modality)

        position = np.arange(n) - np.repeat(np.r_[0, np.cumsum(sizes)[:-1]], sizes)
        names = np.asarray(MODALITIES)[modality]
        item_ids = np.char.add(np.char.add(names, "-"), np.char.zfill(position.astype(str), 2))
        row_qids = np.char.add("q", np.char.zfill(query_of.astype(str), 5))
        rows = dict(
            item_ids=item_ids.astype(str),
            modality=modality,
            features=features,
            g_score=np.full(n, np.nan, dtype=np.float32),
            page_label=page_label,
            modal_label=modal_label,
        )
        full = Split.from_query_ids("all", row_qids, query_features=x, **rows)
        splits = self.assign_splits(rng, full)
        info = {"generator": dataclasses.asdict(self)}
        return Dataset("synthetic-serp", MODALITIES, feature_modality, splits, info)

    def features(
        self, rng: np.random.Generator, rel: np.ndarray, modality: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        n = len(rel)
        blocks, owner = [], []
        for m, (dim, k) in enumerate(zip(self.feature_dims, self.informative, strict=True)):
            block = np.zeros((n, dim), dtype=np.float64)
            rows = np.flatnonzero(modality == m)
            h = rel[rows, None] + rng.normal(0, self.feature_noise, (len(rows), k))
            noise = rng.standard_normal((len(rows), dim - k))
            block[rows] = np.hstack(
                [
                    TRANSFORMS[MODALITIES[m]](h, rng),
                    TRANSFORMS[MODALITIES[m]](0.45 + 0.25 * noise, rng),
                ]
            )
            blocks.append(block)
            owner.append(np.full(dim, m))
        return np.hstack(blocks).astype(np.float32), np.concatenate(owner).astype(np.int64)

    def assign_splits(self, rng: np.random.Generator, full: Split) -> dict[str, Split]:
        perm = rng.permutation(full.n_queries)
        bounds = np.round(np.cumsum(self.split_fractions) * full.n_queries).astype(int)
        parts = np.split(perm, bounds[:-1])
        parts[0] = parts[0][: max(1, round(len(parts[0]) * self.modal_train_keep))]
        names = ("modal_train", "page_train", "page_valid", "test")
        return {
            name: full.select_queries(idx, name) for name, idx in zip(names, parts, strict=True)
        }


def quantise(values: np.ndarray, thresholds: tuple[float, ...]) -> np.ndarray:
    return np.searchsorted(np.asarray(thresholds), values, side="right").astype(np.int8)


TRANSFORMS = {
    "web": lambda h, rng: (h - 0.45) / 0.25,
    "image": lambda h, rng: 100 * np.exp(2 * h + 0.3 * rng.standard_normal(h.shape)),
    "video": lambda h, rng: rng.poisson(1000 * np.exp(2.5 * np.clip(h, -2, 3))).astype(float),
    "answer": lambda h, rng: 1 / (1 + np.exp(-(6 * h - 3))),
}


#: Ranges of the numeric parameters (every entry of a tuple), checked by the shared coercion.
RANGES = {
    "seed": at_least(0),
    "n_query_features": at_least(1),
    "intent_strength": at_least(0),
    "items_range": at_least(0),
    "answer_rate": Range(0, 1),
    "label_noise": at_least(0),
    "feature_noise": at_least(0),
    "feature_dims": at_least(1),
    "informative": at_least(0),
    "split_fractions": Range(0, 1),
}


def coerce(params: dict[str, Any]) -> dict[str, Any]:
    """CLI text and grid values (``n_queries=800``) into the field types, checked by the shared
    :func:`benchmark.core.params.coerce_params`; unknown names are errors."""
    return coerce_params("synthetic-serp", dataclass_fields(SyntheticSerp), params, ranges=RANGES)


def check(arg: str | None, params: dict[str, Any], data_dir: Path) -> SyntheticSerp:
    return SyntheticSerp(**coerce(params))


def load(arg: str | None, params: dict[str, Any], data_dir: Path) -> Dataset:
    return check(arg, params, data_dir).generate()


register_dataset(
    DatasetFamily(
        "synthetic-serp",
        "embedded default: generated whole pages (web/image/video/answer), query-dependent "
        "modality calibration",
        load,
        version="2",
        check=check,
    )
)
