"""Entry point of ``python -m benchmark``."""

import sys

from benchmark import configure_environment

if __name__ == "__main__":
    configure_environment()
    from benchmark.cli import main

    sys.exit(main())
