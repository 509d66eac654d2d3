"""Reading Qilin's tables: Hugging Face parquet shards (``<name>/*.parquet``) or the CSV
layout of the shared sample (``<name>.csv``, list columns stored as Python/numpy reprs)."""

from __future__ import annotations

import ast
import hashlib
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from benchmark.core.config import canonical_json
from datasets.checksums import digest

RECORD = re.compile(r"\{[^{}]*\}")
NAN = re.compile(r"\bnan\b")


def records(value: Any) -> list[dict[str, Any]]:
    """The list of dicts of a ``search_result_details_with_idx`` cell (parquet list of
    structs, or its numpy repr in the CSV layout, where missing values read ``nan``)."""
    if isinstance(value, str):
        return [ast.literal_eval(NAN.sub("None", m)) for m in RECORD.findall(value)]
    return [dict(v) for v in value]


def numbers(value: Any) -> np.ndarray:
    """A numeric list cell (an embedding) as float64; a repr string is parsed."""
    if isinstance(value, str):
        return np.array(value.strip().strip("[]").split(), dtype=np.float64)
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return np.zeros(0)
    return np.asarray(value, dtype=np.float64)


def folder(arg: str, data_dir: Path) -> Path:
    path = Path(arg).expanduser()
    return path if path.is_dir() or path.is_absolute() else data_dir / arg


def shards(root: Path, name: str) -> list[Path]:
    """The files of a table: ``<name>/*.parquet`` shards, else ``<name>.csv``, else none."""
    parquet = sorted((root / name).glob("*.parquet")) if (root / name).is_dir() else []
    return parquet or [p for p in [root / f"{name}.csv"] if p.is_file()]


def read_file(
    path: Path, columns: list[str] | None, notes: list[int] | None = None
) -> pd.DataFrame:
    """One shard; ``notes`` keeps only those ``note_idx`` (pushed down into parquet reads)."""
    if path.suffix == ".parquet":
        filters = [("note_idx", "in", notes)] if notes is not None else None
        return pd.read_parquet(path, columns=columns, filters=filters)
    frame = pd.read_csv(path, usecols=columns)
    return frame if notes is None else frame[frame.note_idx.isin(notes)]


def read_table(root: Path, name: str, columns: list[str] | None = None) -> pd.DataFrame:
    """A whole table from ``<root>/<name>/*.parquet`` or ``<root>/<name>.csv``."""
    found = shards(root, name)
    if not found:
        raise FileNotFoundError(
            f"qilin: table {name!r} not found in {root}: expected {name}/*.parquet (Hugging "
            f"Face THUIR/Qilin layout) or {name}.csv"
        )
    return pd.concat([read_file(f, columns) for f in found], ignore_index=True)


def overlap(query: str, text: str) -> float:
    """Share of the query's distinct non-space characters that occur in ``text``."""
    chars = {c for c in query if not c.isspace()}
    return sum(c in text for c in chars) / len(chars) if chars else 0.0


def embedding_cosine(
    root: Path, items: pd.DataFrame, question: dict[str, np.ndarray]
) -> np.ndarray:
    """Cosine of each item's note embedding with its search's question embedding, one notes
    shard at a time (only the displayed notes' embeddings are read)."""
    out = np.zeros(len(items))
    wanted = sorted(set(items.note_idx.tolist()))
    for path in shards(root, "notes"):
        notes = read_file(path, ["note_idx", "note_embedding"], wanted)
        vectors = dict(zip(notes.note_idx.astype(int), notes.note_embedding, strict=True))
        for k in np.flatnonzero(items.note_idx.isin(vectors.keys()).to_numpy()):
            a = question.get(items.qid.iat[k], np.zeros(0))
            b = numbers(vectors[int(items.note_idx.iat[k])])
            norm = np.linalg.norm(a) * np.linalg.norm(b)
            if len(a) == len(b) and norm > 0:
                out[k] = float(a @ b / norm)
    return out


def content(root: Path) -> dict[str, str]:
    """The sha256 of every table file (cached), by path under ``root``."""
    tables = ("search_train", "search_test", "notes", "user_feat")
    return {p.relative_to(root).as_posix(): digest(p) for t in tables for p in shards(root, t)}


def key_name(arg: str | None) -> str:
    """A name in the data folder as is; a folder path by its name and a content hash."""
    path = Path(str(arg)).expanduser()
    if not (path.is_dir() or path.is_absolute()):
        return str(arg)
    digest_ = hashlib.sha256(canonical_json(content(path)).encode()).hexdigest()[:8]
    return f"{path.resolve().name}-{digest_}"
