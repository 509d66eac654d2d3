"""Calls shared with forked children (the report's figures with a run's cores): the results of
serial calls, in order; a child that dies costs only time; no fork while another thread runs
(a fork copies one thread); and a report drawn in two processes is byte-identical."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from functools import partial
from pathlib import Path

from benchmark.reporting import forked, report

ROOT = Path(__file__).resolve().parents[2]


def where(i: int) -> tuple[int, int]:
    return i, os.getpid()


def test_calls_run_in_children_and_keep_their_order() -> None:
    if threading.active_count() > 1:  # an earlier test left a thread: check in a fresh process
        code = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "0"]
        code.append(f"{__file__}::test_calls_run_in_children_and_keep_their_order")
        done = subprocess.run(code, cwd=ROOT, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stdout[-2000:]
        return
    got = forked.calls([partial(where, i) for i in range(5)], processes=3)
    assert [i for i, _ in got] == list(range(5))
    pids = [pid for _, pid in got]
    assert pids[0] == pids[3] == os.getpid()  # this process's share: calls 0 and 3
    assert len(set(pids)) == 3 and pids[1] == pids[4] != pids[2]


def test_a_dead_child_costs_only_time() -> None:
    """Also true, trivially, when no child is forked (another thread runs)."""
    parent = os.getpid()

    def dies_in_a_child(i: int) -> int:
        if os.getpid() != parent:
            os._exit(3)
        return i * i

    assert forked.calls([partial(dies_in_a_child, i) for i in range(4)], 2) == [0, 1, 4, 9]


def test_no_fork_while_another_thread_runs_or_with_one_process() -> None:
    tasks = [partial(where, i) for i in range(3)]
    assert {pid for _, pid in forked.calls(tasks, 1)} == {os.getpid()}
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert {pid for _, pid in forked.calls(tasks, 3)} == {os.getpid()}
    finally:
        stop.set()
        other.join()


TWO = """
import sys, threading
from pathlib import Path
from benchmark.reporting import forked, report
from benchmark.store import Store
assert threading.active_count() == 1
calls = []
real = forked.child
forked.child = lambda tasks: calls.append(len(tasks)) or real(tasks)
report.write(Store(Path(sys.argv[1])), sys.argv[2], processes=2)
print(calls)
"""


def test_figures_drawn_in_two_processes_are_byte_identical(swept) -> None:
    """Each width of each figure is one call; two processes (a fresh one, which runs no
    other thread: this test's process may) give the files of one, byte for byte."""
    store, key = swept
    _, _, paths = report.write(store, key, processes=1)
    one = {p: p.read_bytes() for p in paths}
    folder = store.out / "reports" / key
    for stamp in folder.glob(".*.key"):
        stamp.unlink()  # every figure drawn again
    code = [sys.executable, "-c", TWO, str(store.out), key]
    done = subprocess.run(code, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["[3]"]  # 6 drawings: 3 in a child, 3 here
    assert {p: p.read_bytes() for p in paths} == one
    assert sorted(p.name for p in folder.glob(".*.key")) == [
        ".budget_curve.key",
        ".budget_diff.key",
        ".modality_mix.key",
    ]


def test_no_child_to_fork_costs_only_time(monkeypatch) -> None:
    def no_fork() -> int:
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", no_fork)
    tasks = [partial(where, i) for i in range(4)]
    assert forked.calls(tasks, 2) == [(i, os.getpid()) for i in range(4)]
