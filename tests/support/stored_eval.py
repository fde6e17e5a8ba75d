"""A variant with a finished evaluation, written straight into a store (for tests of what reads one)."""

from __future__ import annotations

from babelbench.core.records import EvalRows
from babelbench.store import writes


def add_evaluated_variant(con, variant_id: str, name: str, eval_key: str, rows: EvalRows) -> None:
    """Register ``name`` (an untrained variant of ``builtin:tiny``) with ``eval_key`` done and holding ``rows``."""
    writes.register_recipe(con, "r", "recipe.yaml", "")
    writes.register_variant(con, {"variant_id": variant_id, "name": name, "recipe_hash": "r", "recipe_file": "recipe.yaml",
                                  "base_model": "builtin:tiny", "method": "none", "pivot_mode": "none",
                                  "pivot_language": "en", "data_mix": None, "data_size": None, "config": {},
                                  "choices": {}})
    writes.link_stage(con, variant_id, "eval", eval_key)
    writes.start_run(con, f"run-{variant_id}", "eval", eval_key, variant_id, {}, None)
    writes.finish_run(con, f"run-{variant_id}", "done", 0.0)
    writes.write_eval(con, eval_key, rows)
