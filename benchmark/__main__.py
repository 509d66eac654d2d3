"""Entry point of ``python -m benchmark``."""

import sys

from benchmark import configure_numba_cache

if __name__ == "__main__":
    configure_numba_cache()
    from benchmark.cli import main

    sys.exit(main())
