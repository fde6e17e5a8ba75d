"""Variant identities must not drift: a field added to the schema (system_prompt, checkpoints,
include_path, select) leaves the variants stored before it existed with the same id, so their
stored results stay theirs. The ids below were computed by the code before those fields existed."""

from __future__ import annotations

from babelbench.pipeline.keys import variant_id
from babelbench.recipe import load_recipe
from tests.conftest import ROOT

GOLDEN = {
    "smoke@mixed": "16a79ee3656016b7", "smoke@plug": "f1c99a5e018ba621",
    "demo@en-only": "83610476756a9a23", "demo@mixed": "a016bb25cd58c9b8", "demo@plug": "dba1ad5a7a1402e9",
}


def test_shipped_recipes_keep_their_variant_ids():
    found = {v.name: variant_id(v) for name in ("smoke", "demo") for v in load_recipe(ROOT / "recipes" / f"{name}.yaml")}
    assert found == GOLDEN
