"""A small evaluated results store for the publishing tests: a real `harness run` on builtin:tiny
(no training unless asked), two QA tasks in two languages and the language-id judge."""

from __future__ import annotations

import textwrap
from pathlib import Path

from tests.integration._harness import harness

RECIPE_NONE = """
    name: pubunit
    base_model: builtin:tiny
    train: {method: none}
    eval: {tasks: [xquad_gen_en, xquad_gen_zh], limit: 2, gen_kwargs: {max_gen_toks: 6}}
    judges: [language-id]
"""

RECIPE_LORA = """
    name: publora
    base_model: builtin:tiny
    data:
      sources: [{path: %(samples)s/instructions.en.jsonl, language: en}]
      mix: {en: 1.0}
      size: 4
      seed: 11
    train: {method: lora, lora: {r: 2, alpha: 4}, max_steps: 1, batch_size: 4, max_length: 64}
    eval: {tasks: [xquad_gen_en], limit: 1, gen_kwargs: {max_gen_toks: 4}}
"""


def build_store(folder: Path, *, lora: bool = False) -> Path:
    """Run the recipe into ``folder/r.duckdb`` and return the store's path."""
    from tests.conftest import SAMPLES

    text = RECIPE_LORA % {"samples": SAMPLES} if lora else RECIPE_NONE
    (folder / "recipe.yaml").write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    store = folder / "r.duckdb"
    code, out = harness("run", folder / "recipe.yaml", "--store", store)
    assert code == 0, out
    return store
