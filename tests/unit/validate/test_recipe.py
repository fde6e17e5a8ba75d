"""validate.recipe: the checks beyond the schema, each problem at its file, line and field."""

from __future__ import annotations

import pytest

from babelbench import validate
from babelbench.core.errors import ConfigError
from tests.conftest import TINY_RECIPE


def _problems(path, overrides=None) -> list[str]:
    with pytest.raises(ConfigError) as info:
        validate.recipe(path, overrides)
    return [str(p) for p in info.value.problems]


def _broken(write_recipe, old: str, new: str):
    text = TINY_RECIPE.replace(old, new)
    assert text != TINY_RECIPE
    return write_recipe(text)


def test_missing_file(write_recipe):
    path = _broken(write_recipe, "instructions.zh.jsonl", "instructions.xx.jsonl")
    [problem] = _problems(path)
    assert ":6: data.sources.1.path: file not found:" in problem


def test_weights_must_sum_to_one(write_recipe):
    path = _broken(write_recipe, "mix: {en: 0.5, zh: 0.5}", "mix: {en: 0.5, zh: 0.4}")
    [problem] = _problems(path)
    assert problem.endswith(":7: data.mix: weights sum to 0.9, not 1")


def test_plug_target_without_label(write_recipe):
    path = write_recipe(TINY_RECIPE.replace("instructions.zh.jsonl, language: zh", "instructions.zh.jsonl, language: th")
                        .replace("zh: 0.5", "th: 0.5") + "    pivot: {mode: plug}\n")
    [problem] = _problems(path)
    assert problem.endswith(":7: data.mix.th: pivot mode plug needs a section label for 'th' (Thai): "
                            "give one in pivot.labels")


def test_unknown_task(write_recipe):
    path = _broken(write_recipe, "tasks: [xalpaca_zh, babel_qa_en]", "tasks: [xalpaca_zh, no_such_task_xyz]")
    [problem] = _problems(path)
    assert problem.endswith(":19: eval.tasks.1: lm-eval does not know task 'no_such_task_xyz'")


def test_unknown_judge_is_refused_at_its_line(write_recipe):
    path = write_recipe(TINY_RECIPE + "    judges: [language-id, no-such-judge]\n")
    [problem] = _problems(path)
    assert problem.startswith(f"{path}:22: judges.1: no judge 'no-such-judge' (known: ")


def test_pairwise_judge_needs_a_baseline(write_recipe):
    path = write_recipe(TINY_RECIPE + "    judges: [pairwise]\n")
    [problem] = _problems(path)
    assert problem.endswith(":22: judges.0: the pairwise judge needs a baseline variant: set judge.baseline "
                            "(or --baseline), or judge.pairs")
    assert validate.recipe(path, ["judge.baseline=tiny"])[0].judge.baseline == "tiny"
