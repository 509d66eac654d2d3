"""A fast SVMLight/LETOR reader: ``<label> qid:<id> <index>:<value> ... # comment`` -> float32.

Two passes over the file, in chunks of whole lines: the first counts the data rows and finds
the largest feature index, the second fills a preallocated ``rows x features`` float32 array.
Peak memory is that array plus one chunk's working set (``python -m
benchmark.tools.memcheck_svmlight`` measures it). Each chunk is scanned with vectorised numpy: the
``# comment`` of a line is dropped, the ``<index>:`` prefixes are parsed from the bytes, and
what is left (label, qid, values) is parsed by pandas' C float parser.

The dense width is bounded (:mod:`datasets.svmlight_checks`): at most ``MAX_FEATURES`` columns
(a wider file is a :class:`~benchmark.core.data.DataError` naming the line) and no more memory
than is available (a :class:`MemoryError` with a one-line message).

Text is handled as bytes (a latin-1 comment never breaks decoding); blank lines are skipped;
lines may end in LF, CRLF or a lone CR, which read the same. A ``qid:`` token in a comment is
refused (two rows run together by line ends the reader does not know would otherwise be one).
Labels and query ids must be integers (ids are exact int64: those from 2^53 on, where float64
is not exact, are read again from their digits), feature indices must increase within a line,
values must be finite: a malformed line raises :class:`~benchmark.core.data.DataError` with
the message ``<file>:<line>: <problem>``. Files without ``qid:`` (the LightGBM sample) take
their query groups from a ``.query`` file of group sizes (:func:`read_query_file`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import numpy as np

from benchmark.core.data import DataError
from datasets.svmlight_checks import (
    MAX_FEATURES,
    check_contiguous,
    check_start,
    dense_array,
    too_wide,
)
from datasets.svmlight_lines import (
    FLOAT32_MAX,
    MAX_DIGITS,
    MAX_LABEL,
    chunks,
    diagnose,
    numbers,
    read_query_file,
)

#: Raised when a file may parse to other arrays than before (2: exact qids from 2^53 on, CR line
#: ends): part of the fingerprint of an undeclared folder (:func:`datasets.letor.fingerprint`),
#: so its cells and qrels of the older reader are not reused. Declared datasets' files are
#: checksummed and parse as before (their cells keep their run ids).
VERSION = "2"
CHUNK_BYTES = 32 << 20
WHITESPACE = np.zeros(256, dtype=bool)
WHITESPACE[[9, 10, 11, 12, 13, 32]] = True
NEWLINE, HASH, COLON = 10, 35, 58
TAIL = 32  # bytes searched back from a line's end for its last colon
SPACES = bytes.maketrans(b":\t\r\x0b\x0c", b"     ")


@dataclass(frozen=True, eq=False)
class LtrFile:
    """The rows of one ranking file: ``labels`` (int64), ``qids`` (int64), ``features``
    (float32, rows x features); rows of a query are contiguous."""

    path: Path
    labels: np.ndarray
    qids: np.ndarray
    features: np.ndarray

    @property
    def n_rows(self) -> int:
        return len(self.labels)


def read_svmlight(
    path: str | Path,
    n_features: int | None = None,
    *,
    query_file: str | Path | None = None,
    zero_based: bool = False,
) -> LtrFile:
    """Read a ranking file. Every line needs ``qid:`` unless ``query_file`` (group sizes) is
    given, in which case no line may have one. ``n_features`` fixes the column count (an index
    beyond it is an error); by default it is the largest index in the file."""
    path, base, use_qid = Path(path), 0 if zero_based else 1, query_file is None
    rows, top = 0, base - 1
    check_start(path)  # no byte-order mark
    for first_line, buf in chunks(path, CHUNK_BYTES):
        lines = Lines(buf, first_line, path)
        rows += lines.n_rows
        if n_features is None:
            top = max(top, lines.max_index(base))
            if top - base + 1 > MAX_FEATURES:
                raise too_wide(path, buf, first_line, base)
    if rows == 0:
        raise DataError(f"{path}: no data rows (empty file)")
    width = n_features if n_features is not None else top - base + 1
    features = dense_array(path, rows, width)
    labels = np.zeros(rows, dtype=np.int64)
    qids = np.zeros(rows, dtype=np.int64)
    row_line = np.zeros(rows, dtype=np.int64)
    row = 0
    for first_line, buf in chunks(path, CHUNK_BYTES):
        scan = Scan(buf, first_line, path, use_qid)
        end = row + scan.n_rows
        labels[row:end], qids[row:end] = scan.fill(features[row:end], base)
        row_line[row:end] = scan.data_lines
        row = end
    if query_file is None:
        check_contiguous(path, qids, row_line)
    else:
        qids = read_query_file(query_file, rows)
    return LtrFile(path, labels, qids, features)


class Lines:
    """Where the lines of a chunk start and where their data ends (their first ``#`` or
    newline), and which lines hold data: enough to count rows, from two byte searches."""

    def __init__(self, buf: bytearray, first_line: int, path: Path) -> None:
        self.buf, self.first_line, self.path = buf, first_line, path
        self.bytes = a = np.frombuffer(buf, dtype=np.uint8)
        self.ends = newline = np.flatnonzero(a == NEWLINE)
        self.starts = np.r_[0, newline[:-1] + 1]
        self.body_end = newline.copy()
        hashes = np.flatnonzero(a == HASH)
        if len(hashes):
            line = np.searchsorted(newline, hashes)
            first = np.r_[True, line[1:] != line[:-1]]
            self.body_end[line[first]] = hashes[first]
        lead = a[self.starts]
        self.data = ~WHITESPACE[lead] & (lead != HASH)
        for k in np.flatnonzero(WHITESPACE[lead] & (lead != NEWLINE)).tolist():
            self.data[k] = bool(buf[self.starts[k] : self.body_end[k]].strip())

    @property
    def n_rows(self) -> int:
        return int(self.data.sum())

    @property
    def data_lines(self) -> np.ndarray:
        """File line numbers of the data rows."""
        return self.first_line + np.flatnonzero(self.data)

    def max_index(self, base: int) -> int:
        """The largest feature index of the chunk: the index of each line's last pair (indices
        must increase along a line, which :meth:`Scan.fill` checks), found in the last
        :data:`TAIL` bytes of the line's data."""
        a, ends = self.bytes, self.body_end[self.data]
        pos = ends[:, None] - np.arange(1, TAIL + 1)
        tail = a[np.maximum(pos, 0)]
        is_colon = (tail == COLON) & (pos >= self.starts[self.data][:, None])
        colon = ends - 1 - np.argmax(is_colon, axis=1)
        found = is_colon.any(axis=1)
        value = np.zeros(len(ends), dtype=np.int64)
        before = [a.take(colon - j, mode="clip") for j in (1, 2, 3)]  # a colon at 0..2: no qid
        alive = found & ~((before[0] == 100) & (before[1] == 105) & (before[2] == 113))
        for j in range(1, MAX_DIGITS + 1):
            byte = a[np.maximum(colon - j, 0)].astype(np.int64)
            alive &= (colon - j >= 0) & (byte >= 48) & (byte <= 57)
            value += np.where(alive, (byte - 48) * 10 ** (j - 1), 0)
        top = int(value.max(initial=base - 1))
        for k in np.flatnonzero(self.data)[~found].tolist():  # long values, trailing blanks
            head, _, _ = bytes(self.buf[self.starts[k] : self.body_end[k]]).rpartition(b":")
            key = head.rsplit(None, 1)[-1] if head.strip() else b""
            top = max(top, int(key) if key.isdigit() else top)
        return top

    def fail(
        self, lines: np.ndarray | None, use_qid: bool, n_features: int | None, base: int
    ) -> NoReturn:
        """Raise a :class:`DataError` naming the first malformed line among ``lines`` (all
        lines when ``None``)."""
        raw = self.buf.split(b"\n")
        for k in range(len(raw) - 1) if lines is None else lines.tolist():
            problem = diagnose(raw[k], use_qid, n_features, base)
            if problem or lines is not None:
                where = f"{self.path}:{self.first_line + k}"
                raise DataError(f"{where}: {problem or 'malformed line'}")
        last = self.first_line + len(raw) - 2
        raise DataError(f"{self.path}: lines {self.first_line}..{last}: malformed data")


class Scan(Lines):
    """A chunk ready to parse: per line, the ``qid:`` markers and ``<index>:<value>`` pairs
    before the comment, counted from the positions of the colons."""

    def __init__(self, buf: bytearray, first_line: int, path: Path, use_qid: bool) -> None:
        super().__init__(buf, first_line, path)
        self.use_qid = use_qid
        a = self.bytes
        colon = np.flatnonzero(a == COLON)
        is_qid = np.zeros(len(colon), dtype=bool)
        far = colon >= 3
        c = colon[far]
        is_qid[far] = (
            (a[c - 3] == 113)
            & (a[c - 2] == 105)
            & (a[c - 1] == 100)
            & ((c == 3) | WHITESPACE[a[np.maximum(c - 4, 0)]])
        )
        lo = np.asarray(np.searchsorted(colon, self.starts))
        hi = np.asarray(np.searchsorted(colon, self.body_end))
        qid_before = np.r_[0, np.cumsum(is_qid)]
        n_qid = qid_before[hi] - qid_before[lo]
        self.n_pairs = hi - lo - n_qid
        bad = self.data & (n_qid != int(use_qid))
        has_qid = n_qid > 0
        bad[has_qid] |= ~is_qid[lo[has_qid]]  # qid: must come before every pair
        if use_qid:  # a qid: in the comment too: rows run together (unknown line ends?)
            bad |= self.data & (qid_before[np.searchsorted(colon, self.ends)] - qid_before[lo] > 1)
        if bad.any():
            self.fail(np.flatnonzero(bad), use_qid, None, 0)

    def fill(self, out: np.ndarray, base: int) -> tuple[np.ndarray, np.ndarray]:
        """Parse the chunk's numbers into ``out`` (one row per data line); return the labels
        and qids. Every line must read ``label [qid] index value index value ...`` once the
        colons are spaces, with integral labels and qids and increasing in-range indices."""
        n_rows, width = out.shape
        if n_rows == 0:  # a chunk of comments and blank lines
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        q = int(self.use_qid)
        pairs = self.n_pairs[self.data]
        values, inside, ok = self.parse_values(1 + q + 2 * pairs, base)
        labels = values[:, 0]
        ok &= (labels == np.round(labels)) & (np.abs(labels) < MAX_LABEL)
        if q:
            ok &= (values[:, 1] == np.round(values[:, 1])) & (values[:, 1] >= 0)
        value = values[:, 2 + q :: 2]
        ok &= ~(np.abs(value) > FLOAT32_MAX).any(axis=1)  # NaN (padding) compares False
        index = values[:, 1 + q :: 2][:, : value.shape[1]]
        dense = (pairs == width).all() and (index[:, :width] == np.arange(base, base + width)).all()
        if not dense:
            valid = inside[:, 2 + q :: 2]
            good = (index == np.round(index)) & (index >= base) & (index < base + width)
            ok &= (good | ~valid).all(axis=1)
            ok &= ((index[:, 1:] > index[:, :-1]) | ~valid[:, 1:]).all(axis=1)
        if not ok.all():
            self.fail(np.flatnonzero(self.data)[~ok], self.use_qid, width, base)
        if dense:
            out[:] = value[:, :width]  # every line has the indices base..base + width - 1
        else:
            rows = np.broadcast_to(np.arange(n_rows)[:, None], valid.shape)
            out[rows[valid], index[valid].astype(np.int64) - base] = value[valid]
        qids = self.exact_qids(values[:, 1]) if q else np.zeros(n_rows, dtype=np.int64)
        return labels.astype(np.int64), qids

    def exact_qids(self, parsed: np.ndarray) -> np.ndarray:
        """The query ids as exact int64: the float64 ``parsed`` ones while every id is below
        2^53 (where float64 is exact), else each id read again from its digits (two ids above
        2^53 may round to one float64)."""
        if not len(parsed) or parsed.max() < 2.0**53:
            return parsed.astype(np.int64)
        lines = np.flatnonzero(self.data).tolist()
        return np.array([self.exact_qid(k) for k in lines], dtype=np.int64)

    def exact_qid(self, k: int) -> int:
        """The query id of line ``k`` of the chunk, from its text (digits, below 2^63)."""
        body = bytes(self.buf[self.starts[k] : self.body_end[k]])
        text = body.split(b"qid:", 1)[1].split(None, 1)[0].decode("latin-1")
        if not (text.isascii() and text.isdigit() and int(text) < 2**63):
            where = f"{self.path}:{self.first_line + k}"
            raise DataError(
                f"{where}: query id {text!r}: ids from 2^53 on must be written in digits and "
                "be at most 2^63 - 1"
            )
        return int(text)

    def parse_values(
        self, expected: np.ndarray, base: int
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Label, qid and the index/value numbers of each data line (NaN-padded), which
        columns should hold a number, and which rows have numbers exactly there. Single spaces
        parse fast; other whitespace falls back to ``\\s+``."""
        text = self.buf.replace(b"qid:", b"").translate(SPACES)
        width = int(expected.max()) + 1
        inside = np.arange(width) < expected[:, None]
        for sep in (" ", r"\s+"):
            values = numbers(text, sep, width)
            if values is None:
                continue
            if np.isnan(values[:, 0]).any():  # whitespace-only lines
                values = values[~np.isnan(values).all(axis=1)]
            if len(values) != self.n_rows:
                continue
            ok = (np.isfinite(values) == inside).all(axis=1)
            if ok.all() or sep != " ":
                return values, inside, ok
        self.fail(None, self.use_qid, None, base)
