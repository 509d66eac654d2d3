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
5. **Splits** by query: modal_train 60 %, page_train 16 %, page_valid 4 %, test 20 %;
   ``modal_train_keep`` < 1 keeps that fraction of modal_train (the strength ablation).

**Premise knobs** (defaults = the model above, byte for byte; mechanics and ranges in
:mod:`datasets.synthetic_knobs`) turn SMAR's premise up and down:

* ``modal_ratio`` (None = the ``split_fractions`` share, 3x; or (0, 100]): modal_train queries
  = ``round(modal_ratio * (page_train + page_valid queries))``: subsampled below the natural
  share (like ``modal_train_keep``; set one, not both), above it extra modal-only queries from
  their own stream with the same model and ``W``, ids from ``q{n_queries:05d}`` on.
* ``view_noise`` ([0, inf), default 0) and ``view_keep`` ([0, 1], default 1): a view gap.
  Stage 1 sees the features above (``Split.modal_features``); rerankers see ``features`` whose
  informative latent is ``h + N(0, view_noise)``, columns past ``round(k * view_keep)`` noise.
* ``annotator_noise`` ([0, inf), default 0): the labels the oracle sells (page_train/valid) get
  ``+ N(0, annotator_noise)`` inside ``Q_page``; test labels stay the gold standard.
* ``context_effect`` ([0, 1], default 0), ``n_topics`` (integer >= 1, default 4): items get a
  topic ``U{0..n_topics-1}`` and an authority ``U(0, 1)`` (independent of ``r``, visible to
  every model as ``n_topics + 1`` shared columns); an item whose topic appears among more
  authoritative items of its modality on the page has its page utility times
  ``1 - context_effect``. Modal labels ignore it: the premise fails by design.
* ``feature_complexity`` ([0, inf), default 0): informative latent ``j`` becomes
  ``0.45 + (h_j - 0.45) * cos(feature_complexity * z_j)``, ``z_j`` the latent of noise column
  ``j``: relevance is readable only through an interaction, learnt from much data (stage 1).

**Regime knobs** (off by default): ``labelled_pages`` (None or an integer >= 2) keeps that many
page_train + page_valid queries (same proportion; the other splits, test included, unchanged);
``unlabelled_ratio`` ([0, 100]) adds ``round(ratio * labelled pages)`` pages in the split
``page_unlabelled``: single-modal scores, no page label (a protocol extension).

Drawn from generators seeded by ``seed`` (knobs: ``(seed, stream)``): same parameters, same bytes.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from benchmark.core.catalog import DatasetFamily, register_dataset
from benchmark.core.data import UNLABELLED, Dataset, Split
from benchmark.core.params import coerce_params, dataclass_fields
from datasets import synthetic_knobs as knobs

MODALITIES = ("web", "image", "video", "answer")
SPLIT_NAMES = ("modal_train", "page_train", "page_valid", "test")


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
    modal_ratio: float | None = None
    view_noise: float = 0.0
    view_keep: float = 1.0
    annotator_noise: float = 0.0
    context_effect: float = 0.0
    n_topics: int = 4
    feature_complexity: float = 0.0
    labelled_pages: int | None = None  # the regime knobs
    unlabelled_ratio: float = 0.0

    def __post_init__(self) -> None:
        knobs.validate({f.name: getattr(self, f.name) for f in dataclasses.fields(self)})

    @property
    def view_gap(self) -> bool:
        return self.view_noise > 0 or self.view_keep < 1

    def generate(self) -> Dataset:
        rng = np.random.default_rng(self.seed)
        nq, n_mod = self.n_queries, len(MODALITIES)
        x = rng.standard_normal((nq, self.n_query_features)).astype(np.float32)
        w = rng.standard_normal((self.n_query_features, n_mod)) / np.sqrt(self.n_query_features)
        blocks = [self.pages(rng, x, w, part=0)]
        for part, name, n_more in self.more_queries():
            more = knobs.stream(self.seed, name, part)
            x_more = more.standard_normal((n_more, self.n_query_features)).astype(np.float32)
            blocks.append(self.pages(more, x_more, w, part=part))
            x = np.vstack([x, x_more])
        full, annotated = self.assemble(blocks, x)
        del blocks  # the assembled copy is enough: at modal_ratio 30 a block is ~100 MB a view
        splits = self.assign_splits(rng, full, annotated)
        layout = knobs.layout(self.feature_dims, self.n_topics if self.context_effect > 0 else 0)
        info = {"generator": knobs.info(dataclasses.asdict(self))}
        return Dataset("synthetic-serp", MODALITIES, layout, splits, info)

    def pages(
        self, rng: np.random.Generator, x: np.ndarray, w: np.ndarray, part: int
    ) -> knobs.Pages:
        """Draw the pages of the queries ``x``: items, labels and features."""
        nq, n_mod = len(x), len(MODALITIES)
        utility = 1 / (1 + np.exp(-(self.intent_strength * (x @ w) + np.asarray(self.bias))))
        counts = np.stack(
            [rng.integers(lo, hi + 1, size=nq) for lo, hi in self.items_range[:-1]]
            + [(rng.random(nq) < self.answer_rate).astype(np.int64)],
            axis=1,
        )
        sizes = counts.sum(axis=1)
        query_of = np.repeat(np.arange(nq), sizes)
        modality = np.concatenate([np.repeat(np.arange(n_mod), c) for c in counts]).astype(np.int8)
        rel = rng.beta(2.0, 2.5, size=len(query_of))
        page_latent = rel * utility[query_of, modality]
        context = np.zeros((len(rel), 0), dtype=np.float32)  # no context columns by default
        if self.context_effect > 0:
            context_rng = knobs.stream(self.seed, "context", part)
            factor, context = knobs.page_context(
                context_rng, query_of, modality, self.n_topics, self.context_effect
            )
            page_latent *= factor
        labels = self.labels(rng, rel, page_latent, part)
        return knobs.Pages(
            sizes, modality, *labels, *self.features(rng, rel, modality, part, context)
        )

    def labels(
        self, rng: np.random.Generator, rel: np.ndarray, page_latent: np.ndarray, part: int
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """Modal labels, gold page labels and the annotators' page labels (None: no noise)."""
        n = len(rel)
        noisy = rel + rng.normal(0, self.label_noise, n)
        modal_label = knobs.quantise(noisy, knobs.MODAL_THRESHOLDS)
        page_score = page_latent + rng.normal(0, self.label_noise, n)
        annotated = None
        if self.annotator_noise > 0:
            annotators = knobs.stream(self.seed, "annotator", part)
            disagreement = annotators.normal(0, self.annotator_noise, n)
            annotated = knobs.quantise(page_score + disagreement, knobs.PAGE_THRESHOLDS)
        return modal_label, knobs.quantise(page_score, knobs.PAGE_THRESHOLDS), annotated

    def features(
        self,
        rng: np.random.Generator,
        rel: np.ndarray,
        modality: np.ndarray,
        part: int,
        context: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """Reranker features and, with a view gap, the single-modal rankers' features; the
        page-context columns come last in both."""
        n, total = len(rel), sum(self.feature_dims)
        modal_view = np.zeros((n, total + context.shape[1]), dtype=np.float32)
        modal_view[:, total:] = context
        view = modal_view.copy() if self.view_gap else None
        view_rng = knobs.stream(self.seed, "view", part)
        start = 0
        for m, (dim, k) in enumerate(zip(self.feature_dims, self.informative, strict=True)):
            rows, transform = np.flatnonzero(modality == m), knobs.TRANSFORMS[MODALITIES[m]]
            h = rel[rows, None] + rng.normal(0, self.feature_noise, (len(rows), k))
            noise = rng.standard_normal((len(rows), dim - k))
            informative = knobs.entangle(h, noise, self.feature_complexity)
            block = np.hstack([transform(informative, rng), transform(0.45 + 0.25 * noise, rng)])
            modal_view[rows, start : start + dim] = block
            if view is not None:
                gap = (self.view_noise, self.view_keep, self.feature_complexity)
                seen = knobs.reranker_view(h, noise, view_rng, *gap)
                view[rows, start : start + k] = transform(seen, view_rng)
                view[rows, start + k : start + dim] = block[:, k:]
            start += dim
        return (modal_view, None) if view is None else (view, modal_view)

    def assemble(self, blocks: list[knobs.Pages], x: np.ndarray) -> tuple[Split, Split]:
        """One split of every query, with gold page labels, and the same with the annotators'."""
        sizes = np.concatenate([b.sizes for b in blocks])
        modality = np.concatenate([b.modality for b in blocks])
        n = int(sizes.sum())
        position = np.arange(n) - np.repeat(np.r_[0, np.cumsum(sizes)[:-1]], sizes)
        names = np.asarray(MODALITIES)[modality]
        item_ids = np.char.add(np.char.add(names, "-"), np.char.zfill(position.astype(str), 2))
        query_of = np.repeat(np.arange(len(sizes)), sizes)
        row_qids = np.char.add("q", np.char.zfill(query_of.astype(str), 5))
        full = Split.from_query_ids(
            "all",
            row_qids,
            query_features=x,
            item_ids=item_ids.astype(str),
            modality=modality,
            features=np.concatenate([b.features for b in blocks]),
            g_score=np.full(n, np.nan, dtype=np.float32),
            page_label=np.concatenate([b.page_label for b in blocks]),
            modal_label=np.concatenate([b.modal_label for b in blocks]),
        )
        if self.view_gap:
            full = full.replace(modal_features=np.concatenate([b.modal_features for b in blocks]))
        if self.annotator_noise == 0:
            return full, full
        return full, full.replace(page_label=np.concatenate([b.annotated_label for b in blocks]))

    def split_bounds(self) -> np.ndarray:
        return knobs.bounds(self.split_fractions, self.n_queries)

    def labelled(self) -> tuple[int, int]:  # (page_train, page_valid) queries kept
        return knobs.labelled_counts(self.split_fractions, self.n_queries, self.labelled_pages)

    def modal_sizes(self) -> tuple[int, int]:  # (modal_train queries, of which drawn extra)
        natural, n_page = int(self.split_bounds()[0]), sum(self.labelled())
        return knobs.modal_sizes(natural, n_page, self.modal_ratio, self.modal_train_keep)

    def more_queries(self) -> list[tuple[int, str, int]]:
        """The queries drawn beyond ``n_queries``, in id order: (stream part, stream, count) of
        the modal-only queries and of the unlabelled pages, each only when there are some."""
        unlabelled = round(self.unlabelled_ratio * sum(self.labelled()))
        wanted = [(1, "extra", self.modal_sizes()[1]), (2, "unlabelled", unlabelled)]
        return [w for w in wanted if w[2]]

    def assign_splits(
        self, rng: np.random.Generator, full: Split, annotated: Split
    ) -> dict[str, Split]:
        """Split the ``n_queries`` page queries; extra modal-only queries join modal_train;
        page_train and page_valid carry the annotators' page labels."""
        perm = rng.permutation(self.n_queries)
        parts = np.split(perm, self.split_bounds()[:-1])
        n_modal, n_extra = self.modal_sizes()
        extra = np.arange(self.n_queries, self.n_queries + n_extra)
        parts[0] = np.r_[parts[0][: n_modal - n_extra], extra]
        parts[1], parts[2] = (part[:n] for part, n in zip(parts[1:3], self.labelled(), strict=True))
        sources = (full, annotated, annotated, full)
        splits = {
            name: source.select_queries(idx, name)
            for name, source, idx in zip(SPLIT_NAMES, sources, parts, strict=True)
        }
        first = self.n_queries + n_extra
        if full.n_queries > first:  # never a page label: hidden before anything sees them
            more = full.select_queries(np.arange(first, full.n_queries), UNLABELLED)
            splits[UNLABELLED] = more.hide_labels()
        return splits


def coerce(params: dict[str, Any]) -> dict[str, Any]:
    """CLI text and grid values (``n_queries=800``) into the field types, checked by the shared
    :func:`benchmark.core.params.coerce_params`; unknown names are errors."""
    return coerce_params(
        "synthetic-serp", dataclass_fields(SyntheticSerp), params, ranges=knobs.BASE_RANGES
    )


def check(arg: str | None, params: dict[str, Any], data_dir: Path) -> SyntheticSerp:
    """Validate the parameters (CLI strings or values) without generating anything."""
    return SyntheticSerp(**coerce(params))


def load(arg: str | None, params: dict[str, Any], data_dir: Path) -> Dataset:
    return check(arg, params, data_dir).generate()


def describe(data_dir: Path) -> list[dict[str, Any]]:
    """The ``datasets`` row: the defaults' sizes and every parameter's name."""
    names = ", ".join(f.name for f in dataclasses.fields(SyntheticSerp))
    features = sum(SyntheticSerp.feature_dims)
    row = {"queries": SyntheticSerp.n_queries, "features": features, "labels": "0..4"}
    return [{"name": "synthetic-serp", **row, "present": "embedded", "where": f"params: {names}"}]


register_dataset(
    DatasetFamily(
        "synthetic-serp",
        "embedded default: generated whole pages (web/image/video/answer), query-dependent "
        "modality calibration",
        load,
        version="2",
        check=check,
        describe=describe,
    )
)
