"""The HTML report of one dataset: every view on one page, linking every written file."""

from __future__ import annotations

import html

import pandas as pd

from benchmark.reporting.leaderboard import formatted

STYLE = (
    "body{font-family:sans-serif;max-width:1100px;margin:auto}"
    "table{border-collapse:collapse;font-size:13px}"
    "td,th{padding:3px 8px;border-bottom:1px solid #ddd;white-space:nowrap}"
)


def page(
    key: str,
    board: pd.DataFrame,
    caption: str,
    table: pd.DataFrame,
    saving: pd.DataFrame,
    mix: pd.DataFrame,
) -> str:
    links = " · ".join(
        f'<a href="../../leaderboards/{key}.{suffix}">{suffix}</a>'
        for suffix in ("md", "csv", "tex")
    )
    sections = [
        f"<h1>Whole-page reranking: {html.escape(key)}</h1>",
        f"<h2>Leaderboard</h2><p>{links}</p>",
        formatted(board).to_html(index=False),
        f"<p><small>{html.escape(caption)}</small></p>",
        "<h2>nDCG@10 vs budget</h2><img src='budget_curve.png' alt='budget curve'>",
        table.to_html() if not table.empty else "",
        "<h2>Annotation saving</h2>",
        saving.to_html(index=False) if not saving.empty else "<p>no reference</p>",
        "<h2>Modality mix of the top 10</h2><img src='modality_mix.png' alt='modality mix'>",
        mix.round(3).to_html(),
    ]
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>"
        f"{html.escape(key)}</title><style>{STYLE}</style></head><body>"
        + "\n".join(sections)
        + "</body></html>\n"
    )
