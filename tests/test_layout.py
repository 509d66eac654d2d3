"""The layout rules of the code base (STYLE.md; issue "one results store ..."): the import graph
of the packages has no circle and its arrows point down the layers; modules are at most 300
lines and functions at most 40 (the argparse builder excepted); ruff and mypy pass (tox's
lint and type environments, run here so that CI enforces them)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("benchmark", "baselines", "datasets", "strategies")
MAX_MODULE = 300
MAX_FUNCTION = 40
EXEMPT_FUNCTIONS = {"benchmark/cli_parser.py:parser"}
#: what each layer may import (besides itself); tools/ may import anything, nothing imports it
ALLOWED = {
    "benchmark.core": {"benchmark.core"},
    "benchmark.store": {"benchmark.core"},
    "benchmark.pipeline": {"benchmark.core", "benchmark.store"},
    "benchmark.reporting": {"benchmark.core", "benchmark.store"},
    "baselines": {"benchmark.core", "baselines"},
    "datasets": {"benchmark.core", "datasets"},
    "strategies": {"benchmark.core", "strategies"},
}


def modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


def imports(path: Path, known: set[str]) -> set[str]:
    """The project modules ``path`` imports (anywhere in the file)."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # ``from pkg import sub`` imports the module ``pkg.sub``; ``from mod import name``
            # imports ``mod``
            subs = [f"{node.module}.{a.name}" for a in node.names]
            names = [s for s in subs if s in known] or [node.module]
        else:
            continue
        out |= {n for n in names if n in known}
    return out


def graph() -> dict[str, set[str]]:
    mods = modules()
    return {name: imports(path, set(mods)) - {name} for name, path in mods.items()}


def layer(module: str) -> str:
    for prefix in sorted(ALLOWED, key=len, reverse=True):
        if module == prefix or module.startswith(prefix + "."):
            return prefix
    return module


def test_no_import_circle() -> None:
    edges = graph()
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                pytest.fail("import circle: " + " -> ".join([*path, node, nxt]))
            if nxt not in state:
                visit(nxt, [*path, node])
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node, [])


def test_arrows_point_down_the_layers() -> None:
    wrong = []
    for module, targets in graph().items():
        own = layer(module)
        if own not in ALLOWED:
            continue
        for target in targets:
            if layer(target) != own and layer(target) not in ALLOWED[own]:
                wrong.append(f"{module} imports {target}")
            if target.startswith("benchmark.tools"):
                wrong.append(f"{module} imports the tool {target}")
    assert not wrong, "\n".join(wrong)


def test_module_and_function_sizes() -> None:
    too_long = []
    for path in modules().values():
        rel = path.relative_to(ROOT).as_posix()
        lines = path.read_text().count("\n")
        if lines > MAX_MODULE:
            too_long.append(f"{rel}: {lines} lines")
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_FUNCTION and f"{rel}:{node.name}" not in EXEMPT_FUNCTIONS:
                    too_long.append(f"{rel}:{node.name}: {length} lines")
    assert not too_long, "\n".join(too_long)


@pytest.mark.parametrize(
    "command",
    [
        ["ruff", "check", "."],
        ["ruff", "format", "--check", "."],
        ["mypy", "benchmark", "baselines", "datasets", "strategies"],
    ],
    ids=["ruff-check", "ruff-format", "mypy"],
)
def test_lint_and_types_are_clean(command: list[str]) -> None:
    """The house rules tox's lint and type environments state, enforced by the suite CI runs
    (ruff and mypy are in the test lock)."""
    done = subprocess.run(
        [sys.executable, "-m", *command], cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
