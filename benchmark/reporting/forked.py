"""Independent calls shared with forked children (drawing a report's figures with the cores a
``run --jobs N`` was given: issue 19). A forked child starts with this process's memory (the
data, matplotlib, the drawing closures), so nothing is pickled on the way in and nothing is
imported again; its results come back pickled through a pipe.

A fork copies only the calling thread: a lock another thread holds would stay held forever in
the child. So this process forks only while it runs no other thread; otherwise, with one
process asked, or with fewer than two calls, every call runs here. A child that fails, dies or
cannot be forked costs nothing but time: its calls run here, with the same results.
"""

from __future__ import annotations

import os
import pickle
import threading
from collections.abc import Callable
from typing import Any


def calls(tasks: list[Callable[[], Any]], processes: int = 1) -> list[Any]:
    """``[task() for task in tasks]``, run in up to ``processes`` processes (this one and
    forked children; round-robin shares, this process's first)."""
    processes = min(processes, len(tasks))
    if processes < 2 or threading.active_count() > 1 or not hasattr(os, "fork"):
        return [task() for task in tasks]
    shares = [list(range(i, len(tasks), processes)) for i in range(processes)]
    children = [child([tasks[i] for i in share]) for share in shares[1:]]
    results: dict[int, Any] = {i: tasks[i]() for i in shares[0]}
    for share, forked in zip(shares[1:], children, strict=True):
        got = collect(*forked) if forked else None
        for n, i in enumerate(share):
            results[i] = got[n] if got is not None else tasks[i]()
    return [results[i] for i in range(len(tasks))]


def child(tasks: list[Callable[[], Any]]) -> tuple[int, int] | None:
    """A forked child that runs ``tasks`` and writes their pickled results to a pipe; its pid
    and the pipe's reading end (None when no child could be forked: no memory, no process
    left). The child never returns: ``os._exit`` (no atexit handler, no flush of the buffers
    it inherited, so nothing of this process is written twice)."""
    reader, writer = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        os.close(reader)
        os.close(writer)
        return None
    if pid:
        os.close(writer)
        return pid, reader
    code = 1
    try:
        os.close(reader)
        with os.fdopen(writer, "wb") as pipe:
            pipe.write(pickle.dumps([task() for task in tasks], pickle.HIGHEST_PROTOCOL))
        code = 0
    finally:
        os._exit(code)


def collect(pid: int, reader: int) -> list[Any] | None:
    """The results child ``pid`` wrote to ``reader``; None when it failed."""
    with os.fdopen(reader, "rb") as pipe:
        raw = pipe.read()
    _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        return None
    try:
        got: list[Any] = pickle.loads(raw)
    except Exception:  # a child killed mid-write leaves a truncated pickle
        return None
    return got
