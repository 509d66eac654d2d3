"""Faults end cleanly (issue 20): a real Ctrl-C during a SMAR cell exits 130 with one line and
keeps the finished cells, a second Ctrl-C during the clean-up included; a damaged pack is
rebuilt by ``run`` from its cells' folders (the pack a fresh run gives, byte for byte) or
refused with one line when they are gone; a run waiting for a lock another process holds says
so and goes on when it is released."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from benchmark.cli import main
from benchmark.store import Store
from benchmark.store.packs import MANIFESTS, METRICS
from tests.conftest import TINY_ARGS

ROOT = Path(__file__).resolve().parents[1]


def snapshot(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}


def default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # a background shell's children ignore it


def finished(out: Path) -> list[Path]:
    runs = out / "runs"
    return [p for p in runs.iterdir() if len(p.name) == 16] if runs.is_dir() else []


def computing(out: Path) -> bool:
    runs = out / "runs"
    return runs.is_dir() and any(p.name.startswith(".tmp-") for p in runs.iterdir())


def interrupt(out: Path, after_cells: int, delay: float, second: bool) -> tuple[int, str]:
    """Start a 4-cell SMAR run into ``out``; once ``after_cells`` cells are finished and
    another is being computed, wait ``delay`` s and send SIGINT (``second``: another 50 ms
    later, as an impatient user does); the exit status and stderr."""
    argv = [sys.executable, "-m", "benchmark", "run", "--out", str(out), "--quiet"]
    argv += ["--rerankers", "smar", "--budget", "10%", "--seeds", "2", *TINY_ARGS]
    proc = subprocess.Popen(
        argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        preexec_fn=default_sigint,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while proc.poll() is None and time.monotonic() < deadline:
        if len(finished(out)) >= after_cells and computing(out):
            break
        time.sleep(0.01)
    time.sleep(delay)
    assert proc.poll() is None, "the run ended before it could be interrupted"
    proc.send_signal(signal.SIGINT)
    if second:
        time.sleep(0.05)
        proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    return proc.returncode, err


@pytest.mark.parametrize(
    "after_cells, delay, second",
    [(0, 0.0, False), (0, 0.4, True), (1, 0.0, True)],
    ids=["at-start", "during-fit-twice", "after-a-cell-twice"],
)
def test_ctrl_c_in_a_smar_cell_exits_130(
    tmp_path: Path, after_cells: int, delay: float, second: bool
) -> None:
    """A real SIGINT (or two) during a SMAR cell: exit 130 (not -2, killed by the signal; not
    0, swallowed), exactly one ``error:`` line, no staging folder left, every finished cell
    kept whole and packed."""
    out = tmp_path / "out"
    code, err = interrupt(out, after_cells, delay, second)
    assert code == 130, err
    assert len(err.splitlines()) == 1 and err.startswith("error: interrupted (Ctrl-C)"), err
    assert not [p for p in (out / "runs").iterdir() if p.name.startswith((".tmp-", ".old-"))]
    kept = finished(out)
    assert len(kept) >= after_cells and all((c / "manifest.json").is_file() for c in kept)
    packed = {c.run_id for c in Store(out).packed(Store(out).keys()[0]).values()} if kept else set()
    assert packed == {c.name for c in kept}


# -- damaged packs ----------------------------------------------------------------------------
RUN = ["--quiet", "--rerankers", "interleave,fusion-minmax", *TINY_ARGS]


@pytest.fixture(scope="module")
def packed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A results folder with two finished cells, packed."""
    out = tmp_path_factory.mktemp("packed")
    assert main(["run", "--out", str(out), *RUN]) == 0
    return out


def pack_folder(out: Path) -> Path:
    (folder,) = (out / "cells").iterdir()
    return folder


def foreign_rows(path: Path) -> None:
    """A valid pack table with the right columns but the rows of one cell only."""
    import pandas as pd

    table = pd.read_parquet(path)
    table[table.run_id == table.run_id.iloc[0]].to_parquet(path, index=False)


DAMAGE = {
    "garbage-metrics": lambda f: (f / METRICS).write_bytes(b"garbage"),
    "truncated-metrics": lambda f: (f / METRICS).write_bytes((f / METRICS).read_bytes()[:-40]),
    "metrics-missing": lambda f: (f / METRICS).unlink(),
    "rows-of-one-cell": lambda f: foreign_rows(f / METRICS),
    "garbage-manifests": lambda f: (f / MANIFESTS).write_bytes(b"\x1f\x8bgarbage"),
}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_run_rebuilds_a_damaged_pack_from_its_cells(
    packed: Path, tmp_path: Path, damage: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """The pack ``run`` rebuilds is byte for byte the pack the same cells gave when fresh,
    and the run goes on (every cell reused)."""
    out = tmp_path / "out"
    shutil.copytree(packed, out)
    folder = pack_folder(out)
    fresh = snapshot(folder)
    DAMAGE[damage](folder)
    assert snapshot(folder) != fresh
    capsys.readouterr()
    assert main(["run", "--out", str(out), *RUN]) == 0
    printed = capsys.readouterr().out
    assert f"rebuilt the damaged pack {folder} from its 2 cells" in printed, printed
    assert "2 cells done (2 reused" in printed
    assert snapshot(folder) == fresh
    capsys.readouterr()
    assert main(["run", "--out", str(out), *RUN]) == 0  # nothing left to rebuild
    assert "rebuilt" not in capsys.readouterr().out


def test_a_damaged_pack_without_its_cells_is_refused(
    packed: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A clone (no cell folders) with a damaged pack: one error line naming the file, why it
    cannot be rebuilt and how to get it back; nothing computed or written."""
    out = tmp_path / "out"
    shutil.copytree(packed, out)
    for cell in finished(out):
        shutil.rmtree(cell)
    folder = pack_folder(out)
    (folder / METRICS).write_bytes(b"garbage")
    before = snapshot(out)
    capsys.readouterr()
    assert main(["run", "--out", str(out), *RUN]) == 1
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and err.startswith(f"error: {folder / METRICS}: "), err
    assert "cannot be rebuilt (2 of its 2 cells have no folder in" in err
    assert f"git restore {folder}" in err and f"delete {folder} and run" in err
    assert snapshot(out) == before


# -- locks held by another process --------------------------------------------------------
HOLD = """
import fcntl, sys, time
fh = open(sys.argv[1], "a")
fcntl.flock(fh, fcntl.LOCK_EX)
print("held", flush=True)
time.sleep(float(sys.argv[2]))
"""


def test_a_run_waiting_for_a_lock_says_so_and_goes_on(
    packed: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Another process holds the pack's lock for 3.5 s: the run says, once, which lock it
    waits for and which process holds it, then finishes when the lock is released."""
    out = tmp_path / "out"
    shutil.copytree(packed, out)
    lock = Store(out).pack(pack_folder(out).name).lock_path
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(lock), "3.5"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        capsys.readouterr()
        start = time.monotonic()
        assert main(["run", "--out", str(out), *RUN]) == 0
        waited = time.monotonic() - start
    finally:
        holder.kill()
        holder.wait()
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if "waiting for" in line]
    assert lines == [
        f"waiting for {lock}, held by pid {holder.pid} (another run is writing "
        f"{pack_folder(out)}); this run goes on when it is released"
    ], err
    assert waited >= 2.0


def test_a_swallowed_ctrl_c_is_raised_again() -> None:
    """A KeyboardInterrupt raised where Python can only print it (a weakref callback, as in
    importlib's module locks: the run went on and exited 0) is raised again in the main
    thread, and nothing is printed."""
    import weakref

    from benchmark.cli_faults import interrupts_kept

    class Thing:
        pass

    def callback(ref: object) -> None:
        raise KeyboardInterrupt

    restore = interrupts_kept(["run"])
    thing = Thing()
    ref = weakref.ref(thing, callback)
    try:
        with pytest.raises(KeyboardInterrupt):
            del thing  # the callback's KeyboardInterrupt is unraisable
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                time.sleep(0.001)
    finally:
        restore()
    assert ref() is None


def test_a_ctrl_c_wrapped_in_another_error_stops_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A Ctrl-C during an import that Python wraps into another error (``__set_name__``:
    "RuntimeError: Error calling __set_name__", seen when torch._dynamo was imported by the
    first SMAR cell) stops the run with exit 130 and one line (was: the cell failed, and every
    later cell on the half-imported module, exit 1)."""
    from benchmark.pipeline import harness

    class Field:
        def __set_name__(self, owner: type, name: str) -> None:
            raise KeyboardInterrupt

    def execute(*args: object, **kwargs: object) -> None:
        type("Entry", (), {"field": Field()})

    monkeypatch.setattr(harness, "execute", execute)
    argv = ["run", "--out", str(tmp_path / "out"), "--quiet", "--rerankers", "fusion-minmax"]
    capsys.readouterr()
    assert main([*argv, *TINY_ARGS]) == 130
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and err.startswith("error: interrupted (Ctrl-C)"), err
