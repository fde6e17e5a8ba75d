"""babelbench: declarative benchmark-and-leaderboard harness for multilingual instruction tuning.

The public entry points are the recipe loader (:func:`babelbench.recipe.load_recipes`), the
checks before a run (:func:`babelbench.validate.recipes`: recipes loaded and checked), the
pipeline (:func:`babelbench.pipeline.run_variants`) and the store (:class:`babelbench.store.Store`).
Heavy libraries (torch, transformers, lm-eval) are imported only inside the stages that use them.
"""

__version__ = "0.1.0"
__all__ = ["__version__"]
