"""Every LaTeX table the suite writes compiles on its own, ``\\input`` into an ``article`` with
``booktabs``, ``amssymb`` and ``graphicx``, and fits: the default (``--latex-width column``) on
a two-column page whose ``\\columnwidth`` is acmart sigconf's 241 pt (``\\documentclass[twocolumn]
{article}`` with ``geometry``'s textwidth 506 pt and columnsep 24 pt: the IEEEtran and acmart
classes are not in Debian's texlive-latex-* packages) and in a one-column article;
``--latex-width text`` in a one-column article. The tables of a tiny run, every committed
``results/**/*.tex``, and the tables ``report`` writes from every committed leaderboard at both
widths. Needs pdflatex (Debian: ``apt-get install --no-install-recommends texlive-latex-base
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
from benchmark.reporting.latex import Style
from tests.reporting.conftest import ROOT

PDFLATEX = shutil.which("pdflatex")
TOLERANCE = 1.0  # pt of overfull box allowed
PAGES = {
    "one-column": r"\documentclass{article}",
    "two-column": r"\documentclass[twocolumn]{article}"
    "\n\\usepackage[textwidth=506pt,columnsep=24pt]{geometry}",
}
PREAMBLE = "\n\\usepackage{booktabs,amssymb,graphicx}\n\\tracinglostchars=2\n\\begin{document}\n"
COMMITTED = sorted(
    [
        *ROOT.glob("results/leaderboards/*.tex"),
        *ROOT.glob("results/reports/*/*.tex"),
        *ROOT.glob("results/*.tex"),
    ]
)
BOARDS = sorted(ROOT.glob("results/leaderboards/*.csv"))
needs_tex = pytest.mark.skipif(
    PDFLATEX is None,
    reason="SKIPPED LOUDLY: pdflatex is not installed, so no generated .tex file was compiled "
    "(apt-get install --no-install-recommends texlive-latex-base texlive-latex-recommended)",
)


def problems_of(log: str) -> list[str]:
    problems = [line for line in log.splitlines() if line.startswith("! ")]
    for amount in re.findall(r"Overfull \\hbox \((\d+\.?\d*)pt too wide\)", log):
        if float(amount) > TOLERANCE:
            problems.append(f"Overfull \\hbox ({amount}pt too wide)")
    problems += re.findall(r"Float too large for page.*", log)
    problems += re.findall(r"Missing character: .*", log)
    return problems


def compile_tables(texts: dict[str, str], work: Path, page: str = "one-column") -> dict[str, list]:
    """Compile the tables ``texts`` (name -> LaTeX) in one document on ``page``, each on its own
    page; the problems pdflatex reports, by table (only the tables that have some)."""
    work.mkdir(parents=True, exist_ok=True)
    body = []
    for i, (name, text) in enumerate(texts.items()):
        (work / f"t{i}.tex").write_text(text)
        body.append(f"\\typeout{{@@table {name}}}\n\\input{{t{i}}}\n\\clearpage")
    (work / "doc.tex").write_text(PAGES[page] + PREAMBLE + "\n".join(body) + "\n\\end{document}\n")
    # errors="replace": pdflatex wraps its output at 79 bytes, splitting UTF-8 characters
    done = subprocess.run(
        [str(PDFLATEX), "-interaction=nonstopmode", "-halt-on-error", "doc.tex"],
        cwd=work, capture_output=True, text=True, errors="replace", timeout=600,
    )  # fmt: skip
    log = (work / "doc.log").read_text(errors="replace") if (work / "doc.log").exists() else ""
    out: dict[str, list] = {}
    for part in re.split(r"^@@table ", log, flags=re.M)[1:]:
        name, _, rest = part.partition("\n")
        if problems_of(rest):
            out[name] = problems_of(rest)
    if done.returncode != 0 and not out:
        out["(document)"] = [f"pdflatex exit {done.returncode}: {done.stdout[-500:]}"]
    return out


def compile_table(source: Path, work: Path, page: str = "one-column") -> list[str]:
    """Compile ``source`` alone on ``page``; the problems pdflatex reports."""
    found = compile_tables({source.name: source.read_text()}, work, page)
    return [p for problems in found.values() for p in problems]


@needs_tex
@pytest.mark.parametrize("width", ["column", "text"])
def test_generated_tables_compile_and_fit(swept, tmp_path: Path, width: str) -> None:
    store, key = swept
    _, _, paths = report.write(store, key, Style(width))
    sources = [p for p in paths if p.suffix == ".tex"]
    assert {p.name for p in sources} >= {f"{key}.tex", "budget.tex"}
    texts = {p.name: p.read_text() for p in sources}
    pages = ["one-column", "two-column"] if width == "column" else ["one-column"]
    for page in pages:
        assert not compile_tables(texts, tmp_path / page, page), page
    if width == "column":  # the main table is a one-column float at this size
        assert "\\begin{table}[" in texts[f"{key}.tex"]


@needs_tex
@pytest.mark.parametrize("page", ["one-column", "two-column"])
def test_committed_tables_compile_and_fit(tmp_path: Path, page: str) -> None:
    stale = [p for p in COMMITTED if not p.read_text().startswith(latex.MARKER)]
    assert not stale, f"regenerate with python -m benchmark.tools.reproduce: {stale}"
    texts = {str(p.relative_to(ROOT)): p.read_text() for p in COMMITTED}
    assert not compile_tables(texts, tmp_path, page)


@needs_tex
@pytest.mark.parametrize("width", ["column", "text"])
def test_every_committed_leaderboard_fits_at_both_widths(tmp_path: Path, width: str) -> None:
    """``report --latex-width column|text`` on the committed results: every leaderboard table
    (from the committed CSVs, which hold every column the tables show)."""
    texts = {}
    for csv in BOARDS:
        board = pd.read_csv(csv)
        for suffix, text in tables.leaderboard_tables(board, csv.stem, "t.", Style(width)).items():
            texts[f"{csv.stem}{suffix}"] = text
    assert len(texts) >= len(BOARDS)
    page = "two-column" if width == "column" else "one-column"
    assert not compile_tables(texts, tmp_path, page)


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
    board["seeds"] = rng.choice([1, 3, 5], len(board))
    for metric in tables.COLUMNS["text"]:
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
        assert "std over" in text and "exponential gain" in text
        assert "\\caption{" in text and "alpha = 0.05" in text
    main = texts[""]
    assert r"smar\allowbreak{}@10\%" in main and "[top-p]" not in main and "$<10^{-300}$" in main
    assert r"\mathbf" in main and r"\mathbf" in texts["-ablation"]  # best of the whole table
    odd = r"odd\#\$\%\&\_\textasciicircum{}\textasciitilde{}\textbackslash{}\allowbreak{}\{\}"
    assert odd in texts["-ablation"] + texts["-ablation-2"]
    budget = tables.budget_tables(long_curve(), "syn_key-1", "the test.")
    assert len(budget) >= 2 and "95 % confidence interval" in budget[""]
    assert r"$\pm$ 95~\% CI" in budget[""]


def test_seeds_column_and_display_names() -> None:
    """Rows with different seeds get an ``n`` column; equal seeds are said in the caption;
    display names replace row labels and the dataset key."""
    board = long_board()
    style = Style("column", {"smar@10%": "SMAR (10 %)", "syn_key-1": "Synthetic SERP"})
    main = tables.leaderboard_tables(board, "syn_key-1", "t.", style)[""]
    assert "& $n$ &" in main and "over $n$ seeds" in main
    assert r"SMAR (10 \%)" in main and "on Synthetic SERP" in main
    assert not re.search(r"(^| )smar\\allowbreak\{\}@10\\% &", main, re.M)  # renamed
    assert re.search(r"(^| )sft\\allowbreak\{\}@10\\% &", main, re.M)  # not renamed
    same = tables.leaderboard_tables(board.assign(seeds=5), "k", "t.", style)[""]
    assert "& $n$ &" not in same and "over 5 seeds" in same


@needs_tex
@pytest.mark.parametrize("width", ["column", "text"])
def test_long_tables_compile_and_fit(tmp_path: Path, width: str) -> None:
    style = Style(width)
    texts = tables.leaderboard_tables(long_board(), "syn_key-1", "the test; alpha = 0.05.", style)
    budget = tables.budget_tables(long_curve(), "k", "t.", style)
    texts |= {f"budget{k}": v for k, v in budget.items()}
    for page in ["one-column", "two-column"] if width == "column" else ["one-column"]:
        assert not compile_tables(texts, tmp_path / page, page)


def test_latex_options_of_the_command_line(tmp_path: Path, capsys) -> None:
    """``--latex-width`` and ``--label`` over a grid file's ``[labels]``; bad ones: one line."""
    from benchmark import cli
    from benchmark.cli_parser import parser
    from benchmark.cli_plan import style_of

    grid = tmp_path / "g.toml"
    grid.write_text(
        '[labels]\n"sft@100%" = "SFT (all labels)"\n"smar@10%" = "SMAR"\n'
        '[[group]]\nrerankers = ["sft"]\nbudgets = ["10%"]\n'
    )
    args = parser().parse_args(
        ["report", "--grid", str(grid), "--label", "smar@10%=SMAR, 10 %", "--latex-width", "text"]
    )
    style = style_of(args)
    assert style.width == "text"
    assert style.labels == {"sft@100%": "SFT (all labels)", "smar@10%": "SMAR, 10 %"}
    assert style_of(parser().parse_args(["report"])) == Style("column", {})
    assert cli.main(["report", "--label", "smar@10%"]) == 2
    assert cli.main(["report", "--latex-width", "page"]) == 2
    grid.write_text('labels = { "sft@100%" = 3 }\n[[group]]\nrerankers = ["sft"]\n')
    assert cli.main(["report", "--grid", str(grid), "--out", str(tmp_path)]) == 2
    errors = [line for line in capsys.readouterr().err.splitlines() if line]
    assert len(errors) == 3 and all(e.startswith("error: ") for e in errors), errors
    assert "[labels] table of display names" in errors[-1]
