"""Reading one fold of a real dataset: checksums verified, files concatenated per part, counts
checked against the declared ones (a mismatch is a :class:`~benchmark.core.data.DataError`)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from benchmark.core.data import DataError
from datasets.catalogue import Facts
from datasets.checksums import verify_sha256
from datasets.locate import fold_files, folder
from datasets.svmlight import LtrFile, read_svmlight


def read_file(facts: Facts, path: Path, root: Path) -> LtrFile:
    """Verify the checksums we know for ``path`` (and its ``.query`` file), then read it."""
    query = path.with_name(path.name + ".query") if facts.query_files else None
    for p in (path, query):
        if p is not None and (digest := facts.sha256.get(p.relative_to(root).as_posix())):
            verify_sha256(p, digest)
    return read_svmlight(path, facts.n_features, query_file=query)


def read_fold(facts: Facts, fold: int, data_dir: Path) -> dict[str, LtrFile]:
    """Read, concatenate and check the files of each part of a fold. Query ids of files
    without ``qid:`` are numbered on from the previous file so they stay unique."""
    parts: dict[str, LtrFile] = {}
    offset = 0
    root = folder(facts, data_dir)
    for part, paths in fold_files(facts, fold, data_dir).items():
        if not paths:
            continue
        loaded = [read_file(facts, p, root) for p in paths]
        qids = []
        for f in loaded:
            qids.append(f.qids + offset if facts.query_files else f.qids)
            offset += int(f.qids.max()) + 1 if facts.query_files else 0
        parts[part] = LtrFile(
            paths[0],
            np.concatenate([f.labels for f in loaded]),
            np.concatenate(qids),
            np.concatenate([f.features for f in loaded]) if len(loaded) > 1 else loaded[0].features,
        )
    if facts.n_features is None:  # undeclared: widen every part to the widest
        width = max(f.features.shape[1] for f in parts.values())
        for name, f in parts.items():
            if f.features.shape[1] < width:
                features = np.pad(f.features, ((0, 0), (0, width - f.features.shape[1])))
                parts[name] = LtrFile(f.path, f.labels, f.qids, features)
    check_counts(facts, parts, root)
    return parts


def counts(parts: dict[str, LtrFile]) -> dict[str, object]:
    labels = np.concatenate([f.labels for f in parts.values()])
    qids = np.concatenate([f.qids for f in parts.values()])
    return {
        "queries": len(np.unique(qids)),
        "docs": len(labels),
        "features": next(iter(parts.values())).features.shape[1],
        "labels": tuple(np.bincount(np.maximum(labels, 0)).tolist()),
        "min_label": int(labels.min()),
    }


def check_counts(facts: Facts, parts: dict[str, LtrFile], root: Path) -> None:
    """Compare a whole fold (= the whole dataset) with the declared counts."""
    found = counts(parts)
    declared = {
        "queries": facts.queries,
        "docs": facts.docs,
        "features": facts.n_features,
        "labels": facts.labels,
    }
    wrong = [
        f"{k} {found[k]} (expected {v})"
        for k, v in declared.items()
        if v is not None and found[k] != v
    ]
    top = len(found["labels"]) - 1  # type: ignore[arg-type]
    if found["min_label"] < 0 or top > facts.max_label:  # type: ignore[operator]
        wrong.append(f"labels {found['min_label']}..{top} (expected 0..{facts.max_label})")
    if wrong:
        raise DataError(f"dataset {facts.name!r} in {root}: " + "; ".join(wrong))
