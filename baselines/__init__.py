"""The reranker registry's entries: importing this package registers every reranker.

Adding a reranker = one module here plus one import line below.
"""

from baselines import (  # noqa: F401
    allrank,
    calibrated_fusion,
    fusion_minmax,
    fusion_zscore,
    interleave,
    lambdamart,
    sft,
    smar,
    smar_variants,
)
