"""Checks of a whole SVMLight/LETOR file before and after it is read
(:mod:`datasets.svmlight`): the dense width and memory bound, and contiguous queries.

The reader returns a dense ``rows x features`` float32 array whose width is the largest feature
index of the file unless the dataset declares it. A stray index (``9999999:0.5``, a typo) would
make that array absurdly wide, so:

* a file whose largest index exceeds :data:`MAX_FEATURES` (100,000; the widest real LTR data
  we know, Yahoo! C14, has 700 feature ids) is refused, naming the line of the index;
* an array that would need more memory than is available (``MemAvailable`` of
  ``/proc/meminfo``, and the cgroup limit where one is set) is refused before it is allocated
  (a :class:`MemoryError` with a one-line message: the CLI's exit status 1).
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import numpy as np

from benchmark.core.data import DataError

MAX_FEATURES = 100_000


#: byte-order marks: the file is not the ASCII text the reader takes
MARKS = {
    b"\xef\xbb\xbf": "a UTF-8 byte-order mark (save it without one)",
    b"\xff\xfe": "a UTF-16 byte-order mark: it is UTF-16 text (save it as ASCII or UTF-8)",
    b"\xfe\xff": "a UTF-16 byte-order mark: it is UTF-16 text (save it as ASCII or UTF-8)",
}


def check_start(path: Path) -> None:
    """Refuse a file that starts with a byte-order mark, naming it (it is otherwise read as a
    label of odd bytes)."""
    with open(path, "rb") as fh:
        head = fh.read(3)
    for mark, what in MARKS.items():
        if head.startswith(mark):
            raise DataError(f"{path}:1: the file starts with {what}")


def too_wide(path: Path, buf: bytearray, first_line: int, base: int) -> DataError:
    """The error naming the first line of ``buf`` with a feature index beyond the maximum."""
    limit = base + MAX_FEATURES - 1
    for k, raw in enumerate(buf.split(b"\n")):
        pairs = raw.split(b"#", 1)[0].split()[1:]
        indices = [p.split(b":", 1)[0] for p in pairs if not p.startswith(b"qid:")]
        top = max((int(i) for i in indices if i.isdigit()), default=0)
        if top > limit:
            return DataError(
                f"{path}:{first_line + k}: feature index {top} is beyond {MAX_FEATURES:,}, the "
                "most features the dense reader takes (a typo?)"
            )
    return DataError(f"{path}: a feature index is beyond {MAX_FEATURES:,}")


def available_memory() -> int | None:
    """Bytes of memory this process may still take (None: unknown)."""
    found = []
    with contextlib.suppress(OSError, ValueError, IndexError):
        meminfo = Path("/proc/meminfo").read_text().splitlines()
        line = next(x for x in meminfo if x.startswith("MemAvailable:"))
        found.append(int(line.split()[1]) * 1024)
    with contextlib.suppress(OSError, ValueError):
        limit = Path("/sys/fs/cgroup/memory.max").read_text().strip()
        used = Path("/sys/fs/cgroup/memory.current").read_text().strip()
        found.append(int(limit) - int(used))  # "max" (no limit) is a ValueError
    if not found:
        with contextlib.suppress(OSError, ValueError, AttributeError):
            found.append(os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
    return min(found) if found else None


def dense_array(path: Path, rows: int, width: int) -> np.ndarray:
    """The zeroed float32 ``rows x width`` array, or a one-line :class:`MemoryError` (a limit
    of the machine, not a fault of the file) when it does not fit in the available memory."""
    need = rows * width * 4
    free = available_memory()
    message = f"{path}: {rows:,} rows x {width:,} features need {size(need)} as float32, more "
    if free is not None and need > free:
        raise MemoryError(message + f"than the {size(free)} of memory available")
    try:
        return np.zeros((rows, width), dtype=np.float32)
    except MemoryError:
        raise MemoryError(message + "than the memory available") from None


def size(n: int) -> str:
    """``288 B``, ``1.5 MiB``, ``112.0 GiB``."""
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{n} B"


def check_contiguous(path: Path, qids: np.ndarray, row_line: np.ndarray) -> None:
    """Rows of a query must be contiguous: the error names the line where a query comes back."""
    starts = np.flatnonzero(np.r_[True, qids[1:] != qids[:-1]])
    _, first = np.unique(qids[starts], return_index=True)
    if len(first) != len(starts):
        again = np.setdiff1d(np.arange(len(starts)), first)[0]
        line, qid = row_line[starts[again]], qids[starts[again]]
        raise DataError(
            f"{path}:{line}: qid {qid} appears again after other queries "
            "(rows of a query must be contiguous)"
        )
