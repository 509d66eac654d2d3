"""Whole-page reranking under annotation budgets: a learning-to-rank benchmark suite."""

import os
import tempfile
from pathlib import Path

__version__ = "0.1.0"


def configure_environment() -> None:
    """Process settings the entry points apply before numba or LightGBM load (never at import).

    * ranx JIT-compiles its metrics with numba (about a minute on 2 cores): a persistent cache
      folder makes later processes start in seconds.
    * LightGBM's OpenMP threads busy-wait between parallel regions; on a loaded 2-core machine
      that made small fits about 100x slower (10 rounds on 671 rows: 3.5-8 s against 0.05 s
      with a passive wait policy).

    A value the user already set wins.
    """
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    if "NUMBA_CACHE_DIR" in os.environ:
        return
    base = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    path = base / "wholepage-bench" / "numba"
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError:
        path = Path(tempfile.gettempdir()) / "wholepage-bench-numba"
    os.environ["NUMBA_CACHE_DIR"] = str(path)
