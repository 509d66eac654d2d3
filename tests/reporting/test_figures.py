"""Figures a paper can use as they are: PNG, PDF and SVG at 3.3 in and 7 in, deterministic
bytes (no dates in the metadata), text of at least 8 pt at print size, a distinct colour and
marker per method, and a paired-difference figure whose filled markers are the leaderboard's
significant differences."""

from __future__ import annotations

import re

import pytest
from matplotlib.text import Text

from benchmark.reporting import figures, plots, report


@pytest.fixture(scope="module")
def data(swept) -> report.Data:
    store, key = swept
    return report.views_of(key, store.cells(key))


def drawings(data: report.Data) -> dict:
    return {
        "budget_curve": plots.draw_curve(data.curve),
        "budget_diff": plots.draw_diff(data.curve, data.best),
        "modality_mix": plots.draw_mix(data.main_mix),
    }


def test_every_format_and_width_with_deterministic_bytes(data) -> None:
    for name, draw in drawings(data).items():
        first, again = figures.render(name, draw), figures.render(name, draw)
        assert sorted(first) == sorted(
            f"{name}-{w}.{f}" for w in ("column", "full") for f in ("png", "pdf", "svg")
        )
        assert first == again, f"{name}: the bytes differ between two renderings"
        for width, inches in figures.WIDTHS.items():
            pdf = first[f"{name}-{width}.pdf"]
            assert b"CreationDate" not in pdf and b"ModDate" not in pdf
            box = re.search(rb"/MediaBox \[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
            assert box and abs(float(box.group(1)) - inches * 72) < 0.5
            svg = first[f"{name}-{width}.svg"].decode()
            assert "<dc:date>" not in svg and f'width="{inches * 72:g}pt"' in svg
            png = first[f"{name}-{width}.png"]
            assert int.from_bytes(png[16:20], "big") == round(inches * figures.PNG_DPI)


def test_pngs_are_palette_images_that_keep_the_series_colours(data) -> None:
    """8-bit palette PNGs (the committed reports' size) whose every series colour is within 2
    of its RGB value, and whose pixels are those of matplotlib's RGBA rendering (mean error
    under 1 of 255 per channel)."""
    import io

    import numpy as np
    from PIL import Image

    plt = figures.pyplot()
    with plt.rc_context(figures.RC):
        fig = plots.draw_curve(data.curve)(plt, figures.WIDTHS["full"])
        rgba, png = io.BytesIO(), figures.to_bytes(fig, "png")
        fig.savefig(rgba, format="png", dpi=figures.PNG_DPI)
        plt.close(fig)
    image = Image.open(io.BytesIO(png))
    assert image.mode == "P" and len(image.getcolors() or []) <= figures.PNG_COLOURS
    pixels = np.asarray(image.convert("RGB"), dtype=float)
    exact = np.asarray(Image.open(rgba).convert("RGB"), dtype=float)
    assert pixels.shape == exact.shape and np.abs(pixels - exact).mean() < 1.0
    assert (pixels[0, 0] == 255).all(), "the page is no longer white"
    used = {tuple(c) for c in exact.reshape(-1, 3).astype(int)}
    wanted = [tuple(int(c[i : i + 2], 16) for i in (1, 3, 5)) for c in figures.COLOURS]
    drawn = [c for c in wanted if c in used]
    table = np.asarray(image.getpalette()[: 3 * figures.PNG_COLOURS]).reshape(-1, 3)
    assert drawn, "no series colour drawn: the check is empty"
    for colour in drawn:
        assert np.sqrt(((table - colour) ** 2).sum(1)).min() <= 2, colour


def test_text_is_at_least_8pt_and_inside_the_figure(data) -> None:
    plt = figures.pyplot()
    for name, draw in drawings(data).items():
        for width in figures.WIDTHS.values():
            with plt.rc_context(figures.RC):
                fig = draw(plt, width)
                renderer = fig.canvas.get_renderer()
                fig.canvas.draw()
                texts = [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]
                sizes = [t.get_fontsize() for t in texts]
                drawn = fig.get_tightbbox(renderer)  # inches: everything drawn, labels included
                size = fig.get_size_inches()
                plt.close(fig)
            assert sizes and min(sizes) >= 8, f"{name} at {width} in: {min(sizes)} pt"
            inside = drawn.x0 > -0.02 and drawn.y0 > -0.02 and drawn.x1 < size[0] + 0.02
            assert inside and drawn.y1 < size[1] + 0.02, f"{name} at {width} in: {drawn} clipped"


def test_methods_get_distinct_colour_and_marker() -> None:
    style = figures.styles([f"method {i}" for i in range(40)])
    assert len({(s["color"], s["marker"]) for s in style.values()}) == 40
    assert len({s["color"] for s in list(style.values())[:10]}) == 10
    assert len({s["marker"] for s in list(style.values())[:9]}) == 9


def test_paired_difference_markers_follow_the_test(data) -> None:
    """Hollow markers are exactly the points the leaderboard does not call significant."""
    plt = figures.pyplot()
    with plt.rc_context(figures.RC):
        fig = plots.draw_diff(data.curve, data.best)(plt, 7.0)
    hollow = sum(
        len(line.get_xdata())
        for line in fig.axes[0].get_lines()
        if line.get_markerfacecolor() == "white" and len(line.get_xdata())
    )
    plt.close(fig)
    points, _, _ = plots.curve_parts(data.curve)
    assert hollow == int((~points.significant).sum())
    assert set(data.curve.columns) >= {"diff", "diff_ci95", "significant"}


def crowded_curve(n: int = 24):
    """``n`` methods at 10/30/100 %, long names: the legend that used to be cut."""
    import pandas as pd

    lines = [
        {"row": f"m{i}@{b}", "main": i < 4, "method": f"smar-variant-{i} [calibration-anchors]",
         "budget": b, "mean": 0.8 + i / 500, "ci95": 0.01, "diff": -0.01 * i,
         "diff_ci95": 0.005, "significant": i % 2 == 0, "queries": 100}
        for i in range(n) for b in (0.1, 0.3, 1.0)
    ]  # fmt: skip
    return pd.DataFrame(lines)


def test_legends_are_never_cut_and_100_percent_stays_at_100() -> None:
    """24 series: every legend entry inside the figure at both widths, each series its own
    colour, marker and line; the points at 100 % within 4 % of 100 on the log axis."""
    curve = crowded_curve()
    plt = figures.pyplot()
    for draw in (plots.draw_curve(curve), plots.draw_diff(curve, "ref@100%")):
        for width in figures.WIDTHS.values():
            with plt.rc_context(figures.RC):
                fig = draw(plt, width)
                fig.canvas.draw()
                renderer = fig.canvas.get_renderer()
                (legend,) = fig.legends
                entries = [t for t in legend.get_texts() if t.get_text()]
                box = legend.get_window_extent(renderer).transformed(fig.dpi_scale_trans.inverted())
                size = fig.get_size_inches()
                xs = [x for line in fig.axes[0].get_lines() for x in line.get_xdata()]
                plt.close(fig)
            assert len(entries) >= 24
            assert box.y0 > -0.02 and box.x0 > -0.02 and box.x1 < size[0] + 0.02, (width, box)
            near = [x for x in xs if x > 50]
            assert near and all(96 <= x <= 104 for x in near), sorted(near)[-3:]
    styles = figures.styles(list(curve.method.unique()))
    assert len({tuple(map(str, s.values())) for s in styles.values()}) == 24
