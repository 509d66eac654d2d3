"""The line-level helpers of :mod:`datasets.svmlight`: what is wrong with one SVMLight/LETOR
line (the slow path that turns a failed vectorised parse into a message naming the file, line
and problem), the file's chunks of whole lines (LF, CRLF or CR ends) and ``.query`` files."""

from __future__ import annotations

import csv
import io
import math
import os
import re
import warnings
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from benchmark.core import progress
from benchmark.core.data import DataError

MAX_DIGITS = 7  # feature indices up to 9,999,999
INDEX = re.compile(rf"[0-9]{{1,{MAX_DIGITS}}}")
FLOAT32_MAX = float(np.finfo(np.float32).max)  # a larger value would become inf
MAX_LABEL = 2**31  # labels are relevance grades; a larger one would overflow as an integer
QID = re.compile(rb"\sqid:")  # a qid: token after the start of a line


def diagnose(
    raw: bytes | bytearray, use_qid: bool, n_features: int | None, base: int
) -> str | None:
    """What is wrong with one line (``None`` if nothing): the slow path for error messages."""
    body, _, comment = bytes(raw).partition(b"#")
    tokens = body.decode("latin-1").split()
    if not tokens:
        return None
    if label_problem(tokens[0]):
        return f"label {tokens[0]!r} {label_problem(tokens[0])}"
    rest = tokens[1:]
    qids = [t for t in rest if t.startswith("qid:")]
    if not use_qid and qids:
        return "unexpected qid: (query groups come from the .query file)"
    if use_qid:
        if not qids:
            return "missing qid:<id> after the label"
        if not rest[0].startswith("qid:") or len(qids) > 1:
            return "qid:<id> must come once, right after the label"
        if not integral(rest[0][4:]) or float(rest[0][4:]) < 0:
            return f"bad query id {rest[0]!r}"
        rest = rest[1:]
    indices: list[int] = []
    for tok in rest:
        key, _, value = tok.partition(":")
        if not INDEX.fullmatch(key) or not value or ":" in value:
            return f"expected <index>:<value>, got {tok!r}"
        index = int(key)
        if index < base:
            return f"feature index {index} < {base} (indices are {base}-based)"
        if indices and index <= indices[-1]:
            return f"feature index {index} after {indices[-1]} (indices must increase)"
        if value_problem(value):
            return f"feature {index}: value {value!r} {value_problem(value)}"
        indices.append(index)
    if n_features is not None and indices and indices[-1] >= base + n_features:
        return f"feature index {indices[-1]} > {base + n_features - 1} (the number of features)"
    if use_qid and QID.search(comment):
        return "a second qid: in the comment (rows run together? lines end in LF, CRLF or CR)"
    return None


def label_problem(text: str) -> str | None:
    """What is wrong with a label (None: nothing)."""
    if not integral(text):
        return "is not an integer"
    if abs(float(text)) >= MAX_LABEL:
        return "is out of range (at most 2^31 - 1 in size)"
    return None


def value_problem(text: str) -> str | None:
    """What is wrong with a feature value (None: nothing)."""
    if not finite_number(text):
        return "is not a finite number"
    if abs(float(text)) > FLOAT32_MAX:
        return "is beyond float32's range (3.4e38)"
    return None


def integral(text: str) -> bool:
    return finite_number(text) and float(text) == round(float(text))


def finite_number(text: str) -> bool:
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False


def numbers(text: bytes | bytearray, sep: str, width: int) -> np.ndarray | None:
    """The numbers of ``text`` (colons made spaces) in ``width`` columns per line, NaN-padded;
    None when a line has more fields than that (an extra field must neither become pandas'
    index, which shifted a line's label and qid, nor be dropped) or a field is not a number."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", pd.errors.ParserWarning)  # fields beyond ``width``
        try:
            frame = pd.read_csv(
                io.BytesIO(text),
                sep=sep,
                header=None,
                names=range(width),
                comment="#",
                dtype=np.float64,
                engine="c",
                encoding="latin-1",
                quoting=csv.QUOTE_NONE,
                index_col=False,
            )
        except (ValueError, pd.errors.ParserError, pd.errors.ParserWarning):
            return None
    return frame.to_numpy(dtype=np.float64)


def chunks(path: Path, chunk_bytes: int) -> Iterator[tuple[int, bytearray]]:
    """Yield ``(number of the first line, whole lines ending in a newline)``, about
    ``chunk_bytes`` at a time (:data:`datasets.svmlight.CHUNK_BYTES`). Lines may end in LF,
    CRLF or a lone CR (old Mac files):
    the line ends of a chunk with a lone CR become LF, so the three read the same."""
    line = 1
    size = path.stat().st_size
    with (
        open(path, "rb") as fh,
        progress.bar(total=size, desc=f"reading {path.name}", unit="B", unit_scale=True) as bar,
    ):
        while block := bytearray(fh.read(chunk_bytes)):
            block += rest_of_line(fh, block)
            bar.update(len(block))
            if block.count(b"\r") != block.count(b"\r\n"):  # (a CRLF's CR is a blank)
                block = block.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
            if not block.endswith(b"\n"):
                block += b"\n"
            yield line, block
            line += block.count(b"\n")


def rest_of_line(fh: io.BufferedReader, block: bytearray) -> bytes:
    """What follows ``block`` in ``fh`` up to the end of its last line: through the next LF or
    CR (and the LF of a CRLF cut after its CR), or to the end of the file."""
    rest = bytearray()
    while not (rest or block).endswith((b"\n", b"\r")) and (piece := fh.read(1 << 16)):
        ends = [i for i in (piece.find(b"\n"), piece.find(b"\r")) if i >= 0]
        end = min(ends, default=len(piece) - 1) + 1
        rest += piece[:end]
        fh.seek(end - len(piece), os.SEEK_CUR)
    if (rest or block).endswith(b"\r") and fh.peek(1)[:1] == b"\n":
        rest += fh.read(1)
    return bytes(rest)


def read_query_file(path: str | Path, n_rows: int) -> np.ndarray:
    """Per-row query ids ``0..n-1`` from a file of group sizes (one positive integer a line)."""
    sizes = []
    with open(path, "rb") as fh:
        for number, raw in enumerate(fh, start=1):
            text = raw.decode("latin-1").strip()
            if not text:
                continue
            if not text.isascii() or not text.isdigit() or int(text) == 0:
                raise DataError(f"{path}:{number}: expected a positive group size, got {text!r}")
            sizes.append(int(text))
    if sum(sizes) != n_rows:
        raise DataError(f"{path}: group sizes sum to {sum(sizes)} but the data has {n_rows} rows")
    return np.repeat(np.arange(len(sizes), dtype=np.int64), sizes)
