"""Model facts are kept on disk by model identity: a recipe whose model was looked at before is validated
without importing transformers or torch, and a model whose files change is read again."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import babelbench
from babelbench.validate import facts_cache
from babelbench.validate import model as model_checks

SRC = Path(babelbench.__file__).resolve().parents[1]

RECIPE = """\
name: cached
base_model: {model}
train: {{method: none}}
eval:
  tasks: [babel_qa_en]
  limit: 2
  gen_kwargs: {{max_gen_toks: 4, temperature: 0}}
"""

#: Runs `harness validate` in this process, then prints which model libraries it imported.
PROBE = """\
import sys
from babelbench.cli.app import app
try:
    app(["validate", sys.argv[1]])
except SystemExit as exc:
    code = exc.code
print("CODE", code)
print("LOADED", sorted(m for m in ("transformers", "torch") if m in sys.modules))
"""


def _validate(recipe: Path, home: Path) -> tuple[int, list[str]]:
    env = {**os.environ, "BABELBENCH_HOME": str(home), "PYTHONPATH": str(SRC), "HF_HUB_OFFLINE": "1"}
    done = subprocess.run([sys.executable, "-c", PROBE, str(recipe)], env=env, capture_output=True, text=True,
                          timeout=300, check=False)
    out = done.stdout
    assert "CODE" in out, done.stderr
    lines = dict(line.split(" ", 1) for line in out.splitlines() if line.startswith(("CODE", "LOADED")))
    return int(lines["CODE"]), json.loads(lines["LOADED"].replace("'", '"'))


def test_a_recipe_whose_facts_are_cached_is_validated_without_model_libraries(tmp_path):
    recipe = tmp_path / "recipe.yaml"
    recipe.write_text(RECIPE.format(model="builtin:tiny"), encoding="utf-8")
    home = tmp_path / "home"
    assert _validate(recipe, home) == (0, ["torch", "transformers"])   # first look: the config is read
    assert (home / "cache" / "model-facts.json").is_file()
    assert _validate(recipe, home) == (0, [])                           # then: from the cache


TINY_CONFIG = {"model_type": "llama", "vocab_size": 64, "hidden_size": 16, "intermediate_size": 32,
               "num_hidden_layers": 1, "num_attention_heads": 2, "num_key_value_heads": 1,
               "max_position_embeddings": 64}


def test_a_changed_model_is_read_again(tmp_path, monkeypatch):
    monkeypatch.setenv("BABELBENCH_HOME", str(tmp_path / "home"))
    model_checks.clear_cache()
    reads: list[str] = []
    real = model_checks._facts
    monkeypatch.setattr(model_checks, "_facts", lambda *a: reads.append(a[0]) or real(*a))
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps(TINY_CONFIG), encoding="utf-8")
    facts = model_checks.model_facts("model", str(tmp_path))
    assert facts is not None and facts.context_length == 64
    model_checks.clear_cache()                          # a new process: the disk cache answers
    assert model_checks.model_facts("model", str(tmp_path)) == facts
    assert reads == ["model"]
    (folder / "config.json").write_text(json.dumps({**TINY_CONFIG, "max_position_embeddings": 256}),
                                        encoding="utf-8")
    changed = model_checks.model_facts("model", str(tmp_path))   # same process, new identity
    assert changed is not None and changed.context_length == 256
    assert reads == ["model", "model"]
    stored = json.loads((tmp_path / "home" / "cache" / "model-facts.json").read_text(encoding="utf-8"))
    assert sorted(entry["context_length"] for entry in stored.values() if "context_length" in entry) == [64, 256]
    model_checks.clear_cache()


def test_an_entry_of_another_shape_is_read_again(tmp_path, monkeypatch):
    monkeypatch.setenv("BABELBENCH_HOME", str(tmp_path / "home"))
    model_checks.clear_cache()
    from babelbench.models.registry import model_identity

    facts_cache.save(facts_cache.facts_key(model_identity("builtin:tiny")), {"context_length": "garbled"})
    facts = model_checks.model_facts("builtin:tiny", str(tmp_path))
    assert facts is not None and facts.context_length == 1024 and "q_proj" in facts.linear_names()
    model_checks.clear_cache()
