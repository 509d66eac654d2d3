"""Every LaTeX table the suite writes compiles on its own, ``\\input`` into a one-column
``article`` with ``booktabs`` and ``amssymb``, and fits the text width: the tables of a tiny
run, and every committed ``results/leaderboards/*.tex`` and ``results/reports/*/*.tex``.
Needs pdflatex (Debian: ``apt-get install --no-install-recommends texlive-latex-base
texlive-latex-recommended``); skipped with a loud reason without it."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from benchmark.reporting import latex, report
from tests.reporting.conftest import ROOT

PDFLATEX = shutil.which("pdflatex")
TOLERANCE = 1.0  # pt of overfull box allowed
DOCUMENT = r"""\documentclass{article}
\usepackage{booktabs,amssymb}
\tracinglostchars=2
\begin{document}
\input{table}
\end{document}
"""
COMMITTED = sorted(
    [*ROOT.glob("results/leaderboards/*.tex"), *ROOT.glob("results/reports/*/*.tex")]
)
needs_tex = pytest.mark.skipif(
    PDFLATEX is None,
    reason="SKIPPED LOUDLY: pdflatex is not installed, so no generated .tex file was compiled "
    "(apt-get install --no-install-recommends texlive-latex-base texlive-latex-recommended)",
)


def compile_table(source: Path, work: Path) -> list[str]:
    """Compile ``source`` in a one-column article; the problems pdflatex reports."""
    work.mkdir(parents=True, exist_ok=True)
    shutil.copy(source, work / "table.tex")
    (work / "doc.tex").write_text(DOCUMENT)
    done = subprocess.run(
        [str(PDFLATEX), "-interaction=nonstopmode", "-halt-on-error", "doc.tex"],
        cwd=work,
        capture_output=True,
        text=True,
        timeout=120,
    )
    log = (work / "doc.log").read_text(errors="replace") if (work / "doc.log").exists() else ""
    problems = [line for line in log.splitlines() if line.startswith("! ")]
    for amount in re.findall(r"Overfull \\hbox \((\d+\.?\d*)pt too wide\)", log):
        if float(amount) > TOLERANCE:
            problems.append(f"Overfull \\hbox ({amount}pt too wide)")
    problems += re.findall(r"Float too large for page.*", log)
    problems += re.findall(r"Missing character: .*", log)
    if done.returncode != 0 and not problems:
        problems.append(f"pdflatex exit {done.returncode}: {done.stdout[-500:]}")
    return problems


@needs_tex
def test_generated_tables_compile_and_fit(swept, tmp_path: Path) -> None:
    store, key = swept
    _, _, paths = report.write(store, key)
    sources = [p for p in paths if p.suffix == ".tex"]
    assert {p.name for p in sources} >= {f"{key}.tex", "budget.tex"}
    for source in sources:
        problems = compile_table(source, tmp_path / source.stem)
        assert not problems, f"{source.name}: {problems}"


@needs_tex
@pytest.mark.parametrize("source", COMMITTED, ids=lambda p: str(p.relative_to(ROOT)))
def test_committed_tables_compile_and_fit(source: Path, tmp_path: Path) -> None:
    if not source.read_text().startswith(latex.MARKER):
        pytest.skip(
            f"SKIPPED LOUDLY: {source.relative_to(ROOT)} predates the LaTeX writer "
            "(benchmark/reporting/latex.py); regenerate it with python -m benchmark report"
        )
    problems = compile_table(source, tmp_path)
    assert not problems, f"{source.name}: {problems}"
