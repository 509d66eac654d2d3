"""What is wrong with one SVMLight/LETOR line: the slow path that turns a failed vectorised
parse (:mod:`datasets.svmlight`) into a message naming the file, line and problem."""

from __future__ import annotations

import math
import re

MAX_DIGITS = 7  # feature indices up to 9,999,999
INDEX = re.compile(rf"[0-9]{{1,{MAX_DIGITS}}}")
QID = re.compile(rb"\sqid:")  # a qid: token after the start of a line


def diagnose(
    raw: bytes | bytearray, use_qid: bool, n_features: int | None, base: int
) -> str | None:
    """What is wrong with one line (``None`` if nothing): the slow path for error messages."""
    body, _, comment = bytes(raw).partition(b"#")
    tokens = body.decode("latin-1").split()
    if not tokens:
        return None
    if not integral(tokens[0]):
        return f"label {tokens[0]!r} is not an integer"
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
        if not finite_number(value):
            return f"feature {index}: value {value!r} is not a finite number"
        indices.append(index)
    if n_features is not None and indices and indices[-1] >= base + n_features:
        return f"feature index {indices[-1]} > {base + n_features - 1} (the number of features)"
    if use_qid and QID.search(comment):
        return "a second qid: in the comment (rows run together? lines end in LF, CRLF or CR)"
    return None


def integral(text: str) -> bool:
    return finite_number(text) and float(text) == round(float(text))


def finite_number(text: str) -> bool:
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False
