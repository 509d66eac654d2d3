"""Parameters from the command line or a grid file, checked against declared fields: the ONE
coercion used by every dataset family (``--dataset-param``) and every reranker (``--param``).

A field is ``(type hint, default)``: from a dataclass (:func:`dataclass_fields`) or from a dict
of defaults (:func:`default_fields`). Accepted values, by hint:

* ``int``: an integer, or its text (``"200"``); ``200.5`` and ``True`` are errors;
* ``float``: a finite number (an integer becomes a float), or its text;
* ``bool``: true/false, 1/0, or the text ``true``, ``false``, ``yes``, ``no``, ``1``, ``0``;
* ``str``: text only;
* ``tuple[X, ...]`` / ``list[X]``: a list, or comma-separated text (``"0.5,0.3,0.2"``); a tuple
  keeps its default's length (the families' tuples have one entry per modality or split);
  ``tuple[X, Y]``: exactly that many entries;
* ``X | None``: ``None`` or an ``X``.

Numbers are then checked against an optional :class:`Range` per field (every entry of a list).
Every error is a one-line :class:`ValueError` naming the owner, the parameter, what it expects and
the value given: ``synthetic-serp parameter n_queries expects an integer, got 200.5``.
"""

from __future__ import annotations

import dataclasses
import math
import numbers
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

Fields = dict[str, tuple[Any, Any]]
TRUE = ("true", "yes", "1")
FALSE = ("false", "no", "0")


@dataclass(frozen=True)
class Range:
    """An interval of allowed numbers (``None``: unbounded on that side)."""

    low: float | None = None
    high: float | None = None
    open_low: bool = False
    open_high: bool = False

    def __contains__(self, value: object) -> bool:
        if not isinstance(value, int | float):
            return True
        lo_ok = self.low is None or (value > self.low if self.open_low else value >= self.low)
        hi_ok = self.high is None or (value < self.high if self.open_high else value <= self.high)
        return lo_ok and hi_ok

    def __str__(self) -> str:
        if self.low is not None and self.high is not None:
            left, right = "(" if self.open_low else "[", ")" if self.open_high else "]"
            return f"in {left}{self.low:g}, {self.high:g}{right}"
        if self.low is not None:
            return f"{'>' if self.open_low else '>='} {self.low:g}"
        return f"{'<' if self.open_high else '<='} {self.high:g}"


def at_least(low: float) -> Range:
    return Range(low)


def above(low: float) -> Range:
    return Range(low, open_low=True)


def dataclass_fields(cls: type) -> Fields:
    """``name -> (type hint, default)`` of a dataclass whose fields all have defaults."""
    hints = typing.get_type_hints(cls)
    out: Fields = {}
    for f in dataclasses.fields(cls):
        factory: Any = f.default_factory
        default = factory() if f.default is dataclasses.MISSING else f.default
        out[f.name] = (hints[f.name], default)
    return out


def default_fields(defaults: Mapping[str, Any]) -> Fields:
    """``name -> (type of the default, default)``."""
    return {name: (type(value), value) for name, value in defaults.items()}


class Mismatch(ValueError):
    """A value that does not fit its hint; ``expected`` says what would."""

    def __init__(self, expected: str) -> None:
        super().__init__(expected)
        self.expected = expected


def coerce_params(
    owner: str,
    fields: Fields,
    params: Mapping[str, Any],
    *,
    ranges: Mapping[str, Range] | None = None,
    names: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """``params`` (user names -> given values) as ``field -> value`` of the right types.

    ``names`` maps a user-facing name to its field (``lambda`` -> ``lam``); a field with such a
    name is known only by it. Unknown names, wrong types, wrong lengths and values outside
    ``ranges`` raise :class:`ValueError`."""
    names = dict(names or {})
    public = {names_of(f, names): f for f in fields}
    out: dict[str, Any] = {}
    for key, value in params.items():
        if key not in public:
            known = ", ".join(public) or "none"
            raise ValueError(f"{owner} has no parameter {key!r} (parameters: {known})")
        field = public[key]
        hint, default = fields[field]
        try:
            out[field] = convert(value, hint, default)
        except Mismatch as exc:
            raise ValueError(
                f"{owner} parameter {key} expects {exc.expected}, got {value!r}"
            ) from None
        allowed = (ranges or {}).get(field)
        bad = [v for v in numbers_in(out[field]) if allowed is not None and v not in allowed]
        if bad:
            raise ValueError(f"{owner} parameter {key} must be {allowed}, got {value!r}")
    return out


def names_of(field: str, names: Mapping[str, str]) -> str:
    return next((user for user, f in names.items() if f == field), field)


def numbers_in(value: Any) -> list[float]:
    if isinstance(value, list | tuple):
        return [v for item in value for v in numbers_in(item)]
    return [value] if isinstance(value, int | float) and not isinstance(value, bool) else []


def convert(value: Any, hint: Any, default: Any) -> Any:
    """``value`` as ``hint`` (see the module docstring), or :class:`Mismatch`."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        inner = [a for a in args if a is not type(None)]
        return convert(value, inner[0], default)
    if origin in (tuple, list):
        return sequence(value, origin, args, default)
    scalar = SCALARS.get(hint)
    return scalar(value) if scalar is not None else value


def sequence(value: Any, origin: type, args: tuple[Any, ...], default: Any) -> Any:
    variable = origin is list or (len(args) == 2 and args[1] is Ellipsis)
    length = len(args) if not variable else None
    if variable and origin is tuple and default is not None:
        length = len(default)
    expected = describe(args[0], length)
    if isinstance(value, str):
        value = [v.strip() for v in value.split(",")] if value.strip() else []
    if not isinstance(value, list | tuple) or (length is not None and len(value) != length):
        raise Mismatch(expected)
    hints = [args[0]] * len(value) if variable else list(args)
    try:
        items = [convert(v, h, None) for v, h in zip(value, hints, strict=True)]
    except Mismatch:
        raise Mismatch(expected) from None
    return origin(items)


def describe(item: Any, length: int | None) -> str:
    """``a list of 4 numbers (or comma-separated text)``, ``a list of [integer, integer] lists``."""
    if typing.get_origin(item) is tuple:
        inner = ", ".join(NAMES.get(a, "value") for a in typing.get_args(item))
        what, text = f"[{inner}] lists", ""
    else:
        what, text = PLURALS.get(item, "values"), " (or comma-separated text)"
    count = f"{length} " if length is not None else ""
    return f"a list of {count}{what}{text}"


def to_int(value: Any) -> int:
    if isinstance(value, str) and value.strip().lstrip("+-").isdigit():
        return int(value)
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return int(value)  # numpy integers too
    raise Mismatch("an integer")


def to_float(value: Any) -> float:
    number = value
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            raise Mismatch("a number") from None
    if isinstance(number, bool) or not isinstance(number, numbers.Real):
        raise Mismatch("a number")
    if not math.isfinite(number):
        raise Mismatch("a finite number")
    return float(number)


def to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower() if isinstance(value, str | int) else None
    if text in TRUE or text in FALSE:
        return text in TRUE
    raise Mismatch("true or false")


def to_str(value: Any) -> str:
    if isinstance(value, str):
        return value
    raise Mismatch("text")


SCALARS: dict[Any, Any] = {int: to_int, float: to_float, bool: to_bool, str: to_str}
NAMES = {int: "integer", float: "number", bool: "boolean", str: "text"}
PLURALS = {int: "integers", float: "numbers", bool: "booleans", str: "texts"}
