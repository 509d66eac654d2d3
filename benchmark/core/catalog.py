"""The dataset registry. A dataset is named by a spec ``family`` or ``family:argument``
(``synthetic-serp``, ``letor-serp:mq2008``, ``qilin:/data/qilin``) plus keyword parameters.

Each family lives in one module of ``datasets/`` and registers a :class:`DatasetFamily`;
loading is lazy (nothing heavy at import). Families that read files receive the data folder as
an argument (``data_dir``: where named datasets live; the CLI's ``--data-dir``).

A dataset's **fingerprint** identifies its content: by default a hash of the family, argument,
version and parameters (enough for generated data); a family that reads files hashes their
bytes, so a changed file gives a new fingerprint, and cells computed on the old content are
never reused (the fingerprint is part of every cell's config).

A dataset's **key** names its results (``<out>/leaderboards/<key>.md``, ``<out>/cells/<key>/``):
the spec, file-name safe, plus a short hash of any parameters. An argument that is a folder is
named by the folder's name and a short hash of its content (``letor_mydata-1a2b3c4d``), never by
the folders above it.

A dataset's **identity** (the ``dataset`` of every cell's config, hence its run id and seeds)
is its spec with a folder argument named as in its key, by content
(``letor:mydata-1a2b3c4d``; :func:`dataset_identity`): the same folder given by any path
(moved, relative, with a trailing ``/``, through a symlink) is the same dataset and reuses the
same cells. A named dataset's spec is its own identity. The identity is also a spec for
``report`` (a folder's key name stands for itself), not for ``run``, which reads the data.

**Cross-validation.** ``fold=all`` asks for every fold of a dataset with folds: the run has one
set of cells per fold ``k``, with the dataset parameters ``fold=k`` and ``cv=<number of folds>``
(:func:`expand_folds`; ``cv`` is never passed to the family). All folds share one key,
``<spec>-cv<n>`` (e.g. ``letor-serp_ohsumed-cv5``), distinct from a single fold's, so one
leaderboard pools the test queries of every fold, each scored by its own fold's model.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmark.core.config import canonical_json
from benchmark.core.data import Dataset
from benchmark.core.registry import Registry

Loader = Callable[[str | None, dict[str, Any], Path], Dataset]
Checker = Callable[[str | None, dict[str, Any], Path], object]
Fingerprint = Callable[[str | None, dict[str, Any], Path], str]


@dataclass(frozen=True)
class DatasetFamily:
    name: str
    description: str
    load: Loader
    #: ``"none"``: no argument; ``"required"``: ``family:arg`` is needed.
    argument: str = "none"
    #: For ``python -m benchmark datasets``: one dict per known dataset of the family with at
    #: least ``name``, ``queries``, ``items``, ``features`` and ``present`` (files found?).
    describe: Callable[[Path], list[dict[str, Any]]] | None = None
    #: Part of every cell's config: bump it when the family's loader or generator changes what
    #: it produces, so that cached cells of the old data are not reused.
    version: str = "1"
    #: Cheap validation of ``(argument, params, data_dir)`` before any cell runs (raises
    #: ValueError).
    check: Checker | None = None
    #: The content fingerprint of ``(argument, params, data_dir)``; None: hash the names.
    fingerprint: Fingerprint | None = None
    #: The argument's name in dataset keys (a folder: its name and a content hash); None: the
    #: argument as written.
    key: Callable[[str | None], str] | None = None
    #: The number of folds of the argument (what ``fold=all`` runs); None: no folds.
    folds: Callable[[str | None], int] | None = None


DATASETS: Registry[DatasetFamily] = Registry("dataset", plugins="datasets")


def register_dataset(family: DatasetFamily) -> DatasetFamily:
    return DATASETS.register(family.name)(family)


def parse_spec(spec: str) -> tuple[DatasetFamily, str | None]:
    name, _, arg = spec.partition(":")
    family = DATASETS.get(name)
    if family.argument == "required" and not arg:
        raise ValueError(f"dataset {name!r} needs an argument: {name}:<name or folder>")
    if family.argument == "none" and arg:
        raise ValueError(f"dataset {name!r} takes no argument (got {arg!r})")
    return family, arg or None


def dataset_identity(spec: str) -> str:
    """The dataset as cells name it: the spec, with a folder argument named by the folder's
    name and content like its key (``letor:mydata-1a2b3c4d``), never by where it lies."""
    family, arg = parse_spec(spec)
    if family.key is None or arg is None:
        return spec
    return f"{family.name}:{family.key(arg)}"


def check_dataset(spec: str, params: dict[str, Any], data_dir: Path) -> None:
    """Fail early, with the family's own message, on a bad spec or bad parameters."""
    family, arg = parse_spec(spec)
    if family.check is not None:
        family.check(arg, family_params(params), data_dir)


def load_dataset(spec: str, params: dict[str, Any], data_dir: Path) -> Dataset:
    family, arg = parse_spec(spec)
    return family.load(arg, family_params(params), data_dir)


def fingerprint(spec: str, params: dict[str, Any], data_dir: Path) -> str:
    """The dataset's content fingerprint (16 hex digits)."""
    family, arg = parse_spec(spec)
    params = family_params(params)
    if family.fingerprint is not None:
        return family.fingerprint(arg, params, data_dir)
    names = canonical_json([family.name, arg, family.version, params])
    return hashlib.sha256(names.encode()).hexdigest()[:16]


CV = "cv"
ALL_FOLDS = "all"


def family_params(params: dict[str, Any]) -> dict[str, Any]:
    """The parameters the family sees: without the cross-validation marker ``cv``."""
    return {k: v for k, v in params.items() if k != CV}


def expand_folds(spec: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    """The dataset parameters of a run's cells: ``params`` itself, or for ``fold=all`` one set
    per fold ``k`` with ``fold=k`` and ``cv=<number of folds>``."""
    if CV in params:
        raise ValueError(f"dataset parameter {CV!r} is set by fold={ALL_FOLDS}; do not give it")
    if params.get("fold") != ALL_FOLDS:
        return [dict(params)]
    family, arg = parse_spec(spec)
    n = family.folds(arg) if family.folds is not None else 0
    if n < 2:
        has = "no folds" if family.folds is None else f"{n} fold"
        raise ValueError(
            f"dataset {spec!r} has {has}: fold={ALL_FOLDS} (cross-validation) needs a dataset "
            "with several folds, e.g. letor:ohsumed"
        )
    return [{**params, "fold": k, CV: n} for k in range(1, n + 1)]


def dataset_key(spec: str, params: dict[str, Any] | None = None) -> str:
    """A file-name-safe name: the spec (a folder argument by its name and content hash), a
    ``-cv<n>`` for a cross-validated run, plus a short hash of any other parameters."""
    family, arg = parse_spec(spec)
    params = dict(params or {})
    folds = params.pop(CV, None)
    if params.get("fold") == ALL_FOLDS:
        folds = len(expand_folds(spec, params))
    if folds is not None:
        params.pop("fold", None)
    name = family.key(arg) if family.key is not None and arg is not None else arg
    slug = re.sub(r"[^A-Za-z0-9._-]+", "_", family.name + (f":{name}" if name else "")).strip("_")
    if folds is not None:
        slug += f"-cv{folds}"
    if params:
        slug += "-" + hashlib.sha256(canonical_json(params).encode()).hexdigest()[:8]
    return slug
