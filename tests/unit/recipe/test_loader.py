from __future__ import annotations

import pytest

from babelbench.recipe import ConfigError, load_recipe, load_recipes
from tests.conftest import TINY_RECIPE


def test_valid_recipe_loads_with_defaults(write_recipe):
    [variant] = load_recipe(write_recipe(TINY_RECIPE))
    assert variant.name == "tiny"
    assert variant.train.lr == 1e-3
    assert variant.train.scheduler == "cosine"
    assert variant.train.train_on_prompt is False
    assert variant.pivot.mode == "none" and variant.pivot.pivot_language == "en"
    assert variant.data.mix == {"en": 0.5, "zh": 0.5}


def test_sweep_times_named_variants(write_recipe):
    path = write_recipe(TINY_RECIPE + """
    variants:
      mixed: {}
      plug: {pivot.mode: plug}
    sweep:
      train.lr: [1.0e-5, 1.0e-4]
    """)
    variants = load_recipe(path)
    assert [v.name for v in variants] == [
        "tiny@mixed,lr=1e-05", "tiny@mixed,lr=0.0001", "tiny@plug,lr=1e-05", "tiny@plug,lr=0.0001"]
    assert [v.train.lr for v in variants] == [1e-5, 1e-4, 1e-5, 1e-4]
    assert [v.pivot.mode for v in variants] == ["none", "none", "plug", "plug"]
    assert variants[3].choices == {"pivot.mode": "plug", "train.lr": 1e-4}


def test_set_overrides_any_field(write_recipe):
    [variant] = load_recipe(write_recipe(TINY_RECIPE), ["eval.limit=5", "train.lora.r=2"])
    assert variant.eval.limit == 5 and variant.train.lora.r == 2


def test_extends_merges_and_child_wins(write_recipe):
    write_recipe(TINY_RECIPE, "base.yaml")
    child = write_recipe("""
    extends: base.yaml
    name: child
    train: {lr: 5.0e-4}
    """, "child.yaml")
    [variant] = load_recipe(child)
    assert variant.name == "child"
    assert variant.train.lr == 5e-4
    assert variant.train.max_steps == 2          # inherited
    assert variant.eval.tasks == ["xalpaca_zh", "babel_qa_en"]


def _problems(path, overrides=None) -> list[str]:
    with pytest.raises(ConfigError) as info:
        load_recipe(path, overrides)
    return [str(p) for p in info.value.problems]


def _broken(write_recipe, old: str, new: str):
    text = TINY_RECIPE.replace(old, new)
    assert text != TINY_RECIPE
    return write_recipe(text)


def test_unknown_key_names_file_line_field(write_recipe):
    path = _broken(write_recipe, "      lr: 1.0e-3", "      lr: 1.0e-3\n      learning_rate: 3")
    assert _problems(path) == [f"{path}:14: train.learning_rate: unknown key"]


def test_wrong_type(write_recipe):
    path = _broken(write_recipe, "max_steps: 2", "max_steps: two")
    [problem] = _problems(path)
    assert problem.endswith(":14: train.max_steps: Input should be a valid integer, unable to parse string as an integer")


def test_unknown_language(write_recipe):
    path = _broken(write_recipe, "language: zh}", "language: zz}")
    problems = _problems(path)
    # refused by the schema (any ISO 639 / BCP-47 language is accepted, 'zz' is none), before the mix is looked at
    assert problems == [f"{path}:6: data.sources.1.language: unknown language code 'zz': expected an ISO 639 code "
                        "or BCP-47 tag such as 'en' or 'zh-Hant'"]


def test_error_from_sweep_points_at_sweep_line(write_recipe):
    path = write_recipe(TINY_RECIPE + "    sweep:\n      train.lr: [1.0e-4, -1]\n")
    [problem] = _problems(path)
    assert problem.endswith(":23: train.lr: Input should be greater than 0")


def test_error_from_set_names_the_override(write_recipe):
    [problem] = _problems(write_recipe(TINY_RECIPE), ["train.batch_size=0"])
    assert problem == "--set train.batch_size=0: train.batch_size: Input should be greater than 0"


def test_duplicate_variant_names_across_files(write_recipe):
    a = write_recipe(TINY_RECIPE, "a.yaml")
    b = write_recipe(TINY_RECIPE, "b.yaml")
    with pytest.raises(ConfigError, match="variant name 'tiny' is used twice"):
        load_recipes([a, b])


def test_invalid_yaml_reports_line(write_recipe):
    path = write_recipe("name: x\ntrain: {lr: 1\n")
    [problem] = _problems(path)
    assert ":3: invalid YAML" in problem or ":2: invalid YAML" in problem


def test_judge_section_rejects_unknown_keys(write_recipe):
    path = write_recipe(TINY_RECIPE + "    judges: [rubric-6facet]\n    judge:\n      backend: {modle: x}\n")
    [problem] = _problems(path)
    assert problem == f"{path}:24: judge.backend.modle: unknown key"


def test_judges_do_not_change_the_variant_identity(write_recipe):
    from babelbench.pipeline.keys import variant_id

    [plain] = load_recipe(write_recipe(TINY_RECIPE, "a.yaml"))
    [judged] = load_recipe(write_recipe(TINY_RECIPE + "    judges: [language-id]\n", "b.yaml"))
    assert variant_id(plain) == variant_id(judged)


def test_load_recipe_is_the_schema_only(write_recipe):
    """Checks beyond the schema (files, weights, tasks, judges) are babelbench.validate's."""
    path = _broken(write_recipe, "instructions.zh.jsonl", "instructions.xx.jsonl")
    [variant] = load_recipe(path)
    assert variant.data is not None and variant.data.sources[1].path.endswith("instructions.xx.jsonl")

