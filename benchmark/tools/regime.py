"""docs/results.md's "Where SMAR could win" blocks, from the committed results.

The premise regime (grids/premise-regime.toml, pre-registered in docs/prereg/premise-regime.md):
:func:`hypotheses` scores H1-H3 by the pre-registered rule from the view's table
(``reports/premise-regime/table.csv``, written by ``report --grid premise-regime``);
:func:`gaps` the view's summary (``smar@B − sft@100 %`` per width and setting);
:func:`bandsel` the claim table of ``smar-bandsel``. :mod:`benchmark.tools.reproduce` writes
them between their markers.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from benchmark.reporting.text import p_text

VIEW = Path("reports") / "premise-regime" / "table.csv"
WIDE = "{width=512}"
#: The pre-registered hypotheses: name, the setting (labelled pages, feature complexity,
#: unlabelled ratio or None) and the row compared with sft@100 % of the same width.
HYPOTHESES = [
    ("H1", 50, 0, None, f"smar@10%{WIDE}"),
    ("H1", 50, 2, None, f"smar@10%{WIDE}"),
    ("H2", 50, 0, None, f"smar@30%{WIDE}"),
    ("H2", 50, 2, None, f"smar@30%{WIDE}"),
    ("H3", 50, 2, 16, f"smar@10%{WIDE}"),
    ("H3", 50, 2, 16, f"smar@30%{WIDE}"),
]


def view(out: Path) -> pd.DataFrame:
    table = pd.read_csv(out / VIEW)
    if "unlabelled_ratio" not in table:
        table["unlabelled_ratio"] = float("nan")
    return table


def outcome(line: pd.Series) -> str:
    """The pre-registered decision rule (docs/prereg/premise-regime.md)."""
    if bool(line.noninferior):
        return "supported"
    return "refuted" if line.ci_high < 0 else "inconclusive"


def ci(line: pd.Series) -> str:
    return f"{line['diff']:+.4f} [{line.ci_low:+.4f}, {line.ci_high:+.4f}]"


def hypothesis_line(table: pd.DataFrame, spec: tuple) -> pd.Series | None:
    """The view's line of one pre-registered hypothesis (:data:`HYPOTHESES`), None if not run."""
    _, pages, complexity, ratio, a = spec
    same = (table.labelled_pages == pages) & (table.feature_complexity == complexity)
    same &= table.unlabelled_ratio.isna() if ratio is None else table.unlabelled_ratio == ratio
    found = table[same & (table.a == a) & (table.b == f"sft@100%{WIDE}")]
    return found.iloc[0] if len(found) else None


def hypothesis_lines(table: pd.DataFrame) -> list[pd.Series]:
    """The view's line of each pre-registered hypothesis that ran, in :data:`HYPOTHESES` order."""
    lines = [hypothesis_line(table, spec) for spec in HYPOTHESES]
    return [line for line in lines if line is not None]


def hypotheses(out: Path, claims: object = None) -> str:
    table = view(out)
    head = "| hypothesis | labelled pages | complexity | unlabelled "
    head += "| a − sft@100% (width 512) [95 % CI] | p non-inf. (Holm) | p (Holm) | outcome |"
    lines = [head, "|---" * 8 + "|"]
    for spec in HYPOTHESES:
        name, pages, complexity, ratio, a = spec
        line = hypothesis_line(table, spec)
        where = f"| {name} | {pages} | {complexity} | {ratio or 0}x"
        if line is None:
            lines.append(f"{where} | {a}: not run | | | |")
            continue
        lines.append(
            f"{where} | {a.split('{')[0]}: {ci(line)} "
            f"| {p_text(line.p_noninf_holm)} | {p_text(line.p_holm)} | {outcome(line)} |"
        )
    return "\n".join(lines)


def summary(out: Path, name: str) -> str:
    """The table of a grid view's ``summary.md`` (``reports/<name>/``), without its caption."""
    return (out / "reports" / name / "summary.md").read_text().split("\n\n")[0].strip()


def gaps(out: Path, claims: object = None) -> str:
    """The view's summary: a setting per line, ``a − b`` per pair with its marks."""
    return summary(out, VIEW.parent.name)


def bandsel(out: Path, claims: dict[str, tuple[str, pd.DataFrame]]) -> str:
    from benchmark.reporting.compare import markdown

    title = next(t for t in claims if t.startswith("band chosen on page_valid"))
    return markdown(claims[title][1]).strip()
