"""Imported by the local executor's fork server (:func:`benchmark.pipeline.executors.context`):
importing it loads and warms what every cell needs, once, so that every worker forked from
the server starts with it in memory (the imports and numba's cached kernels cost seconds per
process otherwise). No thread is started.

It first makes the process ignore Ctrl-C: the run's client handles it and shuts the workers
down. multiprocessing's fork server ignores it only once its preload is imported, so a Ctrl-C
during these imports (seconds, with torch) printed the server's traceback under the run's
one-line message; the workers forked from it inherit the setting (as :func:`worker_init` sets).
"""

import signal

signal.signal(signal.SIGINT, signal.SIG_IGN)

from benchmark.pipeline import worker  # noqa: E402

worker.warm()
