"""A relative path in a recipe is relative to the file that writes it, also when a recipe in
another folder inherits it through `extends`."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from babelbench import validate
from babelbench.models.tiny import tiny_config
from babelbench.recipe import ConfigError, load_recipe
from tests.conftest import ROOT, SAMPLES


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


def test_recipe_of_ones_own_extends_a_shipped_recipe_by_absolute_path(tmp_path):
    child = _write(tmp_path / "mine.yaml", f"""
        extends: {ROOT / "recipes" / "smoke.yaml"}
        name: mine
        train: {{max_steps: 1}}
        """)
    variants = load_recipe(child)
    assert [v.name for v in variants] == ["mine@mixed", "mine@plug"]
    for variant in variants:
        paths = [Path(s.path) for s in variant.data.sources]
        assert paths == [SAMPLES / "instructions.en.jsonl", SAMPLES / "instructions.zh.jsonl"]
        assert all(p.is_absolute() and p.is_file() for p in paths)
        assert variant.train.max_steps == 1 and variant.train.lora.r == 8


PARENT = """
    name: base
    base_model: ./model
    data:
      sources:
        - {path: data/en.jsonl, language: en}
      mix: {en: 1.0}
      size: 4
      allow_upsampling: true
    train: {method: lora, max_steps: 1}
    eval:
      tasks: [xalpaca_en]
      prompt_files: [{path: prompts/theirs.jsonl, language: en}]
    variants:
      more: {data.sources: [{path: data/more.jsonl, language: en}]}
    sweep:
      base_model: [./model, ./model2]
    """


@pytest.fixture
def shared(tmp_path) -> Path:
    """A parent recipe in a folder of its own, with its data, prompts and model folders beside it."""
    folder = tmp_path / "shared"
    for name in ("data/en.jsonl", "data/more.jsonl"):
        _write(folder / name, '{"instruction": "Say hi.", "output": "Hi."}\n')
    _write(folder / "prompts" / "theirs.jsonl", '{"instruction": "Say hi."}\n')
    for model in ("model", "model2"):  # a model folder's config.json is read (module names, context length)
        _write(folder / model / "config.json", tiny_config().to_json_string())
    _write(folder / "base.yaml", PARENT)
    return folder


def test_inherited_paths_resolve_against_the_parent_and_own_paths_against_the_child(tmp_path, shared):
    child = _write(tmp_path / "mine" / "child.yaml", """
        extends: ../shared/base.yaml
        name: child
        eval:
          prompt_files: [{path: own.jsonl, language: en}]
        """)
    _write(tmp_path / "mine" / "own.jsonl", '{"instruction": "Say hello."}\n')
    variants = {v.name: v for v in load_recipe(child)}
    assert sorted(variants) == ["child@more,base_model=" + str(shared / m) for m in ("model", "model2")]
    for name, variant in variants.items():
        assert [s.path for s in variant.data.sources] == [str(shared / "data" / "more.jsonl")]
        assert variant.base_model in (str(shared / "model"), str(shared / "model2"))
        # the child's own prompt file: written relative to the child, and kept that way
        assert [p.path for p in variant.eval.prompt_files] == ["own.jsonl"]


def test_inherited_prompt_files_and_the_base_variant(tmp_path, shared):
    child = _write(tmp_path / "mine" / "child.yaml", """
        extends: ../shared/base.yaml
        name: child
        """)
    [variant] = load_recipe(child, ["variants={}", "sweep={}"])
    assert variant.base_model == str(shared / "model")
    assert [s.path for s in variant.data.sources] == [str(shared / "data" / "en.jsonl")]
    assert [p.path for p in variant.eval.prompt_files] == [str(shared / "prompts" / "theirs.jsonl")]


def test_a_missing_inherited_file_is_blamed_on_the_parents_line(tmp_path, shared):
    (shared / "data" / "en.jsonl").unlink()
    child = _write(tmp_path / "mine" / "child.yaml", """
        extends: ../shared/base.yaml
        name: child
        """)
    with pytest.raises(ConfigError) as info:
        validate.recipe(child, ["variants={}", "sweep={}"])
    [problem] = info.value.problems
    assert problem.field == "data.sources.0.path"
    assert problem.file.endswith("base.yaml") and problem.line == 5
    assert str(shared / "data" / "en.jsonl") in problem.message


def test_a_parent_in_the_same_folder_keeps_its_paths_as_written(tmp_path):
    _write(tmp_path / "base.yaml", f"""
        name: base
        base_model: builtin:tiny
        data:
          sources: [{{path: {SAMPLES / "instructions.en.jsonl"}, language: en}}, {{path: own.jsonl, language: zh}}]
          mix: {{en: 0.5, zh: 0.5}}
          size: 4
          allow_upsampling: true
        train: {{max_steps: 1}}
        eval: {{tasks: [xalpaca_en]}}
        """)
    _write(tmp_path / "own.jsonl", '{"instruction": "Say hi.", "output": "Hi."}\n')
    child = _write(tmp_path / "child.yaml", "extends: base.yaml\nname: child\n")
    [variant] = load_recipe(child)
    # nothing to rewrite: the same relative path, so the same variant identity as before
    assert [s.path for s in variant.data.sources] == [str(SAMPLES / "instructions.en.jsonl"), "own.jsonl"]
