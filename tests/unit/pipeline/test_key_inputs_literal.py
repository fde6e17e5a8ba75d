"""What each stage key hashes, literally.

test_key_contract checks *which* keys a change changes; it cannot see a key whose inputs were
renamed or reshaped, because such a change moves every key at once -- and silently throws away
every stored stage (a user's trained adapters, evaluations, judgments). Here the inputs handed to
the hash are spelled out, so changing what a key is made of is a deliberate edit of this file
(mutation check, ``make mutation``). The base model's identity and the library versions are
stubbed, so no model is built.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from babelbench.core.hashing import digest, file_digest
from babelbench.pipeline import keys
from babelbench.recipe import load_recipe

RECIPE = """\
name: k
base_model: builtin:tiny
data:
  sources:
    - {path: data/en.jsonl, language: en, format: alpaca}
    - {hub: org/set, hub_config: zh, split: validation, language: zh}
  mix: {en: 0.5, zh: 0.5}
  size: 8
  allow_upsampling: true
  seed: 3
train:
  method: lora
  max_steps: 2
  save_steps: 1
eval:
  tasks: [keytask_en]
  include_path: [mytasks]
  limit: 2
  prompt_files: [{path: prompts/p.jsonl, language: en}]
"""

TASK = """\
task: keytask_en
custom_dataset: !function utils.load
output_type: generate_until
test_split: test
doc_to_text: "{{question}}"
doc_to_target: "{{answer}}"
metric_list:
  - {metric: exact_match, aggregation: mean, higher_is_better: true}
"""

BASE = {"kind": "stub-base"}


def fake_versions(*names: str) -> dict[str, str]:
    return {n: f"{n}==1" for n in names}


@pytest.fixture
def folder(tmp_path, monkeypatch) -> Path:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "en.jsonl").write_text('{"instruction": "Hi", "input": "", "output": "Hello"}\n')
    (tmp_path / "prompts").mkdir()
    (tmp_path / "prompts" / "p.jsonl").write_text('{"instruction": "Say hi"}\n')
    task = tmp_path / "mytasks" / "keytask"
    (task / "__pycache__").mkdir(parents=True)
    (task / "keytask_en.yaml").write_text(TASK)
    (task / "utils.py").write_text("def load(**_):\n    raise NotImplementedError\n")
    (task / "__pycache__" / "utils.cpython-311.pyc").write_bytes(b"compiled")   # never part of a key
    (tmp_path / "recipe.yaml").write_text(RECIPE)
    monkeypatch.setattr(keys, "model_identity", lambda base_model, recipe_dir: BASE)
    monkeypatch.setattr(keys, "versions", fake_versions)
    monkeypatch.setattr(keys, "_TASK_FILES", type(keys._TASK_FILES)())
    return tmp_path


@pytest.fixture
def hashed(monkeypatch) -> list:
    """Every value handed to the key hash, in order."""
    seen: list = []

    def record(value, length=16):
        seen.append(value)
        return digest(value, length)

    monkeypatch.setattr(keys, "digest", record)
    return seen


def variant(folder: Path, *overrides: str):
    [v] = load_recipe(folder / "recipe.yaml", list(overrides))
    return v


def stage(hashed: list, name: str) -> dict:
    [payload] = [p for p in hashed if isinstance(p, dict) and p.get("stage") == name]
    return payload


def task_digest(folder: Path) -> str:
    task = folder / "mytasks" / "keytask"
    return digest({"keytask_en.yaml": file_digest(str(task / "keytask_en.yaml")),
                   "utils.py": file_digest(str(task / "utils.py"))})


def test_data_train_and_eval_keys_hash_exactly_these_inputs(folder, hashed):
    v = variant(folder)
    plan = keys.plan_variant(v, [])
    data, train, ev = stage(hashed, "data"), stage(hashed, "train"), stage(hashed, "eval")
    assert data == {
        "stage": "data", "builder": "data-v1", "base": BASE,
        "data": {"mix": {"en": 0.5, "zh": 0.5}, "size": 8, "seed": 3},
        "sources": [
            {"sha": file_digest(str(folder / "data" / "en.jsonl")), "language": "en", "format": "alpaca"},
            {"hub": "org/set", "config": "zh", "split": "validation", "language": "zh", "format": "auto"},
        ],
        "pivot": {"mode": "none"},
        "versions": {"transformers": "transformers==1", "tokenizers": "tokenizers==1"},
    }
    assert plan.data_key == digest(data)
    train_section = v.train.model_dump(mode="json")
    assert train_section["save_steps"] == 1 and train_section["checkpoints"] is None and train_section["max_steps"] == 2
    assert train == {
        "stage": "train", "trainer": "train-v1", "data": plan.data_key, "base": BASE,
        # checkpoint cadence and the unused `checkpoints` (a later field) are not part of it
        "train": {k: x for k, x in train_section.items() if k not in ("save_steps", "checkpoints", "launcher", "num_processes",
                                                                                  "accelerate_config")},
        "versions": {"torch": "torch==1", "transformers": "transformers==1", "peft": "peft==1"},
    }
    assert plan.train_key == digest(train)
    eval_section = v.eval.model_dump(mode="json")
    assert eval_section["include_path"] == ["mytasks"] and eval_section["limit"] == 2
    assert ev == {
        "stage": "eval", "evaluator": "eval-v2", "prompt_tasks": "prompt-task-v2", "model": plan.train_key,
        "eval": {k: x for k, x in eval_section.items()
                 if k not in ("include_path", "language_identifier", "dtype", "vllm", "openai", "serve", "data_dir")},
        "pivot_mode": "none",
        "tasks": {"keytask": task_digest(folder)},       # the folder's files, __pycache__ left out
        "prompt_files": [{"task": "prompts_p", "sha": file_digest(str(folder / "prompts" / "p.jsonl")),
                          "language": "en", "expected": None}],
        "versions": {"lm-eval": "lm-eval==1", "transformers": "transformers==1", "peft": "peft==1",
                     "torch": "torch==1"},
    }
    assert plan.eval_key == digest(ev)
    # the plan carries what it was made from
    assert plan.variant is v and plan.variant_id == keys.variant_id(v)
    assert plan.recipe_dir == folder.resolve() and plan.tasks_dirs == ((folder / "mytasks").resolve(),)
    assert plan.trains is True


def test_kept_checkpoints_are_part_of_the_train_key(folder, hashed):
    keys.plan_variant(variant(folder, "train.checkpoints=1"), [])
    assert stage(hashed, "train")["train"]["checkpoints"] == 1


def test_plug_and_system_line_enter_the_data_and_eval_keys(folder, hashed):
    keys.plan_variant(variant(folder, "pivot.mode=plug", "pivot.pivot_language=zh"), [])
    assert stage(hashed, "data")["pivot"] == {"mode": "plug", "pivot_language": "zh"}   # system_prompt none: left out
    assert stage(hashed, "eval")["pivot_mode"] == "plug" and "system_prompt" not in stage(hashed, "eval")
    hashed.clear()
    keys.plan_variant(variant(folder, "pivot.system_prompt=auto"), [])
    line = {"mode": "none", "system_prompt": "auto", "pivot_language": "en"}
    assert stage(hashed, "data")["pivot"] == line
    assert stage(hashed, "eval")["system_prompt"] == line
    hashed.clear()
    keys.plan_variant(variant(folder, "pivot.mode=plug", "pivot.system_prompt=auto"), [])
    assert stage(hashed, "data")["pivot"] == {"mode": "plug", "pivot_language": "en", "system_prompt": "auto"}


def test_an_untrained_variant_is_evaluated_on_its_base_model(folder, hashed):
    plan = keys.plan_variant(variant(folder, "train.method=none"), [])
    assert (plan.data_key, plan.train_key, plan.trains) == (None, None, False)
    assert [p.get("stage") for p in hashed if isinstance(p, dict) and "stage" in p] == ["eval"]
    assert stage(hashed, "eval")["model"] == BASE


def test_a_variant_that_selects_a_checkpoint_has_no_eval_key_yet(folder, hashed):
    plan = keys.plan_variant(variant(folder, "train.checkpoints=1", "select={tasks: [keytask_en], metric: exact_match}"), [])
    assert plan.eval_key == "" and plan.train_key
    assert not [p for p in hashed if isinstance(p, dict) and p.get("stage") == "eval"]
    assert keys.checkpoint_model(plan, 3) == {"train": plan.train_key, "step": 3}


def test_variant_id_leaves_out_where_the_recipe_lives_and_how_it_is_judged(folder, hashed):
    v = variant(folder)
    assert keys.variant_id(v) == keys.variant_id(v.model_copy(update={"recipe_file": "/elsewhere/r.yaml",
                                                                      "judges": ["lid"]}))
    payload = hashed[-1]
    assert payload["name"] == "k" and payload["eval"]["include_path"] == ["mytasks"]
    assert not {"recipe_file", "judges", "judge", "select"} & set(payload)
    assert "system_prompt" not in payload["pivot"] and "checkpoints" not in payload["train"]


def test_the_recipes_own_task_folders_come_first_without_repeats(tmp_path):
    v = variant_for_dirs(tmp_path)
    own, other = (tmp_path / "mine").resolve(), tmp_path / "shared"
    assert keys.variant_tasks_dirs(v, tmp_path, [other, own]) == [own, other]
    assert keys.variant_tasks_dirs(v, tmp_path, []) == [own]


def variant_for_dirs(tmp_path: Path):
    (tmp_path / "recipe.yaml").write_text("name: d\nbase_model: builtin:tiny\ntrain: {method: none}\n"
                                          "eval: {tasks: [xalpaca_en], include_path: [mine]}\n")
    (tmp_path / "mine").mkdir()
    [v] = load_recipe(tmp_path / "recipe.yaml")
    return v
