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

import numpy as np
import pandas as pd
import pytest

from benchmark.reporting import latex, report, tables
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


MAIN = [
    *(f"{r}@100%" for r in ("sft", "smar", "allrank", "lambdamart", "calibrated-fusion")),
    "fusion-zscore",
    "interleave",
    "fusion-minmax",
    *(f"{r}@{b}%" for r in ("sft", "smar", "lambdamart") for b in (5, 10, 20, 30, 50)),
    "allrank@10%",
    "calibrated-fusion@10%",
]
ODD = "odd#$%&_^~\\{}<>|±▲▼—–−×é--x@10%"
ABLATION = [
    *(f"smar@{b}%[top-p]" for b in (5, 10, 20, 30, 50)),
    *(f"smar@10%{{betas=[{b}]{s}}}" for b in (0.1, 0.3, 1.0) for s in ("", ",standardise=False")),
    "smar@10%{betas=[0.3],squash=True,standardise=False}",
    "smar-no-distill@10%[top-p]",
    ODD,
    *(f"smar-variant-{i}@10%{{head=attention,layers={i}}}" for i in range(18)),
]


def long_board() -> pd.DataFrame:
    """A 58-row leaderboard frame: the main rows of a full synthetic-serp run and 33 ablation
    rows, with the labels, p-values and markers that broke the old tables."""
    rng = np.random.default_rng(0)
    labels = MAIN + ABLATION
    board = pd.DataFrame({"row": labels, "main": [lab in MAIN for lab in labels]})
    board["reference"] = board.row.str.endswith("@100%")
    board["units"] = rng.integers(0, 23388, len(board)).astype(float)
    for metric in tables.COLUMNS:
        board[f"{metric}_mean"] = np.sort(rng.uniform(0.5, 0.99, len(board)))[::-1]
        board[f"{metric}_std"] = rng.uniform(0, 0.05, len(board))
    board["p_holm"] = [np.nan, 0.24, 7.4e-05, 0.0, 3e-270, *rng.uniform(0, 1, len(board) - 5)]
    board["significance"] = ["", "", "▼", "▼", "▲", *[""] * (len(board) - 5)]
    return board


def long_curve() -> pd.DataFrame:
    """Eight methods at eight budgets: more columns than a one-column page holds."""
    budgets = [0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0]
    methods = ["sft [pages]", "smar [middle]", "lambdamart [pages]", "smar [top-p]", ODD]
    lines = [
        {"row": f"{m}@{b}", "main": i < 3, "method": m, "budget": b, "mean": 0.8 - i / 50,
         "ci95": 0.007, "mark": "▼" if b < 0.1 else ""}
        for i, m in enumerate(methods) for b in budgets
    ]  # fmt: skip
    return pd.DataFrame(lines)


def test_long_tables_split_escape_and_label() -> None:
    texts = tables.leaderboard_tables(long_board(), "syn_key-1", "the test; alpha = 0.05.")
    parts = ["", "-ablation", *(f"-ablation-{i}" for i in range(2, len(texts)))]
    assert len(texts) >= 3 and list(texts) == parts  # 33 ablation rows, most on two lines
    labels = [re.search(r"\\label\{(.*?)\}", t).group(1) for t in texts.values()]
    assert labels == ["tab:syn_key-1-leaderboard"] + [f"tab:syn_key-1{p}" for p in parts[1:]]
    for text in texts.values():
        rows = [line for line in text.splitlines() if line.endswith(r"\\")][1:]
        assert len(rows) <= tables.MAX_LINES
        assert r"\mathbf" in text and "std over seeds" in text and "exponential gain" in text
        assert "\\caption{" in text and "alpha = 0.05" in text
    main = texts[""]
    assert r"smar@10\%" in main and "[top-p]" not in main and "$<10^{-300}$" in main
    odd = r"odd\#\$\%\&\_\textasciicircum{}\textasciitilde{}\textbackslash{}\allowbreak{}\{\}"
    assert odd in texts["-ablation"] + texts["-ablation-2"]
    budget = tables.budget_tables(long_curve(), "syn_key-1", "the test.")
    assert len(budget) >= 2 and "95~\\% confidence interval" in budget[""]


@needs_tex
def test_long_tables_compile_and_fit(tmp_path: Path) -> None:
    texts = tables.leaderboard_tables(long_board(), "syn_key-1", "the test; alpha = 0.05.")
    texts |= {f"budget{k}": v for k, v in tables.budget_tables(long_curve(), "k", "t.").items()}
    for name, text in texts.items():
        source = tmp_path / f"table{name}.tex"
        source.write_text(text)
        problems = compile_table(source, tmp_path / f"work{name}")
        assert not problems, f"{name}: {problems}"
