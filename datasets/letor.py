"""Real learning-to-rank data: ``letor:<name>`` (plain LTR, one modality) and ``letor-serp:<name>``
(semi-synthetic whole pages, PROTOCOL §3.2). ``<name>`` is a dataset of
:data:`datasets.catalogue.KNOWN` (``mq2008``, ``ohsumed``, ``yahoo-sample``, ``mslr-web10k``, ...)
or the path of a folder of LETOR files.

Splits (parameter ``fold``, default 1, selects the LETOR fold):

* ``letor``: ``modal_train`` is empty (no single-modal stage; stage 1 leaves ``g_score = 0``),
  ``page_train`` = the fold's train files, ``page_valid`` = its vali file, ``test`` = its test
  file.
* ``letor-serp``: the fold's train queries are shared out by a seeded permutation:
  ``modal_fraction`` (default 60 %) go to ``modal_train`` (the single-modal rankers' data), the
  rest to ``page_train``; vali -> ``page_valid``, test -> ``test``.
* A dataset without a vali file (the LightGBM sample, Istella) first moves ``valid_fraction``
  (default 20 %) of its train queries to ``page_valid``.

Item ids are ``d<hash>-<position>``: unique within the query, and their order (the last
tie-break of every ranking) is unrelated to the file order, which in OHSUMED correlates with
relevance (Spearman -0.17 on S1).

Whole pages (``letor-serp``), all drawn from ``seed``:

* modality (web / image / video, shares ``shares`` = 0.5, 0.3, 0.2) from a hash of
  (seed, qid, position in the query);
* each modality sees a random ``keep`` fraction (default 70 %) of the real features, each
  through its own affine map ``a x + b`` with ``a = 10^U(-2, 2)``, ``b ~ N(0, 10)``, in its own
  block of columns (zeros elsewhere);
* query features: ``log(1 + docs)`` and the per-query mean of the four real features whose
  per-query means vary most, standardised over the dataset;
* ``modal_label`` = the real label; ``page_label`` = the real label shifted by
  ``round(lambda * p_m(q))`` and clipped to 0..4 for relevant items (label >= 1; irrelevant
  ones stay 0), where ``p_m(q) = tanh(2 z_q . w_m)`` in (-1, 1) is a modality preference driven
  by the query features ``z_q`` (``w_m ~ N(0, 1/4)``). ``lambda = 1`` (default) moves a
  relevant item by at most one grade; ``lambda = 0`` keeps the real labels.
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from benchmark.core.catalog import DatasetFamily, register_dataset
from benchmark.core.config import canonical_json
from benchmark.core.data import MAX_LABEL, Dataset, Split
from benchmark.core.params import Range, at_least, coerce_params, dataclass_fields
from datasets import letor_rows, svmlight
from datasets.catalogue import KNOWN, Facts
from datasets.checksums import digest
from datasets.folds import read_fold
from datasets.letor_rows import (
    empty,
    item_ids,
    plain_split,
    query_means,
    query_starts,
    row_hash,
    take_queries,
)
from datasets.locate import describe, fold_files, key_name, n_folds, resolve
from datasets.svmlight import LtrFile

MODALITIES = ("web", "image", "video")
N_QUERY_FEATURES = 4


@dataclass(frozen=True)
class Params:
    """Parameters of both families (``letor`` uses ``fold`` and ``valid_fraction`` only)."""

    fold: int = 1
    seed: int = 0
    valid_fraction: float = 0.2
    modal_fraction: float = 0.6
    keep: float = 0.7
    shares: tuple[float, ...] = (0.5, 0.3, 0.2)
    lam: float = 1.0

    def __post_init__(self) -> None:
        if abs(sum(self.shares) - 1) > 1e-9:
            raise ValueError(f"letor-serp parameter shares must sum to 1, got {self.shares}")


RANGES = {
    "fold": at_least(1),
    "seed": at_least(0),
    "valid_fraction": Range(0, 1, open_low=True, open_high=True),
    "modal_fraction": Range(0, 1, open_low=True, open_high=True),
    "keep": Range(0, 1, open_low=True),
    "shares": Range(0, 1),
    "lam": at_least(0),
}
PLAIN = ("fold", "valid_fraction")  # the parameters of ``letor`` (plain LTR)


def coerce(family: str, params: dict[str, Any]) -> Params:
    """CLI text or grid values into :class:`Params` (the shared coercion); ``lambda`` names
    ``lam``; plain ``letor`` takes only :data:`PLAIN`."""
    fields = dataclass_fields(Params)
    if family == "letor":
        fields = {name: fields[name] for name in PLAIN}
    values = coerce_params(family, fields, params, ranges=RANGES, names={"lambda": "lam"})
    return Params(**values)


def check(
    family: str, arg: str | None, params: dict[str, Any], data_dir: Path
) -> tuple[Facts, Params]:
    """Validate the spec and parameters and find the files (raises before any cell runs)."""
    p = coerce(family, params)
    facts = resolve(str(arg))
    fold_files(facts, p.fold, data_dir)
    return facts, p


def fingerprint(family: str, arg: str | None, params: dict[str, Any], data_dir: Path) -> str:
    """A hash of the parameters and of the bytes of the fold's files (sha256, cached), and for
    an undeclared folder of the reader's version (:data:`datasets.svmlight.VERSION`)."""
    facts, p = check(family, arg, params, data_dir)
    paths = [path for part in fold_files(facts, p.fold, data_dir).values() for path in part]
    if facts.query_files:
        paths += [path.with_name(path.name + ".query") for path in paths]
    content = {path.name: digest(path) for path in paths}
    reader = [svmlight.VERSION] if facts.given_path else []
    names = canonical_json([family, dataclasses.asdict(p), content, *reader])
    return hashlib.sha256(names.encode()).hexdigest()[:16]


def load_letor(arg: str | None, params: dict[str, Any], data_dir: Path) -> Dataset:
    facts, p = check("letor", arg, params, data_dir)
    parts = read_fold(facts, p.fold, data_dir)
    train, valid = split_valid(parts, p)
    named = {"page_train": train, "page_valid": valid, "test": parts["test"]}
    splits = {name: plain_split(name, part) for name, part in named.items()}
    width = parts["test"].features.shape[1]
    splits["modal_train"] = plain_split("modal_train", empty(width))
    owner = np.zeros(width, dtype=np.int64)
    info = {"source": facts.name, "fold": p.fold, "params": dataclasses.asdict(p)}
    return Dataset(f"letor:{facts.name}", ("doc",), owner, splits, info)


def load_serp(arg: str | None, params: dict[str, Any], data_dir: Path) -> Dataset:
    facts, p = check("letor-serp", arg, params, data_dir)
    parts = read_fold(facts, p.fold, data_dir)
    pages = Pages(p, parts)
    named = serp_parts(parts, p)
    # popped one by one: each file's rows are freed once its split is built (the page
    # features are 3 blocks of k = keep x d columns, about twice the file's own array)
    splits = {name: pages.split(name, named.pop(name)) for name in list(named)}
    info = {
        "source": facts.name,
        "fold": p.fold,
        "params": dataclasses.asdict(p),
        "columns": {m: cols.tolist() for m, cols in zip(MODALITIES, pages.columns, strict=True)},
    }
    return Dataset(f"letor-serp:{facts.name}", MODALITIES, pages.owner, splits, info)


def serp_parts(parts: dict[str, LtrFile], p: Params) -> dict[str, LtrFile]:
    """The rows of the four ``letor-serp`` splits, in the order of
    :data:`benchmark.core.data.SPLITS`. ``parts`` is emptied, so the train file's array is
    freed once its queries are shared out."""
    train, valid = split_valid(parts, p)
    test = parts["test"]
    parts.clear()
    modal, page = take_queries(train, p.modal_fraction, p.seed + 1)
    return {"modal_train": modal, "page_train": page, "page_valid": valid, "test": test}


def split_valid(parts: dict[str, LtrFile], p: Params) -> tuple[LtrFile, LtrFile]:
    """(page train part, page_valid part): the vali file, or queries carved from train."""
    if "vali" in parts:
        return parts["train"], parts["vali"]
    valid, train = take_queries(parts["train"], p.valid_fraction, p.seed)
    return train, valid


class Pages:
    """The whole-page construction shared by every split of one ``letor-serp`` dataset."""

    def __init__(self, p: Params, parts: dict[str, LtrFile]) -> None:
        self.p = p
        rng = np.random.default_rng(p.seed)
        d = next(iter(parts.values())).features.shape[1]
        k = max(1, round(p.keep * d))
        self.columns = [np.sort(rng.choice(d, k, replace=False)) for _ in MODALITIES]
        self.scale = [10 ** rng.uniform(-2, 2, k) for _ in MODALITIES]
        self.offset = [rng.normal(0, 10, k) for _ in MODALITIES]
        self.owner = np.repeat(np.arange(len(MODALITIES)), k).astype(np.int64)
        self.weights = rng.normal(0, 0.5, (N_QUERY_FEATURES + 1, len(MODALITIES)))
        means = np.concatenate([query_means(f) for f in parts.values()])
        self.top = np.argsort(-means.std(axis=0), kind="stable")[:N_QUERY_FEATURES]
        raw = np.concatenate([self.raw_query_features(f) for f in parts.values()])
        self.center, self.spread = raw.mean(axis=0), raw.std(axis=0) + 1e-9

    def raw_query_features(self, f: LtrFile) -> np.ndarray:
        sizes = np.diff(np.r_[query_starts(f), f.n_rows])
        return np.hstack([np.log1p(sizes)[:, None], query_means(f)[:, self.top]])

    def features(self, f: LtrFile, modality: np.ndarray) -> np.ndarray:
        """The page features: each row's real features through its modality's maps, in that
        modality's block of ``k`` columns (zeros elsewhere). Computed
        :data:`datasets.letor_rows.CHUNK_ROWS` rows at a time, so the float64 products never
        hold more than a chunk (element by element, the same numbers as in one go)."""
        k = len(self.columns[0])
        features = np.zeros((f.n_rows, k * len(MODALITIES)), dtype=np.float32)
        step = letor_rows.CHUNK_ROWS
        for start in range(0, f.n_rows, step):
            chunk = modality[start : start + step]
            for m, cols in enumerate(self.columns):
                rows = start + np.flatnonzero(chunk == m)
                block = f.features[np.ix_(rows, cols)] * self.scale[m] + self.offset[m]
                features[rows, m * k : (m + 1) * k] = block
        return features

    def split(self, name: str, f: LtrFile) -> Split:
        n = f.n_rows
        u = (row_hash(f, self.p.seed + 7) >> np.uint64(11)).astype(np.float64) / 2.0**53
        modality = np.searchsorted(np.cumsum(self.p.shares)[:-1], u, side="right")
        features = self.features(f, modality)
        z = (self.raw_query_features(f) - self.center) / self.spread
        preference = np.tanh(2 * z @ self.weights)  # (queries, modalities) in (-1, 1)
        query_of = np.repeat(np.arange(len(z)), np.diff(np.r_[query_starts(f), n]))
        shift = np.rint(self.p.lam * preference[query_of, modality])
        page = np.where(f.labels > 0, np.clip(f.labels + shift, 0, MAX_LABEL), 0)
        return Split.from_query_ids(
            name,
            f.qids.astype(str),
            item_ids=item_ids(f),
            modality=modality.astype(np.int8),
            features=features,
            query_features=z.astype(np.float32),
            g_score=np.full(n, np.nan, dtype=np.float32),
            page_label=page.astype(np.int8),
            modal_label=f.labels.astype(np.int8),
        )


def describe_serp(data_dir: Path) -> list[dict[str, Any]]:
    rows = describe("letor-serp", data_dir)
    for row, facts in zip(rows, KNOWN.values(), strict=True):
        if facts.n_features is not None:
            row["features"] = len(MODALITIES) * max(1, round(Params().keep * facts.n_features))
    return rows


register_dataset(
    DatasetFamily(
        "letor",
        "real LETOR/SVMLight data as plain LTR (one modality, LETOR folds): letor:<name|folder>",
        load_letor,
        argument="required",
        describe=lambda data_dir: describe("letor", data_dir),
        check=lambda arg, params, data_dir: check("letor", arg, params, data_dir),
        fingerprint=lambda arg, params, data_dir: fingerprint("letor", arg, params, data_dir),
        key=lambda arg: key_name(str(arg)),
        folds=lambda arg: n_folds(str(arg)),
    )
)
register_dataset(
    DatasetFamily(
        "letor-serp",
        "whole pages from real LETOR data (hashed modalities, distorted features, "
        "preference-shifted page labels): letor-serp:<name|folder>",
        load_serp,
        argument="required",
        describe=describe_serp,
        check=lambda arg, params, data_dir: check("letor-serp", arg, params, data_dir),
        fingerprint=lambda arg, params, data_dir: fingerprint("letor-serp", arg, params, data_dir),
        key=lambda arg: key_name(str(arg)),
        folds=lambda arg: n_folds(str(arg)),
    )
)
