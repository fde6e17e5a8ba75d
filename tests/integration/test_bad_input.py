"""Bad recipes are refused before any work: file:line: field, exit 2, no store written."""

from __future__ import annotations

import pytest

from tests.conftest import TINY_RECIPE
from tests.integration._harness import harness

BROKEN = {
    "unknown-key": (("      lr: 1.0e-3", "      lr: 1.0e-3\n      lr_typo: 2"), ":14: train.lr_typo: unknown key"),
    "wrong-type": (("size: 16", "size: many"), ":8: data.size: Input should be a valid integer"),
    "missing-file": (("instructions.en.jsonl", "nope.jsonl"), ":5: data.sources.0.path: file not found: "),
    "bad-language": (("language: en}", "language: english}"), ":5: data.sources.0.language: unknown language code 'english'"),
    "bad-weights": (("{en: 0.5, zh: 0.5}", "{en: 0.7, zh: 0.5}"), ":7: data.mix: weights sum to 1.2, not 1"),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_validate_and_run_refuse_with_location(case, write_recipe, tmp_path):
    (old, new), expected = BROKEN[case]
    recipe = write_recipe(TINY_RECIPE.replace(old, new), f"{case}.yaml")
    code, out = harness("validate", recipe)
    assert code == 2
    assert f"error: {recipe}{expected}" in out
    store = tmp_path / "results.duckdb"
    code, out = harness("run", recipe, "--store", store)
    assert code == 2 and expected in out
    assert not store.exists()


def test_validate_accepts_shipped_recipes_tasks_and_judges():
    from tests.conftest import ROOT

    code, out = harness("validate", ROOT / "recipes", ROOT / "tasks", ROOT / "judges")
    assert code == 0, out
    assert out.startswith("ok: 7 variant(s), 3 judge(s)")
    code, out = harness("ls", "judges")
    assert code == 0
    assert [line.split()[:2] for line in out.splitlines()] == [
        ["language-id", "language-id"], ["pairwise", "pairwise"], ["rubric-6facet", "rubric"]]


def test_broken_judge_is_refused_by_validate_and_by_a_recipe_that_lists_it(tmp_path, write_recipe, monkeypatch):
    import shutil

    from tests.conftest import ROOT

    judges = tmp_path / "judges"
    shutil.copytree(ROOT / "judges", judges)
    yaml = judges / "rubric-6facet" / "judge.yaml"
    yaml.write_text(yaml.read_text().replace("  temperature: 0\n", "  temperature: -1\n"))
    code, out = harness("validate", judges)
    assert code == 2 and f"{yaml}:12: backend.temperature: Input should be greater than or equal to 0" in out
    monkeypatch.setenv("BABELBENCH_JUDGES", str(judges))
    recipe = write_recipe(TINY_RECIPE + "    judges: [rubric-6facet]\n")
    store = tmp_path / "results.duckdb"
    code, out = harness("run", recipe, "--store", store)
    assert code == 2 and "backend.temperature" in out
    assert not store.exists()


def test_broken_task_file_is_reported_with_line(tmp_path):
    folder = tmp_path / "tasks"
    folder.mkdir()
    (folder / "good.yaml").write_text("task: good\ndataset_path: json\n")
    (folder / "bad.yaml").write_text("task: bad\ndoc_to_text: [unclosed\nmetric_list: []\n")
    code, out = harness("validate", folder)
    assert code == 2
    assert f"{folder / 'bad.yaml'}:3: invalid YAML" in out or f"{folder / 'bad.yaml'}:4: invalid YAML" in out


def test_report_on_missing_store_is_a_clear_error(tmp_path):
    code, out = harness("report", "--store", tmp_path / "none.duckdb")
    assert code == 1 and "no store at" in out
    assert not (tmp_path / "none.duckdb").exists()


def test_a_judge_without_its_api_key_is_refused_before_any_work(write_recipe, tmp_path, monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    recipe = write_recipe(TINY_RECIPE + "    judges: [rubric-6facet]\n")
    store = tmp_path / "results.duckdb"
    code, out = harness("run", recipe, "--store", store)
    assert code == 2 and "judges.0: judge 'rubric-6facet' uses gpt-4o-mini on api.openai.com" in out
    assert "$OPENAI_API_KEY is not set" in out and not store.exists()
    # validate checks files, not the environment
    assert harness("validate", recipe)[0] == 0
