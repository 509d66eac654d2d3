"""Real ranking datasets declared as data (the ir_datasets way): where their files live, what
they hold, and checks that the files on disk are those files.

The data folder is ``$BENCHMARK_DATA_DIR`` (``--data-dir`` sets it) or, when unset,
``<project>/../shared/data``. Each known dataset lives in its own sub-folder and declares its
files, fold layout, sha256 checksums (for the files whose bytes we know, from the
``PROVENANCE.md`` of the shipped copies) and expected counts over the whole dataset: queries,
documents, features and the label histogram (``None`` where no verified source gives it). A
checksum or count mismatch is a :class:`~benchmark.core.data.DataError`.

Checksums are verified once per file version: the verified ``(path, size, mtime)`` are
remembered in ``~/.cache/wholepage-bench/sha256.json`` so large files are not re-hashed on
every run.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from benchmark.core.data import DataError
from datasets.svmlight import LtrFile, read_svmlight

PROJECT = Path(__file__).resolve().parent.parent
SPLIT_FILES = ("train", "vali", "test")


@dataclass(frozen=True)
class Fold:
    """The files of each part of one fold (several files are concatenated)."""

    train: tuple[str, ...]
    vali: tuple[str, ...]
    test: tuple[str, ...]

    def parts(self) -> dict[str, tuple[str, ...]]:
        return {"train": self.train, "vali": self.vali, "test": self.test}


def rotation(parts: tuple[str, ...]) -> tuple[Fold, ...]:
    """LETOR's five folds over parts S1..S5: train = 3 parts, vali = the next, test = the
    last (Fold1 = S1,S2,S3 | S4 | S5; Fold2 = S2,S3,S4 | S5 | S1; ...)."""
    n = len(parts)
    return tuple(
        Fold(
            tuple(parts[(k + j) % n] for j in range(3)),
            (parts[(k + 3) % n],),
            (parts[(k + 4) % n],),
        )
        for k in range(n)
    )


def fold_dirs(n: int = 5) -> tuple[Fold, ...]:
    """Folds materialised as ``FoldK/{train,vali,test}.txt`` (the MSLR layout)."""
    return tuple(
        Fold((f"Fold{k}/train.txt",), (f"Fold{k}/vali.txt",), (f"Fold{k}/test.txt",))
        for k in range(1, n + 1)
    )


@dataclass(frozen=True)
class Facts:
    """A known dataset. Counts are over the whole dataset, i.e. over all files of any fold."""

    name: str
    title: str
    folder: str
    folds: tuple[Fold, ...]
    n_features: int | None
    queries: int | None = None
    docs: int | None = None
    labels: tuple[int, ...] | None = None  # histogram of labels 0, 1, ...
    max_label: int = 4
    sha256: dict[str, str] = field(default_factory=dict)
    query_files: bool = False  # groups from ``<file>.query`` instead of ``qid:``
    alternative: tuple[Fold, ...] = ()  # used when a file of ``folds`` is missing
    source: str = ""

    @property
    def files(self) -> tuple[str, ...]:
        names = dict.fromkeys(f for fold in self.folds for p in fold.parts().values() for f in p)
        if self.query_files:
            names.update(dict.fromkeys(f + ".query" for f in list(names)))
        return tuple(names)


LETOR_PARTS = tuple(f"S{k}.txt" for k in range(1, 6))
MQ2008_SHA256 = {
    "S1.txt": "cbd42504549a2388f6c0aefdb506f22074225b574c7a5df10194174c9b00e4e0",
    "S2.txt": "055ac792cb8f7d5a029090b8acbfb6c57323339d1371251bf2465ac182aa8605",
    "S3.txt": "a03fe2b6e76479de60fecdb37d560a40a4e899b0cd685553d2da31ea205af1ab",
    "S4.txt": "a239850bc6fe960ad08c2b7b0d99db90fe976dd93a15358e98036591b4e7a2ac",
    "S5.txt": "c68c52feb1ecae7f17b64c8e2fda2098302681bbd4ea5fad8c73a1d32a1cf2b2",
    "Fold1/train.txt": "9b98c14e9536f2a18c59670714c99defc63e74359c56cba219a61db248f27123",
    "Fold1/vali.txt": "a239850bc6fe960ad08c2b7b0d99db90fe976dd93a15358e98036591b4e7a2ac",
    "Fold1/test.txt": "c68c52feb1ecae7f17b64c8e2fda2098302681bbd4ea5fad8c73a1d32a1cf2b2",
}
OHSUMED_SHA256 = {
    "S1.txt": "77db6790a7023ed6d9bd2b9b2fa8528e1d82aa7e896863d3ed844f635870fbe2",
    "S2.txt": "935539d33380570cdee765e38f8c2796cb4c04d01a50e50374e8bc7d45872571",
    "S3.txt": "1d1ff784d9fdc4cd491a0d70fdd4dfb1adada943a0eb2e3954d74187158160da",
    "S4.txt": "49975c7319672e4fba82d00c69911b8514752bb2610077a5f432d7efc2fa5fc0",
    "S5.txt": "526f9158b85fb9b6446f9c87e1ccc428f7e54d639800e108c091cb70706a88e6",
    "Fold1/train.txt": "36f7d7d08b5adc6e7a66ec34a6240674b584086ba621eaa04915b4ce7a2b687f",
    "Fold1/vali.txt": "49975c7319672e4fba82d00c69911b8514752bb2610077a5f432d7efc2fa5fc0",
    "Fold1/test.txt": "526f9158b85fb9b6446f9c87e1ccc428f7e54d639800e108c091cb70706a88e6",
}
LIGHTGBM_SHA256 = {
    "rank.train": "a0c7201c89120879c14a5059e091f441cbf2a29b8aaef363885ccb1a530448df",
    "rank.train.query": "40cb5fef637229311cd30fab13cb7fb633b023e86a87ff04ec55db420143d6af",
    "rank.test": "3b1219ce117a0a36d2f76c02de7e7831c1d79af0d40f5195c03178bbe26c824b",
    "rank.test.query": "36dca82ba3bf99201bac3987b00a8fbf6fe5f563e9fa6d0da90e783710a32df4",
}
MSLR = "microsoft.com/en-us/research/project/mslr"
YAHOO = "Chapelle & Chang, JMLR W&CP 14 (2011); counts from MSR's LETOR yahoodata page"
KNOWN: dict[str, Facts] = {
    facts.name: facts
    for facts in (
        Facts(
            name="mq2008",
            title="LETOR 4.0 MQ2008 (supervised, QueryLevelNorm)",
            folder="mq2008",
            folds=rotation(LETOR_PARTS),
            alternative=fold_dirs(),
            n_features=46,
            queries=784,
            docs=15211,
            labels=(12279, 2001, 931),
            max_label=2,
            sha256=MQ2008_SHA256,
            source="Qin & Liu, arXiv:1306.2597; ../shared/data/mq2008/PROVENANCE.md",
        ),
        Facts(
            name="ohsumed",
            title="LETOR 3.0 OHSUMED (QueryLevelNorm)",
            folder="ohsumed",
            folds=rotation(LETOR_PARTS),
            alternative=fold_dirs(),
            n_features=45,
            queries=106,
            docs=16140,
            labels=(11303, 2585, 2252),
            max_label=2,
            sha256=OHSUMED_SHA256,
            source="Qin et al., Inf. Retr. 13(4), 2010; ../shared/data/ohsumed/PROVENANCE.md",
        ),
        Facts(
            name="yahoo-sample",
            title="LightGBM lambdarank example data (a sample of Yahoo! LTR C14)",
            folder="lightgbm_lambdarank",
            folds=(Fold(("rank.train",), (), ("rank.test",)),),
            query_files=True,
            n_features=300,
            queries=251,
            docs=3773,
            labels=(851, 1467, 1110, 266, 79),
            sha256=LIGHTGBM_SHA256,
            source="microsoft/LightGBM examples/lambdarank; "
            "../shared/data/lightgbm_lambdarank/PROVENANCE.md",
        ),
        Facts("mslr-web10k", "MSLR-WEB10K", "MSLR-WEB10K", fold_dirs(), 136, 10000, source=MSLR),
        Facts("mslr-web30k", "MSLR-WEB30K", "MSLR-WEB30K", fold_dirs(), 136, source=MSLR),
        Facts(
            name="yahoo-set1",
            title="Yahoo! LTR Challenge C14, set 1",
            folder="yahoo",
            folds=(Fold(("set1.train.txt",), ("set1.valid.txt",), ("set1.test.txt",)),),
            n_features=700,
            queries=29921,
            docs=709877,
            source=YAHOO,
        ),
        Facts(
            name="yahoo-set2",
            title="Yahoo! LTR Challenge C14, set 2",
            folder="yahoo",
            folds=(Fold(("set2.train.txt",), ("set2.valid.txt",), ("set2.test.txt",)),),
            n_features=700,
            queries=6330,
            docs=172870,
            source=YAHOO,
        ),
        Facts(
            name="istella",
            title="Istella LETOR (full)",
            folder="istella",
            folds=(Fold(("train.txt",), (), ("test.txt",)),),
            n_features=220,
            docs=10454629,
            source="TFDS catalog, istella/main",
        ),
        Facts(
            name="istella-s",
            title="Istella-S LETOR",
            folder="istella-s",
            folds=(Fold(("train.txt",), ("vali.txt",), ("test.txt",)),),
            n_features=220,
            docs=3408630,
            source="TFDS catalog, istella/s",
        ),
    )
}


def resolve(arg: str) -> Facts:
    """A known dataset by name, or an undeclared folder of LETOR files given by its path:
    ``S1.txt..S5.txt`` (LETOR rotation), ``Fold1..FoldK/{train,vali,test}.txt``, or
    ``train.txt`` + ``test.txt`` (+ ``vali.txt``). Undeclared folders have no checksums or
    expected counts."""
    if arg in KNOWN:
        return KNOWN[arg]
    root = Path(arg).expanduser().resolve()
    if not root.is_dir():
        raise ValueError(
            f"{arg!r} is neither a known dataset ({', '.join(KNOWN)}) nor a folder of LETOR files"
        )
    if all((root / f).is_file() for f in LETOR_PARTS):
        folds = rotation(LETOR_PARTS)
    elif (root / "Fold1" / "train.txt").is_file():
        folds = fold_dirs(sum((root / f"Fold{k}").is_dir() for k in range(1, 6)))
    elif (root / "train.txt").is_file() and (root / "test.txt").is_file():
        vali = ("vali.txt",) if (root / "vali.txt").is_file() else ()
        folds = (Fold(("train.txt",), vali, ("test.txt",)),)
    else:
        raise FileNotFoundError(
            f"{root}: no LETOR layout found; expected S1.txt..S5.txt, "
            "Fold1/{train,vali,test}.txt, or train.txt and test.txt"
        )
    return Facts(root.name, str(root), str(root), folds, n_features=None, max_label=4)


def data_dir() -> Path:
    """``$BENCHMARK_DATA_DIR``, else ``<project>/../shared/data``."""
    env = os.environ.get("BENCHMARK_DATA_DIR")
    return Path(env) if env else PROJECT.parent / "shared" / "data"


def where_from() -> str:
    env = os.environ.get("BENCHMARK_DATA_DIR")
    return (
        "--data-dir / $BENCHMARK_DATA_DIR"
        if env
        else "the default data folder (no --data-dir, BENCHMARK_DATA_DIR unset)"
    )


def folder(facts: Facts) -> Path:
    return data_dir() / facts.folder


def present(facts: Facts) -> bool:
    """Whether every file of the dataset (or of its alternative layout) is there."""
    root = folder(facts)
    return all((root / f).is_file() for f in facts.files) or bool(
        facts.alternative
        and all(
            (root / f).is_file()
            for fold in facts.alternative
            for p in fold.parts().values()
            for f in p
        )
    )


def fold_files(facts: Facts, fold: int) -> dict[str, list[Path]]:
    """The paths of each part of fold ``fold`` (1-based), or a one-line error naming where it
    looked and what it expects."""
    if not 1 <= fold <= len(facts.folds):
        raise ValueError(f"dataset {facts.name!r} has folds 1..{len(facts.folds)}, not {fold}")
    root = folder(facts)
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
    raise FileNotFoundError(
        f"dataset {facts.name!r}: {problem} (data folder from {where_from()}); expected "
        f"{', '.join(facts.files)}; point --data-dir or BENCHMARK_DATA_DIR at the folder that "
        f"holds {facts.folder}/"
    )


def cache_file() -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    return base / "wholepage-bench" / "sha256.json"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(1 << 22):
            digest.update(block)
    return digest.hexdigest()


def verify_sha256(path: Path, expected: str) -> None:
    """Raise :class:`DataError` unless ``path`` has the digest ``expected``; a verified
    ``(path, size, mtime)`` is remembered and not hashed again."""
    stat = path.stat()
    key = str(path.resolve())
    stamp = {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "sha256": expected}
    cache_path = cache_file()
    try:
        cache = json.loads(cache_path.read_text())
    except (OSError, ValueError):
        cache = {}
    if cache.get(key) == stamp:
        return
    actual = sha256_of(path)
    if actual != expected:
        raise DataError(
            f"{path}: sha256 is {actual}, expected {expected} (a different or "
            "damaged copy; see the dataset's PROVENANCE)"
        )
    cache[key] = stamp
    try:
        cache_path.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache_path.with_name(f".{cache_path.name}.{os.getpid()}")
        tmp.write_text(json.dumps(cache, indent=1, sort_keys=True))
        os.replace(tmp, cache_path)
    except OSError:
        pass  # a read-only home only costs re-hashing next time


def read_file(facts: Facts, path: Path) -> LtrFile:
    """Verify the checksums we know for ``path`` (and its ``.query`` file), then read it."""
    root = folder(facts)
    query = path.with_name(path.name + ".query") if facts.query_files else None
    for p in (path, query):
        if p is not None and (digest := facts.sha256.get(p.relative_to(root).as_posix())):
            verify_sha256(p, digest)
    return read_svmlight(path, facts.n_features, query_file=query)


def read_fold(facts: Facts, fold: int) -> dict[str, LtrFile]:
    """Read, concatenate and check the files of each part of a fold. Query ids of files
    without ``qid:`` are numbered on from the previous file so they stay unique."""
    parts: dict[str, LtrFile] = {}
    offset = 0
    for part, paths in fold_files(facts, fold).items():
        if not paths:
            continue
        loaded = [read_file(facts, p) for p in paths]
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
    check_counts(facts, parts)
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


def check_counts(facts: Facts, parts: dict[str, LtrFile]) -> None:
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
        raise DataError(f"dataset {facts.name!r} in {folder(facts)}: " + "; ".join(wrong))


def describe(prefix: str) -> list[dict[str, object]]:
    """One row per known dataset for ``python -m benchmark datasets``."""
    rows: list[dict[str, object]] = []
    for facts in KNOWN.values():
        is_there = present(facts)
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
                "where": "" if is_there else f"expected in {folder(facts)}",
            }
        )
    return rows
