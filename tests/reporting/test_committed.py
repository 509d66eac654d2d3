"""Every committed leaderboard and report regenerates byte for byte from the committed cells
(results/cells/): the numbers in results/ are reproducible from the files in git, and a change
to the reporting code that alters them shows up here."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from benchmark.store import Store
from benchmark.store.packs import MANIFESTS
from benchmark.tools import reproduce

RESULTS = Path(__file__).resolve().parents[2] / "results"
KEYS = sorted(p.parent.name for p in (RESULTS / "cells").glob(f"*/{MANIFESTS}"))


def git_files() -> list[str]:
    """The files git tracks under results/ (figures of secondary datasets are not kept)."""
    done = subprocess.run(
        ["git", "ls-files", "results"], cwd=RESULTS.parent, capture_output=True, text=True
    )
    return done.stdout.split() if done.returncode == 0 else []


def test_results_hold_packed_cells() -> None:
    assert KEYS, f"no packed cells under {RESULTS / 'cells'}"


@pytest.mark.parametrize("key", KEYS)
def test_committed_views_regenerate_byte_identical(key: str, tmp_path: Path) -> None:
    out = tmp_path / "results"
    shutil.copytree(RESULTS / "cells" / key, out / "cells" / key)
    written = reproduce.write_report(Store(out), key)  # as git keeps it
    tracked = set(git_files())
    compared = 0
    for path in written:
        name = "results/" + path.relative_to(out).as_posix()
        if name in tracked:
            compared += 1
            assert path.read_bytes() == (RESULTS / path.relative_to(out)).read_bytes(), name
    assert compared, f"no committed view of {key}"


def test_committed_reports_reference_only_committed_files() -> None:
    """A fresh clone's report pages work: every image an ``index.html`` in git shows
    (``<img src=...>``) and every file it links (``<a href=...>``, anchors aside) is in git."""
    import os
    import re

    tracked = set(git_files())
    pages = sorted(p for p in tracked if p.endswith("/index.html"))
    assert pages, "no committed report page"
    missing = []
    for page in pages:
        folder = Path(page).parent
        text = (RESULTS.parent / page).read_text()
        for ref in re.findall(r"(?:<img src|<a href)='([^'#][^']*)'", text):
            target = Path(os.path.normpath(folder / ref)).as_posix()
            if "://" not in ref and target not in tracked:
                missing.append(f"{page}: {ref}")
    assert not missing, f"{len(missing)} references not in git: {missing[:5]}"
