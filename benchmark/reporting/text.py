"""Numbers as the Markdown and HTML views print them (LaTeX: :mod:`benchmark.reporting.latex`).
Rounding belongs here, at the report, never in the statistics."""

from __future__ import annotations

import math

TINY_P = 1e-300
NOT_REACHED = "not reached"


def p_text(p: float | None) -> str:
    """Two significant digits; a p-value below 1e-300 (0 is a float underflow of the test,
    not a probability of zero) as ``< 1e-300``; a missing one as a dash."""
    if p is None or math.isnan(p):
        return "—"
    return f"< {TINY_P:.0e}" if p < TINY_P else f"{p:.2g}"


def percent(x: float | None) -> str:
    """A budget or saving as a percentage; a missing one as ``not reached``."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return NOT_REACHED
    return f"{x:.0%}"
