"""Argument types shared by the command line (``benchmark/cli_parser.py``) and the tools
(``benchmark/tools/``): each reads one option's text or raises ``argparse.ArgumentTypeError``,
which argparse turns into one ``error:`` line."""

from __future__ import annotations

import argparse
import json
from typing import Any


def budget_arg(text: str) -> float:
    """``10%`` or ``0.1``: a budget in (0, 1]."""
    from benchmark.core.annotation import parse_budget  # numpy: only when a budget is read

    try:
        return parse_budget(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def key_value(text: str) -> tuple[str, Any]:
    """``key=value``; the value is read as JSON when it is JSON, else kept as text."""
    key, sep, raw = text.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"expected key=value, got {text!r}")
    try:
        value = json.loads(raw)
    except json.JSONDecodeError:
        value = raw
    return key, value


def names_arg(text: str, kind: str = "reranker", example: str = "lambdamart,smar") -> list[str]:
    """``a,b,c``: comma-separated names, none empty."""
    names = [n.strip() for n in text.split(",")]
    if not all(names):
        raise argparse.ArgumentTypeError(
            f"expected comma-separated {kind} names such as {example}, got {text!r}"
        )
    return names
