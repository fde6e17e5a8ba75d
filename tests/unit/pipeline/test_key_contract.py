"""The cache-key contract: each stage's key hashes what the stage reads, and nothing else.

One table: for each kind of change, which of the data, train, eval and judge keys change.
Every case starts from the same recipe in a folder of its own (local copies of the data, the
base model, a task and a judge), computes the keys, makes one change, and computes them again
in the same process -- so a cache that hides an edit (the task-folder digest once did) fails here.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from babelbench import validate
from babelbench.judge.grading import Target, stage_key
from babelbench.judge.loader import load_judge
from babelbench.paths import SearchPath
from babelbench.pipeline import keys as keys_module
from babelbench.pipeline.keys import plan_variant
from tests.conftest import SAMPLES

RECIPE = """\
name: keys
base_model: model
data:
  sources:
    - {path: data/en.jsonl, language: en}
    - {path: data/zh.jsonl, language: zh}
  mix: {en: 0.5, zh: 0.5}
  size: 8
  seed: 1
train:
  method: lora
  lora: {r: 4, alpha: 8, dropout: 0.0}
  lr: 1.0e-3
  max_steps: 2
  save_steps: 1
eval:
  tasks: [keytask_en]
  include_path: [mytasks]
  limit: 2
  gen_kwargs: {max_gen_toks: 8}
judges: [lid]
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
metadata:
  version: 1.0
"""

JUDGE = "name: lid\nkind: language-id\nversion: '1'\ndescription: language check\n"

STAGES = ("data", "train", "eval", "judge")


@dataclass
class Study:
    folder: Path
    overrides: list[str]

    def keys(self) -> dict[str, str | None]:
        search = SearchPath.build([], [self.folder / "judges"])
        [variant] = validate.recipe(self.folder / "recipe.yaml", self.overrides, search)
        plan = plan_variant(variant, list(search.tasks))
        judge = load_judge("lid", list(search.judges))
        target = Target(plan.variant_id, variant.name, plan.eval_key, variant.pivot.mode == "plug")
        return {"data": plan.data_key, "train": plan.train_key, "eval": plan.eval_key,
                "judge": stage_key(judge, target)}


@pytest.fixture
def study(tmp_path, tiny_model) -> Study:
    (tmp_path / "data").mkdir()
    shutil.copy(SAMPLES / "instructions.en.jsonl", tmp_path / "data" / "en.jsonl")
    shutil.copy(SAMPLES / "instructions.zh.jsonl", tmp_path / "data" / "zh.jsonl")
    shutil.copytree(tiny_model, tmp_path / "model")
    task = tmp_path / "mytasks" / "keytask"
    task.mkdir(parents=True)
    (task / "keytask_en.yaml").write_text(TASK)
    (task / "utils.py").write_text("def load(**_):\n    raise NotImplementedError\n")
    (tmp_path / "judges" / "lid").mkdir(parents=True)
    (tmp_path / "judges" / "lid" / "judge.yaml").write_text(JUDGE)
    (tmp_path / "recipe.yaml").write_text(RECIPE)
    return Study(tmp_path, [])


def _append(path: Path, text: str) -> None:
    with path.open("a", encoding="utf-8") as fh:
        fh.write(text)


def _retrain_one_tensor_in_place(folder: Path) -> None:
    """A user retrains the model in place: one tensor changes, the file keeps its size and mtime."""
    from safetensors.torch import load_file, save_file

    weights = folder / "model" / "model.safetensors"
    before = weights.stat()
    tensors = load_file(str(weights))
    name = sorted(tensors)[0]
    tensors[name] = tensors[name] + 1.0
    save_file(tensors, str(weights), metadata={"format": "pt"})
    os.utime(weights, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert weights.stat().st_size == before.st_size


def _bump_library(package: str) -> Callable[[Study, pytest.MonkeyPatch], None]:
    def change(study: Study, monkeypatch: pytest.MonkeyPatch) -> None:
        real = keys_module.versions
        monkeypatch.setattr(keys_module, "versions",
                            lambda *names: {n: (v + ".post1" if n == package else v) for n, v in real(*names).items()})
    return change


def _override(text: str) -> Callable[[Study, pytest.MonkeyPatch], None]:
    def change(study: Study, monkeypatch: pytest.MonkeyPatch) -> None:
        study.overrides.append(text)
    return change


def _edit(relative: str, text: str) -> Callable[[Study, pytest.MonkeyPatch], None]:
    def change(study: Study, monkeypatch: pytest.MonkeyPatch) -> None:
        _append(study.folder / relative, text)
    return change


ALL = set(STAGES)
CASES: list[tuple[str, Callable[[Study, pytest.MonkeyPatch], None], set[str]]] = [
    ("a source file's bytes", _edit("data/en.jsonl", '{"instruction": "Say hi.", "input": "", "output": "Hi."}\n'), ALL),
    ("data.size", _override("data.size=10"), ALL),
    ("data.seed", _override("data.seed=2"), ALL),
    ("data.mix", _override("data.mix={en: 0.25, zh: 0.75}"), ALL),
    ("pivot.mode", _override("pivot.mode=plug"), ALL),
    ("pivot.system_prompt (a line in every training row and prompt)", _override("pivot.system_prompt=auto"), ALL),
    ("pivot.pivot_language without PLUG (unused)", _override("pivot.pivot_language=zh"), set()),
    ("train.lr", _override("train.lr=2e-3"), {"train", "eval", "judge"}),
    ("train.lora.r", _override("train.lora.r=8"), {"train", "eval", "judge"}),
    ("train.max_steps", _override("train.max_steps=3"), {"train", "eval", "judge"}),
    ("train.seed", _override("train.seed=7"), {"train", "eval", "judge"}),
    ("train.save_steps (checkpoint cadence)", _override("train.save_steps=2"), set()),
    ("eval.limit", _override("eval.limit=3"), {"eval", "judge"}),
    ("eval.gen_kwargs", _override("eval.gen_kwargs={max_gen_toks: 9}"), {"eval", "judge"}),
    ("eval.apply_chat_template", _override("eval.apply_chat_template=false"), {"eval", "judge"}),
    ("description (free text)", _override("description=changed"), set()),
    ("the recipe's judge list", _override("judges=[]"), set()),
    ("base model weights, same size and mtime", lambda s, m: _retrain_one_tensor_in_place(s.folder), ALL),
    ("base model config", _edit("model/config.json", "\n"), ALL),
    ("a task file", _edit("mytasks/keytask/keytask_en.yaml", "# edited\n"), {"eval", "judge"}),
    ("a task's utils.py", _edit("mytasks/keytask/utils.py", "# edited\n"), {"eval", "judge"}),
    ("the judge's version", lambda s, m: (s.folder / "judges/lid/judge.yaml").write_text(JUDGE.replace("'1'", "'2'")),
     {"judge"}),
    ("the judge's description (not part of a grade)",
     lambda s, m: (s.folder / "judges/lid/judge.yaml").write_text(JUDGE.replace("language check", "other")), set()),
    ("tokenizers version", _bump_library("tokenizers"), ALL),
    ("transformers version", _bump_library("transformers"), ALL),
    ("peft version", _bump_library("peft"), {"train", "eval", "judge"}),
    ("torch version", _bump_library("torch"), {"train", "eval", "judge"}),
    ("lm-eval version", _bump_library("lm-eval"), {"eval", "judge"}),
    ("an unrelated library's version", _bump_library("duckdb"), set()),
]


@pytest.mark.parametrize(("change", "expected"), [(c, e) for _, c, e in CASES], ids=[n for n, _, _ in CASES])
def test_which_keys_a_change_changes(study, monkeypatch, change, expected):
    before = study.keys()
    assert all(before.values())
    change(study, monkeypatch)
    after = study.keys()
    changed = {stage for stage in STAGES if before[stage] != after[stage]}
    assert changed == expected


def test_an_unchanged_study_keeps_every_key_across_processes_worth_of_caches(study):
    first = study.keys()
    keys_module._TASK_FILES = type(keys_module._TASK_FILES)()  # a new process: empty in-memory digests
    assert study.keys() == first


# -- translation-task data (data.translation) ------------------------------------------------------

TRANSLATION = """\
  translation:
    sources: [{path: data/parallel.jsonl}]
    size: {zh: 4, ko: 2}
    seed: 1
"""


@pytest.fixture
def translation_study(study) -> Study:
    shutil.copy(SAMPLES / "parallel" / "everyday.jsonl", study.folder / "data" / "parallel.jsonl")
    (study.folder / "templates.txt").write_text("Put {source_lang} into {target_lang}.\n", encoding="utf-8")
    text = RECIPE.replace("  seed: 1\ntrain:", "  seed: 1\n" + TRANSLATION + "train:")
    assert text != RECIPE
    (study.folder / "recipe.yaml").write_text(text)
    return study


def _moved_parallel_file(study: Study, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copy(study.folder / "data" / "parallel.jsonl", study.folder / "data" / "moved.jsonl")
    study.overrides.append("data.translation.sources=[{path: data/moved.jsonl}]")


TRANSLATION_CASES: list[tuple[str, Callable[[Study, pytest.MonkeyPatch], None], set[str]]] = [
    ("data.translation.size (one language's)", _override("data.translation.size.zh=5"), ALL),
    ("data.translation.size (another language's, as a new dict)", _override("data.translation.size={zh: 4, ko: 3}"), ALL),
    ("data.translation.direction", _override("data.translation.direction=both"), ALL),
    ("data.translation.pivot", _override("data.translation.pivot=de"), ALL),
    ("data.translation.seed", _override("data.translation.seed=2"), ALL),
    ("data.translation.templates (a file)", _override("data.translation.templates=templates.txt"), ALL),
    ("data.translation.sources.0.fields", _override("data.translation.sources.0.fields={en: en, zh: zh, ko: ko}"), ALL),
    ("a parallel file's bytes", _edit("data/parallel.jsonl", '{"id": "x", "en": "Yes.", "zh": "是。", "ko": "네."}\n'),
     ALL),
    ("the parallel file moved, same bytes", _moved_parallel_file, set()),
    ("data.allow_upsampling (a permission)", _override("data.allow_upsampling=true"), set()),
    ("data.seed (the shuffle of both kinds)", _override("data.seed=2"), ALL),
]


@pytest.mark.parametrize(("change", "expected"), [(c, e) for _, c, e in TRANSLATION_CASES],
                         ids=[n for n, _, _ in TRANSLATION_CASES])
def test_which_keys_a_translation_change_changes(translation_study, monkeypatch, change, expected):
    before = translation_study.keys()
    assert all(before.values())
    change(translation_study, monkeypatch)
    after = translation_study.keys()
    assert {stage for stage in STAGES if before[stage] != after[stage]} == expected


def test_adding_translation_data_changes_every_key_and_leaves_a_study_without_it_as_it_was(study):
    before = study.keys()
    study.overrides.append("data.translation={sources: [{path: data/en.jsonl, fields: {en: instruction, zh: output}}], "
                           "size: {zh: 2}}")
    with_translation = study.keys()
    assert all(with_translation[s] != before[s] for s in STAGES)
    study.overrides.clear()
    assert study.keys() == before


def test_a_templates_file_edit_changes_the_data_key(translation_study):
    translation_study.overrides.append("data.translation.templates=templates.txt")
    before = translation_study.keys()
    _append(translation_study.folder / "templates.txt", "Now {target_lang}, from {source_lang}.\n")
    after = translation_study.keys()
    assert {s for s in STAGES if before[s] != after[s]} == ALL
