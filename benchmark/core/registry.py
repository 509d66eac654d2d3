"""Name -> object registries with "did you mean ...?" errors (the MTEB pattern)."""

from __future__ import annotations

import difflib
import importlib
from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

T = TypeVar("T")


class UnknownNameError(KeyError):
    """An unknown registry name; ``str()`` is the one-line message for the user."""

    def __str__(self) -> str:
        return str(self.args[0])


class Registry(Generic[T]):
    """A registry of named entries of one kind (rerankers, datasets, strategies).

    ``plugins`` names the package whose import registers the entries (``baselines``,
    ``datasets``); it is imported the first time the registry is read, so every caller (the
    CLI, a script, a notebook using the leaderboard) sees the same entries.
    """

    def __init__(self, kind: str, plugins: str | None = None) -> None:
        self.kind = kind
        self._plugins = plugins
        self._entries: dict[str, T] = {}

    @property
    def entries(self) -> dict[str, T]:
        if self._plugins is not None:
            package, self._plugins = self._plugins, None  # None first: plugins may read us
            try:
                importlib.import_module(package)
            except BaseException:
                self._plugins = package  # a failed import is retried, not taken for "empty"
                raise
        return self._entries

    def register(self, name: str) -> Callable[[T], T]:
        def decorator(obj: T) -> T:
            if name in self._entries:
                raise ValueError(f"{self.kind} {name!r} is registered twice")
            self._entries[name] = obj
            return obj

        return decorator

    def get(self, name: str) -> T:
        try:
            return self.entries[name]
        except KeyError:
            raise UnknownNameError(self.unknown_message(name)) from None

    def unknown_message(self, name: str) -> str:
        close = difflib.get_close_matches(name, self.entries, n=1, cutoff=0.5)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        return f"unknown {self.kind} {name!r}{hint} (known: {', '.join(sorted(self.entries))})"

    def names(self) -> list[str]:
        return list(self.entries)

    def __contains__(self, name: object) -> bool:
        return name in self.entries

    def __iter__(self) -> Iterator[str]:
        return iter(self.entries)

    def items(self) -> list[tuple[str, T]]:
        return list(self.entries.items())
