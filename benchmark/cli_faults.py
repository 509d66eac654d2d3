"""How the command line meets faults: Ctrl-C (exit 130, exactly, with one line), an OS error
not named where it happened (its file and what is in the way, in words), damaged packs (rebuilt
from their cells before anything reads them)."""

from __future__ import annotations

import _thread
import ctypes
import gc
import signal
import sys
import threading
import time
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import Any, NoReturn

from benchmark.store.files import why

INTERRUPTED = 130


def ignore_interrupts() -> None:
    """After the first Ctrl-C has been caught, ignore any other: the run is folding its
    finished cells into their packs and printing its one line, and then exits 130 (a second
    SIGINT would cut that short, or end the process by the signal instead of 130)."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)


def exit_with(code: int) -> NoReturn:
    """End ``python -m benchmark`` with ``code``. After a Ctrl-C, SIGINT is ignored by then
    (:func:`ignore_interrupts`), and CPython's mark of an "unhandled" KeyboardInterrupt is
    cleared: CPython sets it when a KeyboardInterrupt escapes code run through its C API
    (``PyRun_*``, as during some imports), even if this program then catches it, and at exit
    ends such a process by SIGINT (exit -2) instead of 130 (some interrupted SMAR runs did).
    Running an empty statement through the same API clears the mark. The heap is frozen
    first: CPython's last collection at exit visits every object, 1.1-1.3 s after a small run
    that loaded torch (issue 19); every file is written and closed by then."""
    sys.stdout.flush()
    gc.freeze()
    if code == INTERRUPTED:
        with suppress(AttributeError, OSError):  # not CPython: nothing to clear
            ctypes.pythonapi.PyRun_SimpleString(b"pass")
    sys.exit(code)


def one_line(exc: BaseException) -> str:
    """A failure as one line; an OS error not named where it happened as its file and what
    is in the way, in words (not ``[Errno 20] Not a directory: ...``)."""
    if isinstance(exc, OSError) and exc.filename:
        return f"{exc.filename}: {why(Path(exc.filename), exc)}"
    return str(exc) or type(exc).__name__


def interrupt_again() -> None:
    """Raise KeyboardInterrupt in the main thread once it has left the hook that reported a
    lost one (nothing when SIGINT is ignored by then: the first Ctrl-C was caught)."""
    time.sleep(0.01)
    _thread.interrupt_main()


def interrupts_kept(argv: list[str] | None) -> Callable[[], None]:
    """Make a Ctrl-C impossible to lose during a command: a KeyboardInterrupt raised where
    Python can only print it ("Exception ignored in ...": a weakref callback of importlib's
    module locks, a numba or torch callback) is raised again in the main thread. Returns what
    puts things back after a command run in a process that goes on (``argv`` given: a test, a
    script); ``python -m benchmark`` keeps SIGINT ignored after a Ctrl-C until it exits."""
    handler, default = signal.getsignal(signal.SIGINT), sys.unraisablehook

    def hook(unraisable: Any) -> None:
        if unraisable.exc_type is not None and issubclass(unraisable.exc_type, KeyboardInterrupt):
            threading.Thread(target=interrupt_again, daemon=True).start()
        else:
            default(unraisable)

    sys.unraisablehook = hook

    def restore() -> None:
        sys.unraisablehook = default
        if argv is not None and handler is not None:
            signal.signal(signal.SIGINT, handler)

    return restore


def repair_packs(store: Any, cells: list[Any]) -> list[str]:
    """Rebuild the damaged packs of the planned cells' datasets from their cell folders (or one
    error naming the file and how to get it back), before anything reads them; the keys."""
    from benchmark.core.catalog import dataset_key

    keys = list(dict.fromkeys(dataset_key(c.dataset, c.dataset_params) for c in cells))
    for key in keys:
        if rebuilt := store.repair(key):
            print(f"rebuilt the damaged pack {store.pack(key).folder} from its {rebuilt} cells")
    return keys
