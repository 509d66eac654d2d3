"""Progress bars for long steps inside a cell (loading a large file, stage 1, training rounds),
shown only when the run shows progress (not with ``--quiet``, not in worker processes) and
stderr is a terminal: a log or a pipe gets no ``\\r``-separated bars (:func:`disable`).

Whether bars are shown is a context variable set by the runner around its work
(:func:`shown`), so plugins (datasets, rerankers) can call :func:`bar` without a flag in their
signatures; outside such a block bars are silent.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from tqdm import tqdm

#: no tqdm monitor thread (it only re-tunes how often a stalled bar redraws): a run draws its
#: report's figures in forked children, which it forks only while it runs no other thread
#: (:mod:`benchmark.reporting.forked`)
tqdm.monitor_interval = 0
_SHOWN: ContextVar[bool] = ContextVar("benchmark_progress", default=False)


@contextmanager
def shown(enabled: bool) -> Iterator[None]:
    token = _SHOWN.set(enabled)
    try:
        yield
    finally:
        _SHOWN.reset(token)


def disable(enabled: bool) -> bool | None:
    """tqdm's ``disable`` for a bar the run wants ``enabled``: None lets tqdm draw it only when
    its stream is a terminal."""
    return None if enabled else True


def bar(iterable: Iterable[Any] | None = None, **kwargs: Any) -> tqdm:
    """A tqdm bar on stderr that disappears when done; silent unless :func:`shown` and stderr
    is a terminal."""
    return tqdm(iterable, leave=False, disable=disable(_SHOWN.get()), file=sys.stderr, **kwargs)
