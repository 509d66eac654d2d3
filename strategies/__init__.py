"""The annotation-strategy registry's entries: importing this package registers every strategy.

Adding a strategy = one module here plus one import line below.
"""

from strategies import bands, iso_anchors, pages, random_items  # noqa: F401
