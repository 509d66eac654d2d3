"""README's verdict on SMAR's claim, generated from the committed results.

``python -m benchmark.tools.verdict [--out results]`` prints the block README.md holds between
``<!-- verdict:start -->`` and ``<!-- verdict:end -->``: a paragraph whose every number comes from
the comparison tables (:mod:`benchmark.tools.results_tables`, the first one) and the premise
map's view (``reports/premise-map/table.csv``). tests/tools/test_verdict.py fails when the
README's block differs from this command's output.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from benchmark import configure_environment
from benchmark.reporting.text import p_text as p

START, END = "<!-- verdict:start -->", "<!-- verdict:end -->"


def claim_line(frame: pd.DataFrame, a: str, b: str) -> pd.Series:
    return frame[(frame.a == a) & (frame.b == b)].iloc[0]


def regime_text(table: pd.DataFrame | None) -> tuple[str, str]:
    """The verdict's lead (whether any comparison reaches sft@100 %) and the sentence on the
    pre-registered regime sweep (empty without its view)."""
    none = "does not reach SFT with 100 % in any setting we measured"
    if table is None:
        return none, ""
    from benchmark.tools import regime

    n, below, _, reach = tally(table)
    outcomes = [regime.outcome(line) for line in regime.hypothesis_lines(table)]
    counts = ", ".join(f"{outcomes.count(o)} {o}" for o in ("supported", "refuted", "inconclusive"))
    lead = (
        none if reach == 0 else f"reaches SFT with 100 % only in the regime sweep ({reach} of {n})"
    )
    return lead, (
        " In the pre-registered regime sweep ([docs/prereg/premise-regime.md]"
        "(docs/prereg/premise-regime.md): 50–800 labelled pages x page-network width 32/512 x "
        "feature complexity 0/2, plus 16x unlabelled pages; 3 seeds, Holm over its "
        f"{n} comparisons) smar and smar-z at 10–30 % reach sft@100 % in {reach} of {n} "
        f"comparisons and are significantly below in {below}; of the {len(outcomes)} "
        f"hypothesis lines (50 labelled pages, width 512) {counts}."
    )


def tally(g: pd.DataFrame) -> tuple[int, int, int, int]:
    """(comparisons, significantly below, significantly above, non-inferior) of a view's lines."""
    below = int((g.significant & (g["diff"] < 0)).sum())
    above = int((g.significant & (g["diff"] > 0)).sum())
    return len(g), below, above, int(g.noninferior.sum())


def counts(premise: pd.DataFrame, a: str, b: str) -> tuple[int, int, int, int]:
    """:func:`tally` of the lines comparing ``a`` with ``b``."""
    return tally(premise[(premise.a == a) & (premise.b == b)])


def paragraph(
    claims: pd.DataFrame, premise: pd.DataFrame, regime: pd.DataFrame | None = None
) -> str:
    s10, s30 = (claim_line(claims, f"smar@{b}%", "sft@100%") for b in (10, 30))
    v10 = claim_line(claims, "smar@10%", "sft@10%")
    z = claim_line(claims, "smar-z@10%", "sft@100%")
    n, below10, _, reach10 = counts(premise, "smar@10%", "sft@100%")
    _, below30, _, reach30 = counts(premise, "smar@30%", "sft@100%")
    _, _, above_sft, reach_sft = counts(premise, "smar@10%", "sft@10%")
    lead, sweep = regime_text(regime)
    return (
        "**Verdict on SMAR's claim** (`python -m benchmark.tools.verdict`; the headline test of "
        "[PROTOCOL §7](docs/protocol.md#7-significance-and-seeds): query and seed variance, "
        'Holm; "reaches" = non-inferior within 0.01 nDCG@10): SMAR with 10–30 % of the page '
        f"labels {lead}. On the default data "
        f"(5 seeds) SMAR at 10 % is {s10['diff']:+.4f} (95 % CI [{s10.ci_low:+.4f}, "
        f"{s10.ci_high:+.4f}], p (Holm) = {p(s10.p_holm)}) and at 30 % {s30['diff']:+.4f} "
        f"(p (Holm) = {p(s30.p_holm)}) from SFT at 100 %. In the premise map's {n} settings "
        f"(3 seeds, Holm over its 90 comparisons) smar@10 % reaches sft@100 % in {reach10} and "
        f"is significantly below in {below10}, smar@30 % reaches it in {reach30} and is below in "
        f"{below30}; every difference is negative.{sweep} SMAR at 10 % against the same "
        f"network on the same budget spent on whole pages (sft@10 %): {v10['diff']:+.4f} on "
        "the default data, "
        f"95 % CI [{v10.ci_low:+.4f}, {v10.ci_high:+.4f}], p (Holm) = {p(v10.p_holm)}; "
        f"significantly above in {above_sft} of the {n} settings, reaching it in {reach_sft}. "
        f"The z-scored distillation `smar-z@10%` comes closest ({z['diff']:+.4f}, p (Holm) = "
        f"{p(z.p_holm)}). What changed from the query-only test, and what would change the "
        "verdict: [docs/results.md](docs/results.md)."
    )


def block(out: Path) -> str:
    configure_environment()
    from benchmark.reporting.compare import compare
    from benchmark.tools.results_tables import TABLES

    key, pairs = next(iter(TABLES.values()))
    claims = compare(out, key, pairs)
    premise = pd.read_csv(out / "reports" / "premise-map" / "table.csv")
    from benchmark.tools import regime

    view = regime.view(out) if (out / regime.VIEW).exists() else None
    return "\n\n".join([START, paragraph(claims, premise, view), END])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmark.tools.verdict")
    parser.add_argument("--out", type=Path, default=Path("results"))
    print(block(parser.parse_args(argv).out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
