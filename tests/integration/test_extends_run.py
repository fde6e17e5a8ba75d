"""`harness run` on a recipe of one's own, outside recipes/, that extends a shipped recipe: the
inherited data paths are found (they are relative to the shipped recipe, not to the user's file)."""

from __future__ import annotations

import textwrap

from tests.conftest import ROOT
from tests.integration._harness import harness, query


def test_run_a_recipe_elsewhere_that_extends_the_smoke_recipe(tiny_model, tmp_path):
    recipe = tmp_path / "my-smoke.yaml"
    recipe.write_text(textwrap.dedent(f"""
        extends: {ROOT / "recipes" / "smoke.yaml"}
        name: my-smoke
        data: {{size: 8}}
        train: {{max_steps: 1, save_steps: 1}}
        eval: {{tasks: [xalpaca_zh], limit: 1, gen_kwargs: {{max_gen_toks: 4}}}}
        """).lstrip())
    store = tmp_path / "results.duckdb"
    code, out = harness("run", recipe, "--store", store, "--set", "variants={}")
    assert code == 0, out
    assert query(store, "SELECT name, method FROM variants") == [("my-smoke", "lora")]
    assert query(store, "SELECT count(*) FROM samples")[0][0] == 1
