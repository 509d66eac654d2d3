"""The annotation-strategy registry's entries: importing this package registers every strategy.

Adding a strategy = one module here plus one import line below (:mod:`strategies.active` holds
what the multi-round strategies share and registers nothing).
"""

from strategies import (  # noqa: F401
    bands,
    bandsel,
    calibration_anchors,
    disagreement,
    iso_anchors,
    pages,
    pages_active,
    random_items,
    uncertainty,
)
