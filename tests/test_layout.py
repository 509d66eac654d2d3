"""The layout rules of the code base (README, "Architecture"): the import graph of the packages
has no circle and its arrows point down the layers (every module belongs to a layer, relative
imports count); modules are at most 300 lines and functions at most 40 (the argparse builder
excepted); ruff and mypy pass (tox's lint and type environments, run here so that CI enforces
them)."""

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
CLI = "benchmark.cli*"  # the command line: benchmark/cli*.py and benchmark/__main__.py
TOOLS = "benchmark.tools"
#: what each layer may import besides itself; the tools may import anything, and nothing
#: outside them imports a tool
ALLOWED: dict[str, set[str]] = {
    "benchmark": set(),  # the package itself: configure_environment, the version
    "benchmark.core": set(),
    "benchmark.store": {"benchmark.core"},
    "benchmark.pipeline": {"benchmark", "benchmark.core", "benchmark.store"},
    "benchmark.reporting": {"benchmark.core", "benchmark.store"},
    CLI: {"benchmark", "benchmark.core", "benchmark.store", "benchmark.pipeline",
          "benchmark.reporting"},
    TOOLS: set(),  # anything: see test_arrows_point_down_the_layers
    "baselines": {"benchmark.core"},
    "datasets": {"benchmark.core"},
    "strategies": {"benchmark.core"},
}  # fmt: skip


def modules(root: Path = ROOT) -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


def absolute(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    """The absolute name ``from <node.module>`` means inside ``module`` (``from . import x``,
    ``from ..core import y`` resolved against the importing module's package)."""
    if node.level == 0:
        return node.module or ""
    package = module.split(".") if is_package else module.split(".")[:-1]
    base = package[: len(package) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def imports(path: Path, known: set[str], module: str = "") -> set[str]:
    """The project modules ``path`` (the module ``module``) imports, anywhere in the file."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = absolute(node, module, path.name == "__init__.py")
            # ``from pkg import sub`` imports the module ``pkg.sub``; ``from mod import name``
            # imports ``mod``
            subs = [f"{base}.{a.name}" for a in node.names]
            names = [s for s in subs if s in known] or [base]
        else:
            continue
        out |= {n for n in names if n in known}
    return out


def graph(root: Path = ROOT) -> dict[str, set[str]]:
    mods = modules(root)
    return {name: imports(path, set(mods), name) - {name} for name, path in mods.items()}


def layer(module: str) -> str | None:
    if module == "benchmark.__main__" or module.startswith("benchmark.cli"):
        return CLI
    for prefix in sorted(ALLOWED, key=len, reverse=True):
        if module == prefix or (module.startswith(prefix + ".") and prefix != "benchmark"):
            return prefix
    return None


def wrong_arrows(edges: dict[str, set[str]]) -> list[str]:
    wrong = []
    for module, targets in sorted(edges.items()):
        own = layer(module)
        if own is None:
            wrong.append(f"{module} is in no layer (add its package to ALLOWED)")
            continue
        for target in sorted(targets):
            theirs = layer(target)
            if theirs == TOOLS and own != TOOLS:
                wrong.append(f"{module} imports the tool {target}")
            elif own not in (theirs, TOOLS) and theirs not in ALLOWED[own]:
                wrong.append(f"{module} ({own}) imports {target} ({theirs})")
    return wrong


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
    wrong = wrong_arrows(graph())
    assert not wrong, "\n".join(wrong)


def test_every_package_is_covered() -> None:
    """Every module of the code base is in the graph, the command line and the tools included."""
    names = set(modules())
    assert {"benchmark.cli", "benchmark.cli_parser", "benchmark.__main__"} <= names
    assert {"benchmark.tools.perf", "benchmark.tools.valid_choice"} <= names
    assert all(layer(n) for n in names)


@pytest.mark.parametrize(
    ("where", "line", "complaint"),
    [
        ("benchmark/cli.py", "from benchmark.tools import perf", "imports the tool"),
        ("benchmark/core/x.py", "from ..tools import perf", "imports the tool"),
        ("benchmark/pipeline/x.py", "from .. import tools", "imports the tool"),
        ("baselines/x.py", "from benchmark.pipeline import grid", "imports benchmark.pipeline"),
        ("baselines/x.py", "from benchmark.store import files", "imports benchmark.store"),
        ("strategies/x.py", "import benchmark.reporting.rows", "imports benchmark.reporting"),
        ("datasets/x.py", "from baselines import smar", "imports baselines"),
        ("benchmark/store/x.py", "from ..pipeline import grid", "imports benchmark.pipeline"),
        ("benchmark/pipeline/sub/x.py", "from ...reporting import rows", "imports benchmark"),
        ("benchmark/extra/x.py", "import benchmark.core", "is in no layer"),
    ],
)
def test_the_rule_catches(tmp_path: Path, where: str, line: str, complaint: str) -> None:
    """The layer rule fails for a module that imports a tool, or a plugin that imports beyond
    benchmark.core, relative imports included (a planted module in a copy of the tree)."""
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            copy = tmp_path / path.relative_to(ROOT)
            copy.parent.mkdir(parents=True, exist_ok=True)
            copy.write_text(path.read_text())
    planted = tmp_path / where
    planted.parent.mkdir(parents=True, exist_ok=True)
    (planted.parent / "__init__.py").touch()
    planted.write_text(line + "\n")
    name = ".".join(Path(where).with_suffix("").parts)
    wrong = [w for w in wrong_arrows(graph(tmp_path)) if w.startswith(name + " ")]
    assert any(complaint in w for w in wrong), wrong


STORE_FOLDERS = ("runs", "cells", "qrels", ".locks")


def store_paths(source: str) -> list[str]:
    """Paths into a results folder built outside the store: ``x / "runs"``, a text starting
    ``runs/`` (or another store folder), ``store.loose.root``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        text = node.value if isinstance(node, ast.Constant) else None
        if isinstance(text, str) and text.split("/")[0] in STORE_FOLDERS and "/" in text:
            found.append(text)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
            right = node.right.value if isinstance(node.right, ast.Constant) else None
            if right in STORE_FOLDERS:
                found.append(f"/ {right!r}")
        if isinstance(node, ast.Attribute) and node.attr == "root" and "loose" in ast.unparse(node):
            found.append(ast.unparse(node))
    return found


def test_only_the_store_builds_results_paths() -> None:
    """The pipeline and the reports ask the store for every path under a results folder
    (qrels, cell folders, packs, locks); they never build one."""
    wrong = [
        f"{name}: {path}"
        for name, file in modules().items()
        if layer(name) in ("benchmark.pipeline", "benchmark.reporting")
        for path in store_paths(file.read_text())
    ]
    assert not wrong, "\n".join(wrong)
    planted = 'p = store.loose.root / "qrels" / name\nq = f"runs/qrels/{name}"\n'
    assert len(store_paths(planted)) == 3


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
