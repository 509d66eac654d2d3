"""Dataset families; each module registers itself into :data:`benchmark.core.catalog.DATASETS`."""

from datasets import letor, qilin, synthetic_serp  # noqa: F401
