"""The one LaTeX writer of the suite: every table it writes (leaderboards, budget tables, the
grids' views, the claim tables) is a float made here that compiles on its own, ``\\input`` into
an ``article`` with ``booktabs``, ``amssymb`` and ``graphicx``, and fits its target width:

* ``column`` (:class:`Style`; ``report --latex-width``, the default): the ``\\columnwidth`` of a
  two-column page (acmart sigconf's 241 pt; IEEEtran's 252 pt) as a ``table``, or a ``table*``
  of :data:`TEXT_WIDTH` (it fits a two-column page's ``\\textwidth`` and a one-column article's)
  when even the narrowest first column leaves no room; ``text``: a one-column article's
  ``\\textwidth``. ``\\resizebox`` only when even the narrowest first column does not fit.
* Widths are estimated from cmr10's glyph widths (:func:`text_width`); a table wider than its
  target gets a ragged-right first column of the remaining width, whose labels break after
  commas and ``=`` and before ``@``/``[``/``{`` (never narrower than their longest piece).
* Short captions; the detail (tests, gain, what ± is) in ``%`` comments above the float
  (:attr:`Table.notes`); display names for rows and datasets (:meth:`Style.name`: a grid
  file's ``[labels]``, ``report --label``). Every cell is escaped (:func:`escape`; other
  non-ASCII text becomes its code point rather than break pdflatex).
  ``tests/reporting/test_tex.py`` compiles every table on both pages and checks the width.
"""

from __future__ import annotations

import math
import re
import textwrap
from dataclasses import dataclass, field

TEXT_WIDTH = 345.0  # pt: \textwidth of a one-column article at 10 pt
COLUMN_WIDTH = 241.0  # pt: \columnwidth of acmart sigconf (IEEEtran: 252 pt)
MIN_FIRST = 62.0  # pt: the narrowest first column before a table goes wide or is resized
TARGETS = {"column": COLUMN_WIDTH, "text": TEXT_WIDTH}  # --latex-width
TABCOLSEP = 3.0  # pt, set in each table (LaTeX's default is 6 pt)
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
    """An escaped row label that may break after a comma or ``=`` and before ``@``, ``[`` or
    ``{``."""
    text = escape(label).replace(",", r",\allowbreak{}").replace("=", r"=\allowbreak{}")
    text = text.replace("@", r"\allowbreak{}@")
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


@dataclass(frozen=True)
class Style:
    """How the tables are set: the target width (``column`` or ``text``, :data:`TARGETS`) and
    display names for row labels, methods and dataset keys (text, escaped when set)."""

    width: str = "column"
    labels: dict[str, str] = field(default_factory=dict)

    def name(self, text: str) -> str:
        return self.labels.get(text, text)


@dataclass
class Column:
    header: str  # LaTeX
    width: float  # estimated natural width of its widest cell or header (pt)
    align: str = "r"
    least: float = 0.0  # pt: the narrowest it can be (its longest unbreakable piece)


@dataclass
class Table:
    columns: list[Column]
    rows: list[list[str]]  # LaTeX cells
    caption: str  # LaTeX
    label: str
    rules: list[int] = field(default_factory=list)  # a \midrule before these rows
    notes: list[str] = field(default_factory=list)  # plain text, as % comments above the float
    target: str = "text"  # a key of TARGETS: "column" may become a table* of TEXT_WIDTH

    def natural_width(self) -> float:
        return sum(c.width for c in self.columns) + 2 * TABCOLSEP * (len(self.columns) - 1)

    def others(self) -> float:
        """The width the columns but the first take, with the slack for the estimates."""
        return self.natural_width() - self.columns[0].width + SLACK

    def least(self) -> float:
        """The narrowest first column: :data:`MIN_FIRST`, or its longest unbreakable piece."""
        return max(MIN_FIRST, self.columns[0].least)

    def wide(self) -> bool:
        """A ``table*``: a column-width table whose other columns leave no room for its
        narrowest first column."""
        return self.target == "column" and self.others() + self.least() > COLUMN_WIDTH

    def width(self) -> float:
        return TEXT_WIDTH if self.wide() else TARGETS[self.target]

    def fits(self) -> bool:
        """Whether the table at its natural width fits its width (with the slack)."""
        return self.natural_width() + SLACK <= self.width()

    def resized(self) -> bool:
        """The last resort: even the narrowest first column does not fit."""
        return not self.fits() and self.others() + self.least() > self.width()

    def first_width(self) -> float:
        """The first column's width: its natural width, or what the others leave."""
        if self.fits() or self.resized():
            return self.columns[0].width
        return self.width() - self.others()

    def spec(self) -> str:
        """The column spec: the first column a paragraph column of the width left by the
        others when the table would be wider than its width."""
        rest = "".join(c.align for c in self.columns[1:])
        if self.fits() or self.resized():
            return f"@{{}}{self.columns[0].align}{rest}@{{}}"
        left = rf"\dimexpr\linewidth-{self.others():.0f}pt\relax"
        return rf"@{{}}p{{{left}}}{rest}@{{}}"


def comments(notes: list[str]) -> list[str]:
    """``notes`` as LaTeX comment lines of at most 96 characters."""
    out = []
    for note in notes:
        out += ["% " + line for line in textwrap.wrap(note, 94)]
    return out


def render(table: Table) -> str:
    """The table as a complete float (``table`` or ``table*``; caption above, label, booktabs
    rules), after its notes as comments."""
    env = "table*" if table.wide() else "table"
    box = (r"\resizebox{\linewidth}{!}{", "}") if table.resized() else ("", "")
    lines = [
        MARKER,
        r"% needs \usepackage{booktabs,amssymb,graphicx}",
        *comments(table.notes),
        rf"\begin{{{env}}}[tbp]",
        r"\centering",
        rf"\setlength{{\tabcolsep}}{{{TABCOLSEP:g}pt}}",
        rf"\caption{{{table.caption}}}",
        rf"\label{{{table.label}}}",
        box[0] + rf"\begin{{tabular}}{{{table.spec()}}}",
        r"\toprule",
        " & ".join(c.header for c in table.columns) + r" \\",
        r"\midrule",
    ]
    ragged = r"\raggedright\hangindent=1em " if "p{" in table.spec() else ""
    for i, row in enumerate(table.rows):
        if i in table.rules:
            lines.append(r"\midrule")
        lines.append(" & ".join([ragged + row[0], *row[1:]]) + r" \\")
    lines += [r"\bottomrule", r"\end{tabular}" + box[1], rf"\end{{{env}}}", ""]
    return "\n".join(lines)


def pieces(label: str) -> list[str]:
    """The pieces a row label breaks into (:func:`breakable`)."""
    return re.split(r"(?<=[,= ])|(?=[@\[{])", label)


def least(labels: list[str], header: str = "") -> float:
    """The narrowest a first column of ``labels`` can be: its longest piece (after the
    continuation lines' indent but the first), or its header."""
    widest = 0.0
    for label in labels:
        first, *rest = pieces(label)
        widest = max(widest, text_width(first), *(text_width(p) + HANG for p in rest))
    return max(widest, text_width(header)) + 1.0


def lines(label: str, width: float) -> int:
    """How many lines a row label takes in a first column ``width`` pt wide (it breaks after
    commas and ``=`` and before ``@``, ``[`` and ``{``; continuation lines are indented 1 em)."""
    count, used = 1, 0.0
    for piece in pieces(label):
        w = text_width(piece)
        if used and used + w > width:
            count, used = count + 1, HANG
        used += w
    return count
