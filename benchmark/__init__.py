"""Whole-page reranking under annotation budgets: a learning-to-rank benchmark suite."""

import os
import tempfile
from pathlib import Path

__version__ = "0.1.0"


def configure_numba_cache() -> None:
    """Point numba's cache at a persistent folder unless the user chose one.

    ranx JIT-compiles its metrics with numba (about a minute on 2 cores); with a persistent
    cache later processes start in seconds. Called by the entry points, never at import.
    """
    if "NUMBA_CACHE_DIR" in os.environ:
        return
    base = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    path = base / "wholepage-bench" / "numba"
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError:
        path = Path(tempfile.gettempdir()) / "wholepage-bench-numba"
    os.environ["NUMBA_CACHE_DIR"] = str(path)
