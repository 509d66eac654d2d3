"""A module imported when first used, not when the module naming it is imported: the
rerankers' modules name torch this way, so that a run whose rerankers need no torch (LightGBM,
the fusions) never pays its import (about a second and 300 MB per process)::

    if TYPE_CHECKING:
        import torch
    else:
        torch = lazy("torch")

Nothing is put in ``sys.modules`` before the first use: a library that looks there for torch
(to support its tensors) sees it only once it is really imported.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any


class Lazy:
    """Stands for module ``name``: the first attribute read imports it."""

    def __init__(self, name: str) -> None:
        self._name = name
        self._module: ModuleType | None = None

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("__"):  # copy, pickle and inspect probe dunders: not a use
            raise AttributeError(attr)
        if self._module is None:
            self._module = importlib.import_module(self._name)
        return getattr(self._module, attr)

    def __repr__(self) -> str:
        return f"<lazy module {self._name!r}{'' if self._module is None else ' (imported)'}>"


def lazy(name: str) -> Any:
    """A stand-in for module ``name`` that imports it on first use."""
    return Lazy(name)
