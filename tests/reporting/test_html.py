"""The HTML report: provenance, a link to every written file (and every link resolves),
"not reached" rather than NaN, p-values that never print as 0, and, in headless Chromium, its
tables and images present and visible. Chromium (Debian: ``apt-get install
--no-install-recommends chromium``) is optional: without it that test is skipped with a loud
reason."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from benchmark.reporting import budget, report
from benchmark.reporting.text import p_text

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
PROBE = (
    "<script>addEventListener('load',()=>{document.body.setAttribute('data-probe',"
    "JSON.stringify({images:[...document.images].map(i=>[i.complete,i.naturalWidth,"
    "i.getBoundingClientRect().width]),tables:[...document.querySelectorAll('table')].map("
    "t=>[t.rows.length,t.getBoundingClientRect().height])}))})</script></body>"
)


@pytest.fixture(scope="module")
def written(swept) -> list[Path]:
    store, key = swept
    return report.write(store, key)[2]


def test_provenance_and_links(swept, written) -> None:
    store, key = swept
    index = written[-1]
    page = index.read_text()
    manifests = [c.manifest for c in store.cells(key)]
    for sha in {m["git_sha"] for m in manifests}:
        assert sha in page
    for needle in ("Provenance", "n_queries", "data fingerprint", "ranx", "rebuild this report"):
        assert needle in page
    assert min(m["started"] for m in manifests) in page
    hrefs = set(re.findall(r"href='([^'#]+)'", page))
    assert all((index.parent / h).resolve().exists() for h in hrefs), hrefs
    linked = {(index.parent / h).resolve() for h in hrefs}
    assert {p.resolve() for p in written if p != index} <= linked
    assert "NaN" not in page and "None" not in page and ">nan<" not in page


def test_saving_says_not_reached_and_p_values_never_print_zero() -> None:
    saving = pd.DataFrame(
        {"method": ["a", "b"], "budgets": ["10%", "10%, 30%"], "smallest_budget": [None, 0.3],
         "saving": [None, 0.7], "reference": ["r@100%", "r@100%"]}
    )  # fmt: skip
    table = budget.saving_table(saving)
    assert list(table.iloc[0, 2:4]) == ["not reached", "not reached"]
    assert list(table.iloc[1, 2:4]) == ["30%", "70%"]
    assert [p_text(p) for p in (0.0, 1e-301, 3e-270, 0.15, np.nan)] == [
        "< 1e-300", "< 1e-300", "3e-270", "0.15", "—"
    ]  # fmt: skip


@pytest.mark.skipif(
    CHROMIUM is None,
    reason="SKIPPED LOUDLY: chromium is not installed, so the HTML report was not rendered "
    "(apt-get install --no-install-recommends chromium)",
)
def test_report_renders_in_chromium(written, tmp_path: Path) -> None:
    index = written[-1]
    out = index.parents[2]
    copy = tmp_path / "out"
    for folder in ("leaderboards", "reports"):
        shutil.copytree(out / folder, copy / folder)
    probe = copy / index.relative_to(out).with_name("probe.html")
    probe.write_text(index.read_text().replace("</body>", PROBE))
    flags = [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1280,2000",
        "--virtual-time-budget=10000",
    ]  # fmt: skip
    done = subprocess.run(
        [CHROMIUM, *flags, "--dump-dom", probe.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
    )
    found = re.search(r'data-probe="([^"]*)"', done.stdout)
    assert found, done.stderr[-2000:]
    probed = json.loads(html.unescape(found.group(1)))
    assert len(probed["images"]) == 3
    assert all(ok and natural > 0 and shown > 300 for ok, natural, shown in probed["images"])
    assert len(probed["tables"]) >= 6 and all(rows > 1 and h > 20 for rows, h in probed["tables"])
    shot = tmp_path / "shot.png"
    subprocess.run([CHROMIUM, *flags, f"--screenshot={shot}", probe.as_uri()],
                   capture_output=True, timeout=120, check=True)  # fmt: skip
    assert shot.stat().st_size > 20_000
