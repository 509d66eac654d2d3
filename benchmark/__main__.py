"""Entry point of ``python -m benchmark``."""

from benchmark import configure_environment

if __name__ == "__main__":
    configure_environment()
    from benchmark.cli import main
    from benchmark.cli_faults import exit_with

    exit_with(main())
