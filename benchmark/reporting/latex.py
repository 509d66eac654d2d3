"""The one LaTeX writer of the suite: every table it writes (leaderboards, budget tables) is a
``table`` float made here, that compiles on its own when ``\\input`` into a one-column
``article`` that loads ``booktabs`` and ``amssymb``, and fits the text width.

* Every cell and header is escaped (:func:`escape`): ``\\ { } # $ % & _ ^ ~ < > |`` and the
  unicode signs the suite prints (± ▲ ▼ — – − † ×); other non-ASCII text is replaced by its
  code point rather than break pdflatex.
* Widths are estimated from Computer Modern's glyph widths at 10 pt (:func:`text_width`, the
  widths pdflatex reports for cmr10); when a table's natural width exceeds :data:`TEXT_WIDTH`
  (a one-column article's ``\\textwidth``), its first column becomes a ragged-right paragraph
  column of the remaining width, and labels break after commas and before ``[``/``{``.
  ``tests/reporting/test_tex.py`` compiles every table and checks the width with pdflatex.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

TEXT_WIDTH = 345.0  # pt: \textwidth of a one-column article at 10 pt
TABCOLSEP = 3.5  # pt, set in each table (LaTeX's default is 6 pt)
MARKER = "% wholepage-bench table (benchmark/reporting/latex.py)"
SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "#": r"\#",
    "$": r"\$",
    "%": r"\%",
    "&": r"\&",
    "_": r"\_",
    "^": r"\textasciicircum{}",
    "~": r"\textasciitilde{}",
    "<": r"\textless{}",
    ">": r"\textgreater{}",
    "|": r"\textbar{}",
    "±": r"$\pm$",
    "▲": r"$\blacktriangle$",
    "▼": r"$\blacktriangledown$",
    "—": "---",
    "–": "--",
    "−": "$-$",
    "†": r"$^\dagger$",
    "×": r"$\times$",
    "\n": " ",
}
#: glyph widths of cmr10 at 10 pt (pt), as pdflatex measures them; other characters: 5 pt
WIDTHS = dict(
    zip(
        map(chr, range(32, 127)),  # the printable ASCII characters, space to ~
        (
            [3.33, 2.78, 5.0, 8.33, 5.0, 8.33, 7.78, 2.78, 3.89, 3.89, 5.0, 7.78, 2.78, 3.33]
            + [2.78, 5.0] + [5.0] * 10 + [2.78, 2.78, 7.78, 7.78, 7.78, 4.72, 7.78, 7.5, 7.08]
            + [7.22, 7.64, 6.81, 6.53, 7.85, 7.5, 3.61, 5.14, 7.78, 6.25, 9.17, 7.5, 7.78, 6.81]
            + [7.78, 7.36, 5.56, 7.22, 7.5, 7.5, 10.28, 7.5, 7.5, 6.11, 2.78, 5.0, 2.78, 5.0]
            + [3.6, 2.78, 5.0, 5.56, 4.44, 5.56, 4.44, 3.06, 5.0, 5.56, 2.78, 3.06, 5.28, 2.78]
            + [8.33, 5.56, 5.0, 5.56, 5.28, 3.92, 3.94, 3.89, 5.56, 5.28, 7.22, 5.28, 5.28]
            + [4.44, 5.0, 10.0, 5.0, 5.0]
        ),
        strict=True,
    )
)  # fmt: skip
SCRIPT = 0.82  # a cmr7 sub/superscript glyph, relative to its cmr10 width
SLACK = 4.0  # pt kept free by a paragraph first column, for the estimates' error
HANG = 10.0  # pt: the indent of a row label's continuation lines (1 em)


def escape(text: object) -> str:
    """``text`` as LaTeX text that prints it (every special character escaped)."""
    out, previous = [], ""
    for char in str(text):
        if char == "-" and previous == "-":
            out.append("{}-")  # no -- or --- ligature (an en or em dash)
        elif char in SPECIAL:
            out.append(SPECIAL[char])
        elif ord(char) < 128 or (ord(char) < 256 and char.isalpha()):
            out.append(char)  # ASCII, or a Latin-1 letter (LaTeX's utf8 input knows it)
        else:
            out.append(f"[U+{ord(char):04X}]")
        previous = char
    return "".join(out)


def breakable(label: str) -> str:
    """An escaped row label that may break after a comma and before ``[`` or ``{``."""
    text = escape(label).replace(",", r",\allowbreak{}")
    return text.replace("[", r"\allowbreak{}[").replace(r"\{", r"\allowbreak{}\{")


def text_width(text: str) -> float:
    """Estimated width in pt of plain ``text`` set in cmr10 at 10 pt."""
    return sum(WIDTHS.get(c, 5.0) for c in text)


def decimal(x: float, digits: int) -> str:
    """``x`` with ``digits`` decimals, without the leading zero of a number in (-1, 1)."""
    text = f"{x:.{digits}f}"
    return text.replace("0.", ".", 1) if text.lstrip("-").startswith("0.") else text


@dataclass
class Value:
    """A number with its spread (``mean_{±spread}``), bold when best, with a marker."""

    mean: float
    spread: float | None = None
    digits: int = 3
    bold: bool = False
    mark: str = ""  # "▲", "▼" or ""

    def tex(self) -> str:
        if math.isnan(self.mean):
            return "---"
        main = decimal(self.mean, self.digits)
        main = rf"\mathbf{{{main}}}" if self.bold else main
        sub = "" if self.spread is None else rf"_{{\pm {decimal(self.spread, self.digits)}}}"
        sup = {"▲": r"^{\blacktriangle}", "▼": r"^{\blacktriangledown}"}.get(self.mark, "")
        return f"${main}{sub}{sup}$"

    def width(self) -> float:
        main = text_width(decimal(self.mean, self.digits)) * (1.15 if self.bold else 1.0)
        if self.spread is None:
            return main + (5.0 if self.mark else 0.0)
        return main + SCRIPT * (7.78 + text_width(decimal(self.spread, self.digits)))


def p_value(p: float) -> tuple[str, float]:
    """A p-value as LaTeX and its estimated width: two significant digits from 0.001 on,
    ``<10^{-k}`` below (0, ranx's underflow, shows as ``<10^{-300}``); NaN as a dash."""
    if math.isnan(p):
        return "---", 10.0
    if p >= 1e-3:
        text = f"{p:.2g}"
        return text, text_width(text)
    k = min(300, math.floor(-math.log10(p))) if p > 0 else 300
    return f"$<10^{{-{k}}}$", 7.78 + 2.78 + 10.0 + SCRIPT * (7.78 + text_width(str(k)))


@dataclass
class Column:
    header: str  # LaTeX
    width: float  # estimated natural width of its widest cell or header (pt)
    align: str = "r"


@dataclass
class Table:
    columns: list[Column]
    rows: list[list[str]]  # LaTeX cells
    caption: str  # LaTeX
    label: str
    rules: list[int] = field(default_factory=list)  # a \midrule before these rows

    def natural_width(self) -> float:
        return sum(c.width for c in self.columns) + 2 * TABCOLSEP * (len(self.columns) - 1)

    def others(self) -> float:
        """The width the columns but the first take, with the slack for the estimates."""
        return self.natural_width() - self.columns[0].width + SLACK

    def fits(self) -> bool:
        """Whether the table at its natural width fits the text width (with the slack)."""
        return self.natural_width() + SLACK <= TEXT_WIDTH

    def first_width(self) -> float:
        """The first column's width: its natural width, or what the others leave."""
        if self.fits():
            return self.columns[0].width
        return TEXT_WIDTH - self.others()

    def spec(self) -> str:
        """The column spec: the first column a paragraph column of the width left by the
        others when the table would be wider than the text."""
        rest = "".join(c.align for c in self.columns[1:])
        if self.fits():
            return f"@{{}}{self.columns[0].align}{rest}@{{}}"
        return rf"@{{}}p{{\dimexpr\linewidth-{self.others():.0f}pt\relax}}{rest}@{{}}"


def render(table: Table) -> str:
    """The table as a complete ``table`` float (caption above, label, booktabs rules)."""
    ragged = not table.fits()
    lines = [
        MARKER,
        r"% needs \usepackage{booktabs,amssymb}",
        r"\begin{table}[tbp]",
        r"\centering",
        rf"\setlength{{\tabcolsep}}{{{TABCOLSEP:g}pt}}",
        rf"\caption{{{table.caption}}}",
        rf"\label{{{table.label}}}",
        rf"\begin{{tabular}}{{{table.spec()}}}",
        r"\toprule",
        " & ".join(c.header for c in table.columns) + r" \\",
        r"\midrule",
    ]
    for i, row in enumerate(table.rows):
        if i in table.rules:
            lines.append(r"\midrule")
        first = (r"\raggedright\hangindent=1em " if ragged else "") + row[0]
        lines.append(" & ".join([first, *row[1:]]) + r" \\")
    lines += [r"\bottomrule", r"\end{tabular}", r"\end{table}", ""]
    return "\n".join(lines)


def lines(label: str, width: float) -> int:
    """How many lines a row label takes in a first column ``width`` pt wide (it breaks after
    commas and before ``[`` and ``{``; continuation lines are indented 1 em)."""
    count, used = 1, 0.0
    for piece in re.split(r"(?<=,)|(?=[\[{])", label):
        w = text_width(piece)
        if used and used + w > width:
            count, used = count + 1, HANG
        used += w
    return count


def chunks(heights: list[int], limit: int) -> list[range]:
    """Consecutive row ranges of at most ``limit`` lines each (``heights``: lines per row),
    as few and as even as possible: a table per page."""
    if not heights:
        return []
    total = sum(heights)
    wanted = max(1, -(-total // limit))
    for target in range(max(max(heights), -(-total // wanted)), limit + 1):
        parts = greedy(heights, target)
        if len(parts) <= wanted:
            return parts
    return greedy(heights, max(limit, max(heights)))


def greedy(heights: list[int], target: int) -> list[range]:
    """Rows filled into parts of at most ``target`` lines, in order."""
    parts, start, used = [], 0, 0
    for i, h in enumerate(heights):
        if used and used + h > target:
            parts.append(range(start, i))
            start, used = i, 0
        used += h
    parts.append(range(start, len(heights)))
    return parts
