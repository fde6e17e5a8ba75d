"""The built-in judge protocols; importing this package registers them."""

from . import language_id, pairwise, rubric

__all__ = ["language_id", "pairwise", "rubric"]
