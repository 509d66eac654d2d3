"""The shared parameter coercion (benchmark/core/params.py): types, lengths, ranges, names."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from benchmark.core.params import Range, above, at_least, coerce_params, dataclass_fields


@dataclass(frozen=True)
class Knobs:
    count: int = 3
    rate: float = 0.5
    flag: bool = False
    name: str = "x"
    weights: tuple[float, ...] = (0.5, 0.5)
    grid: list[float] = field(default_factory=lambda: [1.0])
    ranges: tuple[tuple[int, int], ...] = ((1, 2), (3, 4))
    cap: int | None = None


def coerce(**params: object) -> dict[str, object]:
    ranges = {"count": at_least(1), "rate": Range(0, 1, open_high=True), "weights": above(0)}
    return coerce_params("knobs", dataclass_fields(Knobs), params, ranges=ranges)


@pytest.mark.parametrize(
    "given, wanted",
    [
        ({"count": "7"}, {"count": 7}),
        ({"count": 7}, {"count": 7}),
        ({"rate": 0}, {"rate": 0.0}),
        ({"rate": "0.25"}, {"rate": 0.25}),
        ({"flag": "yes"}, {"flag": True}),
        ({"flag": 0}, {"flag": False}),
        ({"weights": "0.2, 0.8"}, {"weights": (0.2, 0.8)}),
        ({"weights": [1, 2]}, {"weights": (1.0, 2.0)}),
        ({"grid": "0.1,0.3,1"}, {"grid": [0.1, 0.3, 1.0]}),
        ({"ranges": [[0, 1], [2, 5]]}, {"ranges": ((0, 1), (2, 5))}),
        ({"cap": None}, {"cap": None}),
        ({"cap": "4"}, {"cap": 4}),
    ],
)
def test_accepted_values(given: dict[str, object], wanted: dict[str, object]) -> None:
    got = coerce(**given)
    assert got == wanted and all(type(got[k]) is type(v) for k, v in wanted.items())


@pytest.mark.parametrize(
    "given, message",
    [
        ({"count": 200.5}, "knobs parameter count expects an integer, got 200.5"),
        ({"count": True}, "knobs parameter count expects an integer, got True"),
        ({"count": "abc"}, "knobs parameter count expects an integer, got 'abc'"),
        ({"rate": "fast"}, "knobs parameter rate expects a number, got 'fast'"),
        ({"rate": float("nan")}, "knobs parameter rate expects a finite number, got nan"),
        ({"flag": "maybe"}, "knobs parameter flag expects true or false, got 'maybe'"),
        ({"name": 3}, "knobs parameter name expects text, got 3"),
        ({"weights": "1,2,3"}, "weights expects a list of 2 numbers (or comma-separated text)"),
        ({"weights": "1,x"}, "weights expects a list of 2 numbers"),
        ({"grid": 0.3}, "grid expects a list of numbers (or comma-separated text), got 0.3"),
        ({"ranges": "1-2,3-4"}, "ranges expects a list of 2 [integer, integer] lists"),
        ({"count": 0}, "knobs parameter count must be >= 1, got 0"),
        ({"rate": 1.0}, "knobs parameter rate must be in [0, 1), got 1.0"),
        ({"weights": "0.5,0"}, "knobs parameter weights must be > 0, got '0.5,0'"),
        ({"size": 3}, "knobs has no parameter 'size' (parameters: count, rate, flag, name,"),
    ],
)
def test_errors_name_parameter_type_and_value(given: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError) as err:
        coerce(**given)
    assert message in str(err.value) and "\n" not in str(err.value)


def test_user_facing_names() -> None:
    fields = dataclass_fields(Knobs)
    assert coerce_params("k", fields, {"lambda": "2"}, names={"lambda": "count"}) == {"count": 2}
    with pytest.raises(ValueError, match=r"k has no parameter 'count' \(parameters: lambda,"):
        coerce_params("k", fields, {"count": 2}, names={"lambda": "count"})
