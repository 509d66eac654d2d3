"""Executors: cells computed in this process, in local worker processes (--jobs 2) and on a Dask
cluster (a LocalCluster on 127.0.0.1 with two workers) give identical per-query metrics; a
worker that dies mid-cell leaves no partial cell and the cell is reported failed, not cached."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from benchmark.pipeline import cluster, executors, grid
from benchmark.pipeline import here as client
from benchmark.store import Store
from tests.conftest import TINY, TINY_ARGS

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def cells() -> list:
    return grid.plan(
        "synthetic-serp", ["lambdamart", "smar", "fusion-zscore"], [0.2], 1, dataset_params=TINY
    )


def per_query(store: Store) -> dict[str, object]:
    key = store.keys()[0]
    return {c.run_id: c.metrics() for c in store.cells(key)}


def test_serial_local_processes_and_dask_agree(cells, cache, tmp_path: Path, monkeypatch) -> None:
    """Also with cells computed by this process while the workers start (at least one)."""
    from distributed import LocalCluster

    serial = Store(tmp_path / "serial")
    assert not grid.run(cells, serial, progress=False, cache=cache).failures
    local = Store(tmp_path / "local")
    here: list = []
    in_thread = client.in_thread
    monkeypatch.setattr(client, "in_thread", lambda *a: here.append(a[1]) or in_thread(*a))
    done = grid.run(cells, local, progress=False, cache=cache, executor=executors.LocalProcesses(2))
    assert not done.failures and len(done.results) == len(cells)
    assert here  # computed by this process
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    ) as local_cluster:
        dask = Store(tmp_path / "dask")
        done = grid.run(
            cells,
            dask,
            progress=False,
            cache=cache,
            executor=cluster.DaskCluster(local_cluster.scheduler_address),
        )
    assert not done.failures
    expected = per_query(serial)
    for other in (local, dask):
        found = per_query(other)
        assert set(found) == set(expected)
        for run_id, frame in expected.items():
            assert frame.equals(found[run_id]), run_id


def children(pid: int) -> list[tuple[int, bytes]]:
    """The processes whose parent is ``pid``, with their command lines."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            stat = (proc / "stat").read_text()
            cmdline = (proc / "cmdline").read_bytes()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append((int(proc.name), cmdline))
    return found


def workers_of(pid: int) -> list[int]:
    """Worker processes of the run ``pid``: the children of its fork server."""
    servers = [child for child, cmdline in children(pid) if b"forkserver" in cmdline]
    return [worker for server in servers for worker, _ in children(server)]


def test_dead_worker_fails_its_cell_and_caches_nothing(tmp_path: Path) -> None:
    """A worker killed mid-cell: its cell (and the other in flight) fail, nothing of them is
    cached, the rest finish, and the same command finishes the grid. sft cells: this process
    never computes one itself while the workers start (it has no torch), so every cell is on
    a worker."""
    argv = [sys.executable, "-m", "benchmark", "run", "--out", str(tmp_path), "--quiet"]
    argv += ["--jobs", "2", "--rerankers", "sft", "--budget", "10%", "20%", "30%"]
    argv += ["--seeds", "2", *TINY_ARGS]
    proc = subprocess.Popen(
        argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        runs = tmp_path / "runs"
        deadline = time.monotonic() + 300
        while proc.poll() is None and time.monotonic() < deadline:
            if runs.is_dir() and any(len(p.name) == 16 for p in runs.iterdir()):
                break
            time.sleep(0.02)
        victims = workers_of(proc.pid)
        assert victims and proc.poll() is None, "no worker to kill"
        os.kill(victims[0], signal.SIGKILL)
        out, err = proc.communicate(timeout=600)
    finally:
        proc.kill()  # a hang fails the test instead of leaving the run behind
    assert proc.returncode == 1, (out, err)
    assert "a worker process died" in err and "Traceback" not in err
    failed = sorted({ln.split()[2] for ln in err.splitlines() if "worker process died" in ln})
    assert failed and all(not (runs / run_id).exists() for run_id in failed)
    assert not [p for p in runs.iterdir() if p.name.startswith((".tmp-", ".old-"))]
    again = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr
    assert f"8 cells done ({8 - len(failed)} reused" in again.stdout  # 3 budgets + 100 %, 2 seeds


def test_a_cell_refuses_data_that_is_not_its_own(cells, cache) -> None:
    """A worker handed another dataset's (or another fold's) data fails the cell instead of
    scoring it on the wrong queries."""
    from benchmark.pipeline.harness import CellError, compute_files

    other = cache.get("synthetic-serp", {**TINY, "seed": TINY["seed"] + 1})
    with pytest.raises(CellError, match="not its own"):
        compute_files(cells[0], other, "test")


def test_default_jobs_follow_the_cells_to_compute(monkeypatch, tmp_path, capsys) -> None:
    """--jobs unset: $BENCHMARK_JOBS if set (the test suite sets 1), else this process for one
    cell and workers (one per core, memory allowing, at most one per cell) from AUTO_MIN_CELLS
    cells on; a bad $BENCHMARK_JOBS is one error before anything runs."""
    import argparse
    import os

    from benchmark import cli_plan
    from benchmark.cli import main

    cores = os.cpu_count() or 1
    assert cli_plan.auto_jobs(0) == cli_plan.auto_jobs(cli_plan.AUTO_MIN_CELLS - 1) == 1
    assert cli_plan.auto_jobs(cli_plan.AUTO_MIN_CELLS) == min(cores, cli_plan.AUTO_MIN_CELLS)
    assert 1 <= cli_plan.auto_jobs(10_000) <= cores
    args = argparse.Namespace(executor="local", jobs=None)
    monkeypatch.delenv(cli_plan.JOBS_ENV)
    assert cli_plan.executor(args, 1) is None
    if cores > 1:
        assert cli_plan.executor(args, 2).jobs == 2
    monkeypatch.setenv(cli_plan.JOBS_ENV, "3")
    assert cli_plan.executor(args, 1).jobs == 3
    assert cli_plan.executor(argparse.Namespace(executor="local", jobs=1), 50) is None
    monkeypatch.setenv(cli_plan.JOBS_ENV, "two")
    assert main(["run", "--rerankers", "lambdamart", "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err == "error: BENCHMARK_JOBS must be a whole number of at least 1, not 'two'\n"
    assert not (tmp_path / "out").exists()


NO_TORCH = """
import sys
from benchmark import configure_environment
configure_environment()
from benchmark.cli import main
from benchmark.pipeline import executors, grid
argv = ["run", "--rerankers", "lambdamart,calibrated-fusion", "--seeds", "1", *sys.argv[2:]]
assert main([*argv, "--out", sys.argv[1], "--quiet", "--jobs", "1"]) == 0
workers = executors.LocalProcesses(2)
workers.start(grid.plan("synthetic-serp", ["lambdamart", "calibrated-fusion"], [0.1], 1))
pool = workers.ready()  # the workers are forked in a background thread
in_worker = pool.submit(eval, "'torch' in __import__('sys').modules").result()
pool.shutdown()
print("torch" in sys.modules, in_worker)
"""


def test_a_run_without_network_rerankers_never_imports_torch(tmp_path: Path) -> None:
    """torch is imported by the rerankers that fit networks, when they fit: a run of LightGBM
    and a fusion never imports it, in this process or in its workers; `list` shows every
    reranker without it, nor scipy.optimize (the isotonic fusion's, imported when it fits);
    workers of a run with a network preload torch's optimizer machinery (torch._dynamo)."""
    code = [sys.executable, "-c", NO_TORCH, str(tmp_path), *TINY_ARGS]
    done = subprocess.run(code, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split()[-2:] == ["False", "False"]
    listed = [sys.executable, "-c", "import sys; from benchmark.cli import main; main(['list']); "
              "print('torch' in sys.modules, 'scipy.optimize' in sys.modules)"]  # fmt: skip
    shown = subprocess.run(listed, cwd=ROOT, capture_output=True, text=True, timeout=600).stdout
    assert "smar-pairwise" in shown and "allrank-mlp" in shown
    assert shown.split()[-2:] == ["False", "False"]
    sft = grid.plan("synthetic-serp", ["sft", "allrank"], [0.1], 1, dataset_params=TINY)
    assert {"torch", "torch._dynamo", "baselines.smar_model", "baselines.allrank_adapter"} <= set(
        executors.preloads(sft)
    )


def test_workers_are_forked_off_the_main_thread(monkeypatch) -> None:
    """Forking a worker waits for the fork server's preload (seconds): ``start`` does it in a
    background thread, so the client loads the data meanwhile (issue 19), and ``ready`` waits."""
    import threading

    seen: list[str] = []
    workers = executors.LocalProcesses(2)
    monkeypatch.setattr(
        workers, "spawn", lambda modules: seen.append(threading.current_thread().name) or "pool"
    )
    workers.start()
    assert workers.ready() == "pool"
    assert seen and seen[0] != threading.main_thread().name


def die_while_sending() -> None:
    """A worker task that dies as if killed halfway through sending its result: the result
    queue's lock taken, half a message written, then SIGKILL."""
    import gc
    import os
    import signal
    import struct
    from multiprocessing.queues import SimpleQueue

    (queue,) = [o for o in gc.get_objects() if isinstance(o, SimpleQueue)]
    if queue._wlock is not None:
        queue._wlock.acquire()
    queue._writer._send(struct.pack("!i", 1 << 20) + b"half a result")
    os.kill(os.getpid(), signal.SIGKILL)


def test_a_worker_dead_halfway_through_its_result_does_not_hang_the_run() -> None:
    """CPython 3.11's pool manager waits forever for the rest of a half-sent result (a test
    that kills a worker hung so once); ``unstick`` breaks such a pool, so its cells fail and
    the run goes on (``_drain`` calls it after WATCH_S seconds without a finished cell)."""
    from concurrent.futures import ProcessPoolExecutor, wait

    pool = ProcessPoolExecutor(2, mp_context=executors.context([]))
    try:
        dying, sleeping = pool.submit(die_while_sending), pool.submit(time.sleep, 60)
        assert not wait([dying, sleeping], timeout=3, return_when="FIRST_COMPLETED")[0]
        executors.unstick(pool)
        done, _ = wait([dying, sleeping], timeout=30)
        assert len(done) == 2
        assert all(isinstance(f.exception(), executors.BrokenProcessPool) for f in done)
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def test_this_process_computes_cells_while_the_workers_start(cells, cache, monkeypatch) -> None:
    """Until the workers are forked, the client computes cells itself, cheapest first and
    never one that needs a module it has not loaded (smar's torch); the one in progress when
    they are ready stays in flight; every cell is done once; workers started for nothing are
    shut down."""
    import threading

    from benchmark.pipeline.harness import checked_prepared

    gate = threading.Event()
    pools: list = []

    def slow_spawn(workers, modules):
        gate.wait(120)
        pools.append(executors.LocalProcesses.spawn(workers, modules))
        return pools[-1]

    from benchmark.core.reranker import RERANKERS

    light = [c for c in cells if not RERANKERS.get(c.reranker).imports]
    monkeypatch.setattr(client, "loaded", lambda c: c in light)  # as if torch were not here
    workers = executors.LocalProcesses(2)
    monkeypatch.setattr(workers, "spawn", lambda modules: slow_spawn(workers, modules))
    seen = []
    for config, files, message in workers.run(cells, lambda c: checked_prepared(c, cache), "", ()):
        assert files is not None and message is None, message
        seen.append((config, gate.is_set()))
        gate.set()
    assert sorted(c.run_id for c, _ in seen) == sorted(c.run_id for c in cells)
    first, before = seen[0]
    assert not before and first in light and first.reranker == "fusion-zscore"  # cheapest
    assert all(c in light for c, ready in seen if not ready)
    assert any(c not in light for c in cells)

    gate.clear()
    pools.clear()
    workers = executors.LocalProcesses(2)
    monkeypatch.setattr(workers, "spawn", lambda modules: slow_spawn(workers, modules))
    done = list(workers.run(light[:1], lambda c: checked_prepared(c, cache), "", ()))
    assert [c for c, _, _ in done] == light[:1] and done[0][1] is not None
    gate.set()  # the workers are forked now, for nothing: shut down once they are
    deadline = time.monotonic() + 120
    while not pools and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.2)
    with pytest.raises(RuntimeError, match="shutdown"):
        pools[0].submit(int)


def test_the_fork_server_ignores_ctrl_c_from_its_first_import() -> None:
    """multiprocessing's fork server ignores SIGINT only after its preload; a Ctrl-C during
    the preload's imports (seconds with torch) printed its traceback under the run's one-line
    message. The preload module ignores it first."""
    code = "import signal, benchmark.pipeline.preload as p; print(signal.getsignal(2) == 1)"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.split() == ["True"], done.stderr[-2000:]
    first = (ROOT / "benchmark/pipeline/preload.py").read_text().split('"""')[2].split("\n")
    code_lines = [ln for ln in first if ln.strip()]
    assert code_lines[:2] == ["import signal", "signal.signal(signal.SIGINT, signal.SIG_IGN)"]


def test_this_process_helps_only_on_small_data(cells, tiny, monkeypatch) -> None:
    """A cell on large data would outlast the workers' start and run as a third cell beside
    them, with its memory: the client helps on datasets of at most HELP_ROWS rows only."""
    light = next(c for c in cells if c.reranker == "fusion-zscore")
    assert client.helps(light, tiny)
    monkeypatch.setattr(
        client, "HELP_ROWS", sum(s.n_items for s in tiny.dataset.splits.values()) - 1
    )
    assert not client.helps(light, tiny)
