"""Entry point of ``python -m benchmark``."""

import os
import sys
import tempfile
from pathlib import Path


def numba_cache_dir() -> str:
    """ranx JIT-compiles with numba (~50 s on 2 cores); a persistent cache makes later runs
    start in seconds."""
    base = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    path = base / "wholepage-bench" / "numba"
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError:
        path = Path(tempfile.gettempdir()) / "wholepage-bench-numba"
    return str(path)


if __name__ == "__main__":
    os.environ.setdefault("NUMBA_CACHE_DIR", numba_cache_dir())
    from benchmark.cli import main

    sys.exit(main())
