"""Imported by the local executor's fork server (:func:`benchmark.pipeline.executors.context`):
importing it loads and warms what every cell needs, once, so that every worker forked from
the server starts with it in memory (the imports and numba's cached kernels cost seconds per
process otherwise). Importing it has that effect and nothing else; no thread is started.
"""

from benchmark.pipeline import worker

worker.warm()
