"""Progress bars are drawn on a terminal only (issue 23): a run whose stderr is a file or a pipe
writes no ``\\r``-separated bars there, only its lines."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

from benchmark.core import progress
from tests.conftest import TINY_ARGS

ROOT = Path(__file__).resolve().parents[2]


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def drawn(stream: io.StringIO, monkeypatch) -> str:
    monkeypatch.setattr(sys, "stderr", stream)
    with progress.shown(True):
        for _ in progress.bar(range(3), desc="step"):
            pass
    return stream.getvalue()


def test_bars_on_a_terminal_only(monkeypatch) -> None:
    assert "\r" in drawn(Terminal(), monkeypatch)
    assert drawn(io.StringIO(), monkeypatch) == ""


def test_a_redirected_run_logs_no_bars(tmp_path: Path) -> None:
    """``run ... 2>log``: the log holds lines, no bar (before: one long line of bars)."""
    log = tmp_path / "log"
    argv = ["run", "--rerankers", "interleave,calibrated-fusion", "--seeds", "1", *TINY_ARGS]
    with log.open("w") as err:
        done = subprocess.run(
            [sys.executable, "-m", "benchmark", *argv, "--out", str(tmp_path / "out")],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
            timeout=600,
        )
    assert done.returncode == 0, log.read_text()[-2000:]
    assert "cells done" in done.stdout
    text = log.read_text()
    assert "\r" not in text and "cells:" not in text, text[:500]
