"""The results store never shows a wrong number: changed data is never reused, leftovers of
killed runs are neither counted nor kept, concurrent runs compute a cell once, a failing report
leaves the previous one whole, an unreadable cell is named. Runs happen in child processes
where a kill or a race is what is tested."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from benchmark.cli import main
from benchmark.core.catalog import dataset_key
from benchmark.pipeline.prepare import default_data_dir
from benchmark.store import Store, StoreError, files
from benchmark.store.packs import long_metrics, wide_metrics
from tests.conftest import TINY_ARGS

ROOT = Path(__file__).resolve().parents[2]
SMALL = TINY_ARGS
GRID = ["--rerankers", "lambdamart,fusion-minmax", "--budget", "10%", "20%", "--seeds", "2"]


def run_child(out: Path, *extra: str, interruptible: bool = False) -> subprocess.Popen[str]:
    argv = [sys.executable, "-m", "benchmark", "run", "--out", str(out), "--quiet", *SMALL]
    return subprocess.Popen(
        [*argv, *(GRID[:-2] if "--seeds" in extra else GRID), *extra],  # an option once
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=default_sigint if interruptible else None,
    )


def default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def finish(proc: subprocess.Popen[str]) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=600)
    return proc.returncode, out, err


def cells_in(out: Path) -> list[Path]:
    runs = out / "runs"
    return [p for p in runs.iterdir() if len(p.name) == 16] if runs.is_dir() else []


def hidden(out: Path) -> list[str]:
    return [p.name for p in (out / "runs").iterdir() if p.name.startswith((".tmp-", ".old-"))]


def leaderboard(out: Path) -> bytes:
    return next((out / "leaderboards").glob("*.md")).read_bytes()


def kill_when(proc: subprocess.Popen[str], out: Path, cells: int, sig: int) -> None:
    """Send ``sig`` once ``cells`` cells are finished (0: once a cell is being computed)."""
    deadline = time.monotonic() + 300

    def ready() -> bool:
        if cells == 0:
            return (out / "runs").is_dir() and any(
                p.name.startswith(".tmp-") for p in (out / "runs").iterdir()
            )
        return len(cells_in(out)) >= cells

    while not ready() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert proc.poll() is None, "the run ended before it could be interrupted"
    proc.send_signal(sig)


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An uninterrupted run: the leaderboard every other run must reproduce byte for byte."""
    out = tmp_path_factory.mktemp("uninterrupted")
    code, _, err = finish(run_child(out))
    assert code == 0, err
    return out


def test_sigkill_then_rerun_is_byte_identical(reference: Path, tmp_path: Path) -> None:
    proc = run_child(tmp_path)
    kill_when(proc, tmp_path, 3, signal.SIGKILL)
    proc.wait()
    # a --force run killed while computing a cell (it replaces finished cells)
    forced = run_child(tmp_path, "--force")
    kill_when(forced, tmp_path, 0, signal.SIGKILL)
    forced.wait()
    assert hidden(tmp_path), "the kill left no staging folder: it came too early or too late"
    code, _, err = finish(run_child(tmp_path))
    assert code == 0, err
    assert leaderboard(tmp_path) == leaderboard(reference)
    assert hidden(tmp_path) == []
    assert len(cells_in(tmp_path)) == len(cells_in(reference))


def test_concurrent_runs_compute_each_cell_once(reference: Path, tmp_path: Path) -> None:
    first, second = run_child(tmp_path), run_child(tmp_path)
    results = [finish(first), finish(second)]
    assert all(code == 0 for code, _, _ in results), [err for _, _, err in results]
    computed = 0
    for _, out, _ in results:
        line = next(x for x in out.splitlines() if "cells done" in x)
        done, reused = int(line.split()[0]), int(line.split("(")[1].split()[0])
        computed += done - reused
    assert computed == len(cells_in(reference))
    assert leaderboard(tmp_path) == leaderboard(reference)


def test_ctrl_c_stops_cleanly(tmp_path: Path) -> None:
    # 19 cells, interrupted after 2. The child gets SIGINT's default disposition back: a test
    # run started in the background by a non-interactive shell inherits SIGINT ignored, and
    # Python then never installs its handler (the run finished as if no Ctrl-C came)
    proc = run_child(tmp_path, "--seeds", "6", interruptible=True)
    kill_when(proc, tmp_path, 2, signal.SIGINT)
    code, out, err = finish(proc)
    assert code == 130, (out, err)
    assert "Traceback" not in err and "interrupted" in out + err
    assert hidden(tmp_path) == []
    finished = cells_in(tmp_path)
    assert finished and all((c / "manifest.json").exists() for c in finished)


def test_dead_force_leftover_is_restored(reference: Path, tmp_path: Path) -> None:
    """A kill between the two renames of a --force replacement leaves the finished cell under
    ``.old-*``: the sweep puts it back instead of losing it."""
    out = tmp_path / "out"
    shutil.copytree(reference, out)
    cell = cells_in(out)[0]
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    aside = cell.with_name(f".old-{cell.name}-{files.HOST}-{dead.pid}")
    os.replace(cell, aside)
    staging = cell.with_name(f".tmp-{cell.name}-{files.HOST}-{dead.pid}")
    staging.mkdir()
    Store(out).sweep()
    assert cell.is_dir() and not aside.exists() and not staging.exists()


def test_relabelled_letor_folder_reruns_and_rewrites_qrels(tmp_path: Path, capsys) -> None:
    source = default_data_dir() / "ohsumed" / "Fold1"
    if not source.is_dir():
        pytest.skip(f"no shared data at {source}")
    data = tmp_path / "ohsumed-copy"
    shutil.copytree(source, data)
    args = ["run", "--dataset", f"letor:{data}", "--rerankers", "interleave,fusion-minmax"]
    args += ["--out", str(tmp_path / "out"), "--quiet"]
    assert main(args) == 0
    qrels = sorted((tmp_path / "out" / "runs" / "qrels").iterdir())
    old_key = dataset_key(f"letor:{data}")
    assert old_key.startswith("letor_ohsumed-copy-")  # the folder's name and a content hash
    before = (tmp_path / "out" / "leaderboards" / f"{old_key}.md").read_bytes()
    test = data / "test.txt"
    lines = test.read_text().splitlines(keepends=True)
    test.write_text("".join(("0" if line[0] != "0" else "2") + line[1:] for line in lines))
    capsys.readouterr()
    assert main(args) == 0
    assert "2 cells done (0 reused" in capsys.readouterr().out
    assert len(sorted((tmp_path / "out" / "runs" / "qrels").iterdir())) == len(qrels) + 1
    key = dataset_key(f"letor:{data}")
    assert key != old_key  # a folder's key follows its content: new data, new leaderboard
    after = (tmp_path / "out" / "leaderboards" / f"{key}.md").read_bytes()
    assert after != before
    assert (tmp_path / "out" / "leaderboards" / f"{old_key}.md").read_bytes() == before
    # the numbers are those of a fresh folder on the relabelled data
    assert main([*args[:-3], "--out", str(tmp_path / "fresh"), "--quiet"]) == 0
    assert leaderboard(tmp_path / "fresh") == after


def test_failing_report_write_keeps_the_previous_report(
    reference: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    out = tmp_path / "out"
    shutil.copytree(reference, out)
    for path in out.rglob("*"):  # an earlier report's text: the new one must rewrite it
        if path.suffix in (".md", ".csv", ".tex", ".html") and "runs" not in path.parts:
            path.write_bytes(path.read_bytes() + b"\n")
    written = {p: p.read_bytes() for p in out.rglob("*") if p.is_file() and "runs" not in p.parts}
    calls = {"n": 0}
    real = files._write_temp

    def failing(path: Path, data: bytes) -> Path:
        calls["n"] += 1
        if calls["n"] == 4:
            raise StoreError(f"cannot write {path}: No space left on device")
        return real(path, data)

    monkeypatch.setattr(files, "_write_temp", failing)
    key = next((out / "leaderboards").glob("*.md")).stem
    code = main(["report", "--out", str(out), *SMALL])
    err = capsys.readouterr().err
    assert code == 1 and err.startswith("error: cannot write") and err.count("\n") == 1
    assert {p: p.read_bytes() for p in written} == written
    assert not [p for p in out.rglob(".*.tmp")], key


def test_unreadable_cell_is_named_and_nothing_is_overwritten(
    reference: Path, tmp_path: Path, capsys
) -> None:
    out = tmp_path / "out"
    shutil.copytree(reference, out)
    board = next((out / "leaderboards").glob("*.md"))
    before = board.read_bytes()
    manifest = cells_in(out)[0] / "manifest.json"
    manifest.write_text("{ not json")
    code = main(["report", "--out", str(out), *SMALL])
    err = capsys.readouterr().err
    assert code == 1 and str(manifest) in err and err.count("\n") == 1
    assert board.read_bytes() == before


def test_leftover_hidden_folders_are_not_seeds(reference: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "out"
    shutil.copytree(reference, out)
    cell = cells_in(out)[0]
    shutil.copytree(cell, cell.with_name(f".tmp-{cell.name}-otherhost-1"))  # a live writer's
    shutil.copytree(cell, cell.with_name(f".old-{cell.name}-otherhost-1"))
    assert main(["report", "--out", str(out), *SMALL]) == 0
    assert leaderboard(out) == leaderboard(reference)


def test_pack_keeps_what_reports_use(reference: Path) -> None:
    """A pack holds every manifest unchanged and each cell's per-query nDCG@10 at float32, the
    precision every report reads it at: the views of a clone equal the run's own."""
    store = Store(reference)
    key = next((reference / "leaderboards").glob("*.md")).stem
    packed = store.packed(key)
    assert packed and set(packed) == {c.name for c in cells_in(reference)}
    for cell in store.loose.scan():
        again = packed[cell.run_id]
        assert again.manifest == cell.manifest
        long = cell.metrics()
        main = long[long.metric == "ndcg_burges@10"].reset_index(drop=True)
        main["value"] = main.value.astype("float32").astype("float64")
        pd.testing.assert_frame_equal(again.metrics(), main)
    roundtrip = long_metrics(wide_metrics([cell]))
    pd.testing.assert_frame_equal(roundtrip, main)


def test_report_from_the_pack_alone_is_byte_identical(reference: Path, tmp_path: Path) -> None:
    out = tmp_path / "clone"
    shutil.copytree(reference / "cells", out / "cells")
    key = next((reference / "leaderboards").glob("*.md")).stem
    assert main(["report", "--out", str(out), *SMALL]) == 0
    for suffix in (".md", ".csv", ".tex"):
        name = f"leaderboards/{key}{suffix}"
        assert (out / name).read_bytes() == (reference / name).read_bytes(), name
