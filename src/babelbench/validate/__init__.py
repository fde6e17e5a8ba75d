"""Every check before a run, in one place: recipes against the file system, the language table, the task
index, the judges and the base model; the examples each variant selects; a run's credentials and Hub
access; and task folders. It sits above the configuration (:mod:`babelbench.recipe`, which keeps the schema
and loading) and the stages, whose registered entries (data formats, eval backends, model servers, judge
protocols, metrics) each say what they need.

    variants = validate.recipes(paths, overrides, search)                     # `harness validate`
    variants = validate.recipes(paths, overrides, search, stages=validate.STAGES)   # `harness run`
"""

from .loading import STAGES, HubUnreachable, recipe, recipes
from .task_files import check_task_files, is_task_folder

__all__ = ["STAGES", "HubUnreachable", "check_task_files", "is_task_folder", "recipe", "recipes"]
