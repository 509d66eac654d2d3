"""The dataset registry. A dataset is named by a spec ``family`` or ``family:argument``
(``synthetic-serp``, ``letor-serp:mq2008``, ``qilin:/data/qilin``) plus keyword parameters.

Each family lives in one module of ``datasets/`` and registers a :class:`DatasetFamily`;
loading is lazy (nothing heavy at import). Families that read files receive the data folder as
an argument (``data_dir``: where named datasets live; the CLI's ``--data-dir``).

A dataset's **fingerprint** identifies its content: by default a hash of the family, argument,
version and parameters (enough for generated data); a family that reads files hashes their
bytes, so a changed file gives a new fingerprint, and cells computed on the old content are
never reused (the fingerprint is part of every cell's config).
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


def check_dataset(spec: str, params: dict[str, Any], data_dir: Path) -> None:
    """Fail early, with the family's own message, on a bad spec or bad parameters."""
    family, arg = parse_spec(spec)
    if family.check is not None:
        family.check(arg, dict(params), data_dir)


def load_dataset(spec: str, params: dict[str, Any], data_dir: Path) -> Dataset:
    family, arg = parse_spec(spec)
    return family.load(arg, dict(params), data_dir)


def fingerprint(spec: str, params: dict[str, Any], data_dir: Path) -> str:
    """The dataset's content fingerprint (16 hex digits)."""
    family, arg = parse_spec(spec)
    if family.fingerprint is not None:
        return family.fingerprint(arg, dict(params), data_dir)
    names = canonical_json([family.name, arg, family.version, params])
    return hashlib.sha256(names.encode()).hexdigest()[:16]


def dataset_key(spec: str, params: dict[str, Any] | None = None) -> str:
    """A file-name-safe name: the spec, plus a short hash of any parameters."""
    slug = re.sub(r"[^A-Za-z0-9._-]+", "_", spec).strip("_")
    if params:
        slug += "-" + hashlib.sha256(canonical_json(params).encode()).hexdigest()[:8]
    return slug
