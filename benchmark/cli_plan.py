"""What ``run``'s arguments ask for: the planned cells (validated before anything runs), the
data folder and the executor."""

from __future__ import annotations

import argparse
import os
import threading
import weakref
from pathlib import Path
from typing import Any


def reranker_params(pairs: list[tuple[str, Any]]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for key, value in pairs:
        name, dot, field = key.partition(".")
        if not dot:
            raise ValueError(f"--param {key}=...: write it as <reranker>.<parameter>=<value>")
        out.setdefault(name, {})[field] = value
    return out


class Once(argparse.Action):
    """An option that takes one value: giving it twice is an error (not the last one silently
    winning)."""

    namespace: weakref.ref[argparse.Namespace] | None = None  # the namespace last set

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: Any,
        option_string: str | None = None,
    ) -> None:
        if self.namespace is not None and self.namespace() is namespace:
            before = getattr(namespace, self.dest)
            parser.error(
                f"argument {option_string}: given twice ({before}, then {values}); it takes one "
                "value (--budget, --rerankers, --metrics, --param and --dataset-param add up)"
            )
        self.namespace = weakref.ref(namespace)
        setattr(namespace, self.dest, values)


def repeated_key(args: argparse.Namespace) -> str | None:
    """A ``--param`` or ``--dataset-param`` key given twice (None: none is)."""
    for option in ("param", "dataset_param"):
        keys = [key for key, _ in getattr(args, option, None) or []]
        twice = sorted({k for k in keys if keys.count(k) > 1})
        if twice:
            flag = "--" + option.replace("_", "-")
            return f"{flag} {twice[0]} given twice; give each parameter once"
    return None


def path_problem(args: argparse.Namespace) -> str | None:
    """What is wrong with ``--out`` or ``--data-dir``, checked before anything runs (None:
    nothing): a name longer than the file system takes, a file, a loop of symbolic links, a
    file where a folder of the path should be."""
    for flag, path in (("--out", getattr(args, "out", None)), ("--data-dir", args_dir(args))):
        if path is None:
            continue
        longest = max((len(os.fsencode(part)) for part in path.parts), default=0)
        shown = str(path) if len(str(path)) <= 80 else f"{str(path)[:60]}..."
        if longest > NAME_MAX:
            return f"{flag} {shown}: a folder name of {longest} bytes is longer than {NAME_MAX}"
        try:
            os.stat(path)
        except FileNotFoundError:
            continue  # --out is created; a missing --data-dir is named with the dataset
        except OSError as exc:
            from benchmark.store.files import why

            return f"{flag} {shown}: {why(path, exc, writing=False)}"
        if not path.is_dir():
            return f"{flag} {shown} is a file, not a folder"
    return None


NAME_MAX = 255  # the longest file name of Linux, macOS and Windows file systems


def args_dir(args: argparse.Namespace) -> Path | None:
    return getattr(args, "data_dir", None)


def report_key(args: argparse.Namespace, store: Any) -> str:
    """The key ``report --dataset`` names; when it has no cells and the dataset is generated
    (no argument, no files to look for), its parameters are checked first, so a typo is named
    as ``run`` names it rather than as 'no finished cells'."""
    from benchmark.core.catalog import check_dataset, dataset_key, parse_spec

    params = dict(args.dataset_param)
    key = dataset_key(args.dataset, params)
    if params and parse_spec(args.dataset)[1] is None and not store.cells(key):
        check_dataset(args.dataset, params, data_dir(args))
    return key


def data_dir(args: argparse.Namespace) -> Path:
    from benchmark.pipeline.prepare import default_data_dir

    return args.data_dir if getattr(args, "data_dir", None) else default_data_dir()


def planned_cells(args: argparse.Namespace) -> list[Any]:
    """The cells the run's arguments (or grid file) ask for, validated."""
    from benchmark.core.catalog import parse_spec
    from benchmark.core.reranker import RERANKERS
    from benchmark.pipeline import grid, gridfile

    check_executor(args)
    if args.grid:
        return gridfile.load_grid(args.grid, data_dir(args))
    parse_spec(args.dataset)
    names = (
        [n for g in args.rerankers for n in g]
        if args.rerankers
        else [n for n, cls in RERANKERS.items() if cls.in_default_run]
    )
    for name in names:
        RERANKERS.get(name)
    params = reranker_params(args.param)
    for name in params:
        if name not in names:
            raise ValueError(f"--param names reranker {name!r}, which is not being run")
    return grid.plan(
        args.dataset,
        names,
        args.budget,
        args.seeds,
        strategy=args.strategy,
        params=params,
        dataset_params=dict(args.dataset_param),
        data_dir=data_dir(args),
    )


def check_executor(args: argparse.Namespace) -> None:
    """The executor options, before any data is generated or anything written; a Dask
    scheduler must answer within :data:`CONNECT_TIMEOUT` seconds."""
    if getattr(args, "executor", "local") == "dask":
        if not args.scheduler:
            raise ValueError("--executor dask needs --scheduler ADDRESS (e.g. tcp://host:8786)")
        probe_scheduler(args.scheduler)
        return
    if getattr(args, "scheduler", None):
        raise ValueError("--scheduler is for --executor dask")
    if getattr(args, "jobs", None) is not None and args.jobs < 1:
        raise ValueError(f"--jobs must be at least 1, not {args.jobs}")
    env_jobs()


#: ``--jobs`` unset: local workers when at least this many cells are to compute (issue 19:
#: since this process computes cells while they start, two workers beat one process from 1
#: cell on, 2 cells 6.0 s -> 4.7 s, 6 cells 7.1 s -> 5.0 s; docs/performance.md, fifth pass)
AUTO_MIN_CELLS = 2
AUTO_GB_PER_JOB = 2.0  # a worker's peak memory on the default data is under 1 GB
#: the environment variable that stands for ``--jobs`` when the option is not given
JOBS_ENV = "BENCHMARK_JOBS"


def env_jobs() -> int | None:
    """``--jobs`` from :data:`JOBS_ENV` (None when unset or empty)."""
    text = os.environ.get(JOBS_ENV, "").strip()
    if not text:
        return None
    if not text.isdigit() or int(text) < 1:
        raise ValueError(f"{JOBS_ENV} must be a whole number of at least 1, not {text!r}")
    return int(text)


def auto_jobs(cells: int) -> int:
    """The default ``--jobs``: 1 below :data:`AUTO_MIN_CELLS` cells to compute, else as many
    as the cores and the memory (:data:`AUTO_GB_PER_JOB` each) allow, at most one per cell."""
    if cells < AUTO_MIN_CELLS:
        return 1
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return max(1, min(os.cpu_count() or 1, int(memory // AUTO_GB_PER_JOB), cells))


def load_data(runner: Any, todo: list[Any], cache: Any) -> None:
    """Prepare every dataset the cells ``todo`` need, in ``cache`` (a bad dataset: one error
    before any cell, not one per cell); local workers (``runner``) are started first and get
    ready meanwhile. With workers, the report's imports are then loaded while they compute."""
    from benchmark.pipeline import grid

    to_load = grid.datasets_to_load(todo)
    if to_load and hasattr(runner, "start"):
        runner.start(todo)
    for spec, params in to_load:
        cache.get(spec, params)
    if runner is not None and todo:
        prefetch_report()


def prefetch_report() -> None:
    """Import what a report needs (scipy.stats, statsmodels, matplotlib: about 0.6 s) in a
    background thread. Called while worker processes compute the cells, when this process only
    waits; the report's own import then finds the modules loaded, or waits for the one being
    loaded (an import error is left for that import to raise). Not with ``--jobs 1``: there
    this process computes the cells, and the thread would compete with them."""

    def load() -> None:
        try:
            from benchmark.reporting import figures, report  # noqa: F401

            figures.pyplot()
        except Exception:
            pass

    threading.Thread(target=load, name="prefetch-report", daemon=True).start()


def executor(args: argparse.Namespace, cells: int = 0) -> Any:
    """The executor the arguments ask for (None: cells run in this process); ``--jobs`` unset
    is :data:`JOBS_ENV` if set, else :func:`auto_jobs` of the ``cells`` to compute."""
    from benchmark.pipeline import cluster, executors

    if args.executor == "dask":
        return cluster.DaskCluster(args.scheduler)
    jobs = args.jobs if args.jobs is not None else env_jobs() or auto_jobs(cells)
    return executors.LocalProcesses(jobs) if jobs > 1 else None


#: seconds a Dask scheduler has to answer before a run starts
CONNECT_TIMEOUT = 10.0


def probe_scheduler(address: str, timeout: float | None = None) -> None:
    """Ask the scheduler at ``address`` who it is: a ValueError for an address Dask cannot use
    (an unknown scheme, ``tls://`` without a TLS configuration), an OSError when nothing answers
    as a Dask scheduler within ``timeout`` seconds (a firewall, another server on the port)."""
    import asyncio

    from distributed.comm import connect
    from distributed.security import Security

    timeout = CONNECT_TIMEOUT if timeout is None else timeout

    async def identity() -> Any:
        comm = await connect(address, timeout=timeout, **Security().get_connection_args("client"))
        try:
            await comm.write({"op": "identity", "reply": True})
            return await comm.read()
        finally:
            comm.abort()

    try:
        asyncio.run(asyncio.wait_for(identity(), timeout))
    except TypeError as exc:  # Dask's message for tls:// without an SSL context
        raise ValueError(
            f"--scheduler {address} needs a TLS configuration (distributed.comm.tls.ca-file, "
            f".client.cert, .client.key in the Dask config); Dask said: {exc}"
        ) from None
    except ValueError as exc:
        raise ValueError(f"--scheduler {address}: {exc}") from None
    except (TimeoutError, OSError) as exc:
        raise OSError(
            f"--scheduler {address}: no Dask scheduler answered within {timeout:g} s "
            f"({str(exc) or 'no reply'}); is it running, and is this its address?"
        ) from None


def style_of(args: argparse.Namespace) -> Any:
    """How ``args`` ask the LaTeX tables to be set: ``--latex-width`` and the display names of
    the grid file's ``[labels]`` with ``--label`` over them."""
    from benchmark.pipeline.gridfile import labels
    from benchmark.reporting.latex import Style

    names = labels(args.grid) if getattr(args, "grid", None) else {}
    names |= dict(getattr(args, "label", None) or [])
    return Style(getattr(args, "latex_width", None) or "column", names)
