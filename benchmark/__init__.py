"""Whole-page reranking under annotation budgets: a learning-to-rank benchmark suite."""

__version__ = "0.1.0"
