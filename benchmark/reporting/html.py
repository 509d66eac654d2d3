"""The HTML report of one dataset: every view on one page, where its numbers come from
(:mod:`benchmark.reporting.provenance`), and a link to every file the report wrote."""

from __future__ import annotations

import html
import json
import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from benchmark.reporting.provenance import Provenance

STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:1280px;margin:auto;padding:0 16px;"
    "line-height:1.4;color:#222}"
    "h2{margin-top:2em;border-bottom:1px solid #ccc}"
    ".scroll{overflow-x:auto;margin:8px 0}"
    "table{border-collapse:collapse;font-size:13px}"
    "th{background:#f0f0f0;position:sticky;top:0;text-align:left}"
    "td,th{padding:3px 8px;border-bottom:1px solid #ddd;white-space:nowrap}"
    "td:not(:first-child){text-align:right;font-variant-numeric:tabular-nums}"
    "tr:nth-child(even) td{background:#fafafa}"
    "p.caption{font-size:13px;color:#444;max-width:900px}"
    "img{width:100%;max-width:880px;height:auto;border:1px solid #eee}"
    "code{font-size:12px}"
    "table.prov td{text-align:left;white-space:normal}"
    "table.wrap td{white-space:normal;text-align:left}"
)


@dataclass
class Views:
    """What the page shows, as display frames and captions."""

    key: str
    main: pd.DataFrame
    ablation: pd.DataFrame
    board_caption: str
    budget: pd.DataFrame
    budget_caption: str
    saving: pd.DataFrame
    saving_caption: str
    mix: pd.DataFrame
    figure_notes: dict[str, str]  # figure name -> caption


def table(frame: pd.DataFrame, index: bool = False, classes: str = "") -> str:
    if frame.empty:
        return "<p>(none)</p>"
    text = frame.to_html(index=index, border=0, na_rep="—", classes=classes or None)
    return f"<div class='scroll'>{text}</div>"


def caption(text: str) -> str:
    return f"<p class='caption'>{html.escape(text)}</p>"


def figure(name: str, note: str, folder: Path, written: list[Path]) -> str:
    """The full-width PNG of a figure with its caption and links to every variant."""
    links = [p for p in written if p.name.startswith(f"{name}-")]
    variants = " · ".join(link(p, folder, p.name.removeprefix(f"{name}-")) for p in links)
    return (
        f"<figure><img src='{name}-full.png' alt='{html.escape(name)}'>"
        f"<figcaption>{caption(note)}<p>files: {variants}</p></figcaption></figure>"
    )


def link(path: Path, folder: Path, text: str | None = None) -> str:
    href = Path(os.path.relpath(path, folder)).as_posix()
    return f"<a href='{html.escape(href)}'>{html.escape(text or path.name)}</a>"


def provenance(prov: Provenance, key: str, out: Path) -> str:
    dataset = prov.dataset
    commits = len(prov.commits)
    rows = [
        ("dataset", f"{key}: spec {dataset['spec']}, version {dataset.get('version', '')}"),
        ("parameters", json.dumps(dataset.get("params", {}), sort_keys=True)),
        ("data fingerprint", str(dataset.get("fingerprint", ""))),
        ("cells", f"{prov.cells}, computed {prov.first} to {prov.last} (UTC)"),
        ("git commits", f"{commits} commit{'s' if commits > 1 else ''}" + (
            " (the cells come from several commits of the code)" if commits > 1 else "")),
        ("rebuild this report", prov.rebuild(out)),
    ]  # fmt: skip
    summary = "".join(f"<tr><td>{html.escape(a)}</td><td><code>{html.escape(b)}</code></td></tr>"
                      for a, b in rows)  # fmt: skip
    commands = pd.DataFrame(prov.commands, columns=["command", "cells"])
    shas = pd.DataFrame(prov.commits, columns=["git commit", "cells"])
    versions = (
        pd.DataFrame([{**v, "cells": n} for v, n in prov.versions])
        .T.reset_index()
        .rename(columns={"index": "package"})
    )
    return (
        f"<h2 id='provenance'>Provenance</h2><table class='prov'>{summary}</table>"
        f"<h3>Commands that computed the cells</h3>{table(commands)}"
        f"<h3>Git commits of the cells</h3>{table(shas)}"
        f"<h3>Package versions (one column per set of versions)</h3>{table(versions)}"
    )


def files_list(folder: Path, written: list[Path]) -> str:
    out = folder.parents[1]
    items = "".join(f"<li>{link(p, folder, p.relative_to(out).as_posix())}</li>"
                    for p in written if p.name != "index.html")  # fmt: skip
    return f"<h2 id='files'>Files</h2><ul>{items}</ul>"


def page(views: Views, prov: Provenance, folder: Path, written: list[Path]) -> str:
    key = views.key
    notes = views.figure_notes
    sections = [
        f"<h1>Whole-page reranking: {html.escape(key)}</h1>",
        "<p><a href='#leaderboard'>leaderboard</a> · <a href='#budget'>budget</a> · "
        "<a href='#saving'>annotation saving</a> · <a href='#mix'>modality mix</a> · "
        "<a href='#provenance'>provenance</a> · <a href='#files'>files</a></p>",
        "<h2 id='leaderboard'>Leaderboard</h2><h3>Main table</h3>",
        table(views.main),
        "<h3>Ablations and variants</h3>",
        table(views.ablation),
        caption(views.board_caption),
        "<h2 id='budget'>nDCG@10 against the budget</h2>",
        figure("budget_curve", notes["budget_curve"], folder, written),
        figure("budget_diff", notes["budget_diff"], folder, written),
        table(views.budget.rename_axis("method").reset_index()),
        caption(views.budget_caption),
        "<h2 id='saving'>Annotation saving</h2>",
        table(views.saving),
        caption(views.saving_caption),
        "<h2 id='mix'>Modality mix of the top 10</h2>",
        figure("modality_mix", notes["modality_mix"], folder, written),
        table(views.mix.round(3), index=True),
        provenance(prov, key, folder.parents[1]),
        files_list(folder, written),
    ]
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>"
        f"{html.escape(key)}</title><style>{STYLE}</style></head><body>"
        + "\n".join(sections)
        + "</body></html>\n"
    )
