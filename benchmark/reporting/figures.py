"""Figures as bytes, ready for a paper: every figure in PNG, PDF and SVG, at one-column width
(3.3 in) and full width (7 in), text at 8 pt at that print size (the figure is saved at exactly
its size: no tight bounding box that would rescale it), fonts embedded as TrueType (Type 42)
in the PDF, text as paths in the SVG, PNGs as 8-bit palette images (a third of the bytes).
The bytes are deterministic: no date in the PDF or SVG metadata, a fixed SVG id salt; the same
data and matplotlib version give the same files.

The drawings are :mod:`benchmark.reporting.plots`; this module sets the page (sizes, fonts,
formats), the styles shared by every figure and the rendering to bytes.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

WIDTHS = {"column": 3.3, "full": 7.0}  # inches: one column of a two-column paper, full width
FORMATS = ("png", "pdf", "svg")
PNG_DPI = 150  # modest: the committed reports keep their PNGs in git
#: PNGs are 8-bit palette images of at most this many colours (Pillow's median cut, no
#: dithering): about a third of the bytes of matplotlib's RGBA file, white and every drawn
#: series colour kept within 2 of their RGB values (tests/reporting/test_figures.py; 128
#: colours or the octree quantiser shift rarely drawn series colours or the white page)
PNG_COLOURS = 256
RC = {
    "font.size": 8,
    "axes.titlesize": 8,
    "axes.labelsize": 8,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "legend.fontsize": 8,
    "legend.title_fontsize": 8,
    "lines.linewidth": 1.2,
    "lines.markersize": 4.5,
    "pdf.fonttype": 42,
    "svg.fonttype": "path",
    "svg.hashsalt": "wholepage-bench",
    "axes.spines.top": False,
    "axes.spines.right": False,
}
METADATA: dict[str, dict[str, Any]] = {
    "png": {},
    "pdf": {"CreationDate": None, "ModDate": None},
    "svg": {"Date": None},
}
#: Okabe-Ito's colour-blind-safe colours, then Tol's muted ones; no greys (the label-free lines)
COLOURS = (
    "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#332288",
    "#882255", "#44AA99", "#999933", "#AA4499", "#117733",
)  # fmt: skip
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "<", ">", "p", "h", "*")
DASHES = ("-", (0, (5, 1.5)))  # the second round of colours is dashed
LABEL_FREE = (("0.35", (0, (4, 2))), ("0.5", (0, (1, 1.5))), ("0.65", (0, (6, 2, 1, 2))))


def styles(methods: list[str]) -> dict[str, dict[str, Any]]:
    """A distinct colour, marker and line per method, the same in every figure of a report
    (methods sorted by name): 12 colours and 12 markers; methods 13-24 take the colours again,
    dashed and with other markers (24 distinct series), then the cycle repeats."""
    n = len(COLOURS)
    return {
        m: {
            "color": COLOURS[i % n],
            "marker": MARKERS[(i + 5 * (i // n)) % len(MARKERS)],
            "linestyle": DASHES[(i // n) % len(DASHES)],
        }
        for i, m in enumerate(sorted(methods))
    }


def label_free_style(i: int) -> dict[str, Any]:
    colour, dashes = LABEL_FREE[i % len(LABEL_FREE)]
    return {"color": colour, "linestyle": dashes, "linewidth": 1.0}


def pyplot() -> Any:
    """matplotlib's pyplot on the file-only Agg backend (no display needed)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def to_bytes(fig: Any, fmt: str) -> bytes:
    buffer = io.BytesIO()
    dpi = PNG_DPI if fmt == "png" else 72
    fig.savefig(buffer, format=fmt, dpi=dpi, metadata=METADATA[fmt])
    return palette(buffer.getvalue()) if fmt == "png" else buffer.getvalue()


def palette(png: bytes) -> bytes:
    """``png`` (matplotlib's RGBA on a white page) as an 8-bit palette PNG of
    :data:`PNG_COLOURS` colours, deterministic."""
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    quantised = image.quantize(PNG_COLOURS, Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    buffer = io.BytesIO()
    quantised.save(buffer, format="png", optimize=True)
    return buffer.getvalue()


def render(
    name: str, draw: Callable[[Any, float], Any], formats: tuple[str, ...] = FORMATS
) -> dict[str, bytes]:
    """Every variant of one figure in ``formats`` by file name (``<name>-<width>.<format>``):
    ``draw(plt, width_in_inches)`` returns the figure."""
    return {n: b for v in WIDTHS for n, b in render_width(name, v, draw, formats).items()}


def render_width(
    name: str, variant: str, draw: Callable[[Any, float], Any], formats: tuple[str, ...]
) -> dict[str, bytes]:
    """One width variant of :func:`render` (``column`` or ``full``)."""
    plt = pyplot()
    files = {}
    with plt.rc_context(RC):
        fig = draw(plt, WIDTHS[variant])
        try:
            for fmt in formats:
                files[f"{name}-{variant}.{fmt}"] = to_bytes(fig, fmt)
        finally:
            plt.close(fig)
    return files


def width_of(file_name: str) -> str | None:
    """The width variant of a figure file (``column``, ``full``); None for any other file."""
    stem = file_name.rpartition(".")[0]
    return next(
        (w for w in WIDTHS if stem.endswith(f"-{w}") and not file_name.startswith(".")), None
    )


def variants(name: str, formats: tuple[str, ...] = FORMATS) -> list[str]:
    """The file names :func:`render` gives figure ``name`` in ``formats``."""
    return [f"{name}-{variant}.{fmt}" for variant in WIDTHS for fmt in formats]


def parse_formats(text: str) -> tuple[str, ...]:
    """``png,pdf``: the figure formats to write, in :data:`FORMATS` order; PNG is always one
    (the HTML report shows the PNGs)."""
    asked = [f.strip().lower() for f in text.split(",") if f.strip()]
    unknown = [f for f in asked if f not in FORMATS]
    if unknown or not asked:
        what = f"unknown figure format {unknown[0]!r}" if unknown else f"no format in {text!r}"
        raise ValueError(f"{what}; choose from {', '.join(FORMATS)}")
    return tuple(f for f in FORMATS if f in asked or f == "png")


def fingerprint(code: tuple[Any, ...], *inputs: Any) -> str:
    """A key for a figure's inputs (frames hashed by value, with their columns and index;
    anything else by ``repr``) and for the code that draws them (the source of the modules
    ``code``, matplotlib's version)."""
    import inspect

    import matplotlib
    import pandas as pd

    digest = hashlib.sha256(matplotlib.__version__.encode())
    for module in code:
        digest.update(inspect.getsource(module).encode())
    for item in inputs:
        if isinstance(item, pd.DataFrame):
            digest.update(repr((list(item.columns), list(item.dtypes.astype(str)))).encode())
            digest.update(pd.util.hash_pandas_object(item, index=True).to_numpy().tobytes())
        else:
            digest.update(repr(item).encode())
    return digest.hexdigest()[:20]


def cached(
    folder: Path,
    name: str,
    key: str,
    draw: Callable[[Any, float], Any],
    formats: tuple[str, ...] = FORMATS,
    keep: bool = True,
) -> dict[str, bytes]:
    """:func:`render`'s files of figure ``name`` in ``formats``, read back from ``folder`` when
    they were rendered there from inputs with the same ``key`` (:func:`reused`), rendered
    otherwise; the stamp ``.<name>.key`` is among the files returned."""
    found, formats = reused(folder, name, key, formats, keep)
    return found if found is not None else render(name, draw, formats) | stamp(name, key)


def reused(
    folder: Path, name: str, key: str, formats: tuple[str, ...] = FORMATS, keep: bool = True
) -> tuple[dict[str, bytes] | None, tuple[str, ...]]:
    """Figure ``name``'s files in ``formats`` (with its stamp) read back from ``folder`` when
    they were rendered there from inputs with the same ``key`` (the stamp), else None; and the
    formats to render. With ``keep``, a format already in ``folder`` is one of ``formats`` too:
    kept current, never removed (a fresh clone has no stamps, and a run that draws PNG only
    must not delete the committed PDF and SVG); without, only ``formats`` are returned (the
    caller removes the rest)."""
    if keep:
        there = {n.rpartition(".")[2] for n in variants(name) if (folder / n).is_file()}
        formats = tuple(f for f in FORMATS if f in formats or f in there)
    marker, wanted = stamp(name, key), variants(name, formats)
    same = all((folder / n).is_file() and (folder / n).read_bytes() == b for n, b in marker.items())
    if same and all((folder / n).is_file() for n in wanted):
        return {n: (folder / n).read_bytes() for n in wanted} | marker, formats
    return None, formats


def stamp(name: str, key: str) -> dict[str, bytes]:
    """The stamp file of figure ``name`` rendered from inputs with ``key``."""
    return {f".{name}.key": key.encode()}
