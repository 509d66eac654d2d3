"""Whole-page reranking under annotation budgets: a learning-to-rank benchmark suite."""

import os
import tempfile
from pathlib import Path

__version__ = "0.1.0"


def configure_environment() -> None:
    """Process settings the entry points apply before numba loads (never at import).

    * ranx JIT-compiles its metrics with numba (about a minute on 2 cores): a persistent cache
      folder makes later processes start in seconds.

    A value the user already set wins. (LightGBM runs single-threaded by default instead of
    changing OpenMP's wait policy: see ``baselines/lambdamart.py``.)
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
