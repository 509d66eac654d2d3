"""A reranker joins the default run only when its own class says so (issue 23)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from benchmark.core.reranker import RERANKERS, Reranker, register

DEFAULT_RUN = {
    "allrank", "calibrated-fusion", "fusion-minmax", "fusion-zscore", "interleave",
    "lambdamart", "sft", "sft-g", "smar", "smar-g",
}  # fmt: skip


@pytest.fixture
def scratch() -> Iterator[list[str]]:
    """Names registered by a test, removed from the registry afterwards."""
    names: list[str] = []
    assert RERANKERS.names()  # the plugins imported first, not after the test
    yield names
    for name in names:
        RERANKERS._entries.pop(name, None)


def test_a_new_reranker_is_not_in_the_default_run(scratch: list[str]) -> None:
    @dataclass
    class Quiet(Reranker):
        pass

    @dataclass
    class Loud(Reranker):
        in_default_run = True

    @dataclass
    class Child(Loud):  # inherits from a default-run reranker, says nothing itself
        pass

    for name, cls in (("t-quiet", Quiet), ("t-loud", Loud), ("t-child", Child)):
        register(name)(cls)
        scratch.append(name)
    assert (Quiet.in_default_run, Loud.in_default_run, Child.in_default_run) == (
        False,
        True,
        False,
    )


def test_the_default_run_is_the_rerankers_that_say_so() -> None:
    said = {name for name, cls in RERANKERS.items() if vars(cls).get("in_default_run")}
    assert said == DEFAULT_RUN == {n for n, cls in RERANKERS.items() if cls.in_default_run}
