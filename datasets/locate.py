"""Where a real dataset's files are: a named dataset of :data:`datasets.catalogue.KNOWN` in
its sub-folder of the data folder (given by the caller: the CLI's ``--data-dir``), or an
undeclared folder of LETOR files given by its path."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from benchmark.core.config import canonical_json
from datasets.catalogue import KNOWN, LETOR_PARTS, Facts, Fold, rotation
from datasets.checksums import digest

IDENTITY = re.compile(r"[^/]+-[0-9a-f]{8}")  # a folder's key name: its name, a content hash


def resolve(arg: str) -> Facts:
    """A known dataset by name, or an undeclared folder of LETOR files given by its path:
    ``S1.txt..S5.txt`` (LETOR rotation), ``Fold1..FoldK/{train,vali,test}.txt``, or
    ``train.txt`` + ``test.txt`` (+ ``vali.txt``). Undeclared folders have no checksums or
    expected counts."""
    if arg in KNOWN:
        return KNOWN[arg]
    try:
        root = Path(arg).expanduser().resolve()
        is_dir = root.is_dir()
    except RuntimeError:  # Python < 3.13 on a loop of symbolic links
        raise ValueError(f"{arg}: a loop of symbolic links, not a folder of LETOR files") from None
    except OSError as exc:  # a name too long for the file system
        raise ValueError(f"{arg[:80]}...: {exc.strerror or exc}") from None
    if not is_dir:
        raise ValueError(
            f"{arg!r} is neither a known dataset ({', '.join(KNOWN)}) nor a folder of LETOR files"
        )
    if all((root / f).is_file() for f in LETOR_PARTS):
        folds = rotation(LETOR_PARTS)
    elif (root / "Fold1" / "train.txt").is_file():
        n = 1
        while (root / f"Fold{n + 1}").is_dir():
            n += 1
        later = [p.name for p in root.glob("Fold*") if p.name[4:].isdigit()]
        gap = sorted(f for f in later if int(f[4:]) > n + 1)
        if gap:
            raise FileNotFoundError(f"{root}: {gap[0]} but no Fold{n + 1} (folds are Fold1..FoldK)")
        folds = tuple(flat(root, f"Fold{k}/") for k in range(1, n + 1))
    elif (root / "train.txt").is_file() and (root / "test.txt").is_file():
        folds = (flat(root, ""),)
    else:
        raise FileNotFoundError(
            f"{root}: no LETOR layout found; expected S1.txt..S5.txt, "
            "Fold1/{train,vali,test}.txt, or train.txt and test.txt"
        )
    return Facts(root.name, str(root), str(root), folds, n_features=None, given_path=True)


def key_name(arg: str) -> str:
    """The dataset's name in result keys: a known dataset's name, or a folder's own name and a
    hash of its files' content (8 hex digits), so the key does not depend on where it lies. Such
    a name, given where no folder has it, stands for itself (a dataset's identity,
    :func:`benchmark.core.catalog.dataset_identity`: ``report --dataset letor:mydata-1a2b3c4d``)."""
    if IDENTITY.fullmatch(arg) and not Path(arg).expanduser().is_dir():
        return arg
    facts = resolve(arg)
    if not facts.given_path:
        return facts.name
    root = Path(facts.folder)
    content = {f: digest(root / f) for f in facts.files if (root / f).is_file()}
    return f"{facts.name}-{hashlib.sha256(canonical_json(content).encode()).hexdigest()[:8]}"


def n_folds(arg: str) -> int:
    return len(resolve(arg).folds)


def flat(root: Path, prefix: str) -> Fold:
    """``train.txt`` + ``test.txt`` (+ ``vali.txt`` when present) under ``root/prefix``: a fold
    without vali (a flat folder, or a ``FoldK/`` without ``vali.txt``) gets its validation
    queries from train (``valid_fraction``, as a dataset without a vali file)."""
    vali = (f"{prefix}vali.txt",) if (root / f"{prefix}vali.txt").is_file() else ()
    return Fold((f"{prefix}train.txt",), vali, (f"{prefix}test.txt",))


def folder(facts: Facts, data_dir: Path) -> Path:
    """The dataset's folder: its own path, or its sub-folder of the data folder."""
    return Path(facts.folder) if facts.given_path else data_dir / facts.folder


def present(facts: Facts, data_dir: Path) -> bool:
    """Whether every file of the dataset (or of its alternative layout) is there."""
    root = folder(facts, data_dir)
    return all((root / f).is_file() for f in facts.files) or bool(
        facts.alternative
        and all(
            (root / f).is_file()
            for fold in facts.alternative
            for p in fold.parts().values()
            for f in p
        )
    )


def fold_files(facts: Facts, fold: int, data_dir: Path) -> dict[str, list[Path]]:
    """The paths of each part of fold ``fold`` (1-based), or a one-line error naming where it
    looked and what it expects."""
    if not 1 <= fold <= len(facts.folds):
        raise ValueError(f"dataset {facts.name!r} has folds 1..{len(facts.folds)}, not {fold}")
    root = folder(facts, data_dir)
    for layout in (facts.folds, facts.alternative):
        if not layout:
            continue
        chosen = layout[fold - 1].parts()
        needed = [f for files in chosen.values() for f in files]
        needed += [f + ".query" for f in needed] if facts.query_files else []
        if all((root / f).is_file() for f in needed):
            return {part: [root / f for f in files] for part, files in chosen.items()}
    absent = [f for f in facts.files if not (root / f).is_file()]
    problem = f"no folder {root}" if not root.is_dir() else f"{', '.join(absent)} missing in {root}"
    if facts.given_path:
        raise FileNotFoundError(f"dataset folder {root}: {problem}")
    raise FileNotFoundError(
        f"dataset {facts.name!r}: {problem}; expected {', '.join(facts.files)}; point --data-dir "
        f"(or BENCHMARK_DATA_DIR) at the folder that holds {facts.folder}/"
    )


def describe(prefix: str, data_dir: Path) -> list[dict[str, object]]:
    """One row per known dataset for ``python -m benchmark datasets``."""
    rows: list[dict[str, object]] = []
    for facts in KNOWN.values():
        is_there = present(facts, data_dir)
        rows.append(
            {
                "name": f"{prefix}:{facts.name}",
                "queries": facts.queries if facts.queries is not None else "?",
                "items": facts.docs if facts.docs is not None else "?",
                "features": facts.n_features,
                "labels": "/".join(map(str, facts.labels))
                if facts.labels
                else f"0..{facts.max_label}",
                "present": "yes" if is_there else "no",
                "where": "" if is_there else f"expected in {folder(facts, data_dir)}",
            }
        )
    return rows
