"""Checkpoint selection on builtin:tiny: checkpoints kept every 2 steps, each evaluated on
validation tasks in two languages, one chosen, the variant reported at that checkpoint.

The answers are scripted per checkpoint (an eval backend registered here picks the script by
the checkpoint folder it is given), so the winner is known: step 2 answers correctly, step 4 not.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from babelbench.evaluate.backends import EvalBackend, register_eval_backend
from tests.conftest import TINY_RECIPE
from tests.integration._harness import harness, query
from tests.support import scripted_model
from tests.support.scripted_model import write_script

SCRIPTS: dict[str, str] = {}   # checkpoint folder name ("step-2") -> script file


@register_eval_backend("scripted-per-checkpoint")
class PerCheckpoint(EvalBackend):
    lm_eval_model = "scripted"

    def model_args(self, base_path: str, adapter_path: str | None, variant: Any = None) -> dict[str, Any]:
        step = re.search(r"step-\d+", adapter_path or "")
        return {"script": SCRIPTS[step.group(0) if step else "final"]}


GOLD = {"en": ["Paris", "8", "42"], "zh": ["巴黎", "8", "42"]}

RECIPE = TINY_RECIPE.replace("      max_steps: 2\n", "      max_steps: 4\n      checkpoints: 2\n").replace(
    "      save_steps: 1\n", "      save_steps: 2\n").replace("""    eval:
      tasks: [xalpaca_zh, babel_qa_en]""", """    select:
      tasks: [babel_qa_en, babel_qa_zh]
      metric: contains
      aggregate: mean
      limit: 3
    eval:
      backend: scripted-per-checkpoint
      tasks: [babel_qa_en, babel_qa_zh]""").replace("      limit: 2\n", "      limit: 3\n")


def _scripts(folder: Path) -> None:
    right = {(f"babel_qa_{lang}", i): answer for lang, answers in GOLD.items() for i, answer in enumerate(answers)}
    wrong = {key: "no idea" for key in right}
    SCRIPTS["step-2"] = str(write_script(folder / "step2.json", right))
    SCRIPTS["step-4"] = str(write_script(folder / "step4.json", wrong))
    assert scripted_model.ScriptedBackend  # the lm-eval model `scripted` is registered by the import


@pytest.fixture(scope="module")
def run(tiny_model, tmp_path_factory):
    folder = tmp_path_factory.mktemp("select")
    _scripts(folder)
    recipe = folder / "recipe.yaml"
    import textwrap

    from tests.conftest import SAMPLES

    recipe.write_text(textwrap.dedent(RECIPE).lstrip().replace("{samples}", str(SAMPLES)))
    store = folder / "results.duckdb"
    code, out = harness("run", recipe, "--store", store)
    assert code == 0, out
    return recipe, store, out


def test_the_curve_is_stored_per_checkpoint_and_language(run):
    _, store, _ = run
    assert query(store, "SELECT step, language, value, n FROM checkpoint_scores ORDER BY step, language") == [
        (2, "en", 1.0, 3), (2, "zh", 1.0, 3), (4, "en", 0.0, 3), (4, "zh", 0.0, 3)]
    [(selected, metric, rule, totals)] = query(store, "SELECT selected_step, metric, aggregate, totals "
                                                      "FROM checkpoint_selections")
    assert (selected, metric, rule, json.loads(totals)) == (2, "contains", "mean", {"2": 1.0, "4": 0.0})


def test_the_variant_reports_the_chosen_checkpoint(run):
    _, store, _ = run
    code, out = harness("report", "--store", store, "--format", "json")
    rows = {(r["task"], r["metric"]): r["value"] for r in json.loads(out)}
    assert rows[("babel_qa_en", "contains")] == 1.0 and rows[("babel_qa_zh", "exact_match")] == 1.0
    # the reported evaluation is keyed on the chosen checkpoint; here its tasks are the validation
    # tasks, so it is the validation run of step 2 itself: evaluated once, not twice
    links = dict(query(store, "SELECT kind, key FROM variant_stages"))
    assert {"data", "train", "eval", "eval@2", "eval@4", "select"} == set(links)
    assert links["eval"] == links["eval@2"] != links["eval@4"]
    assert query(store, "SELECT count(*) FROM stage_runs WHERE kind = 'eval'") == [(2,)]
    [(info,)] = query(store, "SELECT info FROM stage_runs WHERE kind = 'select'")
    assert json.loads(info)["selected_step"] == 2


def test_a_rerun_does_no_work(run):
    recipe, store, _ = run
    before = query(store, "SELECT count(*) FROM stage_runs")
    code, out = harness("run", recipe, "--store", store)
    assert code == 0 and "ran" not in out.splitlines()[-1], out
    assert query(store, "SELECT count(*) FROM stage_runs") == before


def test_selection_needs_kept_checkpoints(write_recipe):
    bad = write_recipe(TINY_RECIPE.replace("    eval:", "    select: {tasks: [babel_qa_en], metric: contains}\n    eval:"))
    code, out = harness("validate", bad)
    assert code == 2 and "set train.checkpoints" in out


def test_selection_by_a_judge_facet_then_a_separate_final_evaluation(tiny_model, tmp_path, write_recipe):
    en = "The capital of France is Paris, a large and beautiful city."
    zh = "法国的首都是巴黎，这是一座美丽的大城市。"
    # step 2 answers everything in Chinese, step 4 in the language asked: the language judge prefers 4
    SCRIPTS["step-2"] = str(write_script(tmp_path / "s2.json", {(t, i): zh for t in ("babel_qa_en", "babel_qa_zh",
                                                                                      "xalpaca_en") for i in range(3)}))
    SCRIPTS["step-4"] = str(write_script(tmp_path / "s4.json", {
        **{("babel_qa_en", i): en for i in range(3)}, **{("babel_qa_zh", i): zh for i in range(3)},
        **{("xalpaca_en", i): en for i in range(3)}}))
    recipe = write_recipe(RECIPE.replace("      metric: contains\n      aggregate: mean",
                                         "      metric: 'judge:language-id/match'\n"
                                         "      judges: [language-id]\n      aggregate: worst")
                          .replace("      tasks: [babel_qa_en, babel_qa_zh]\n      limit: 3\n      gen_kwargs",
                                   "      tasks: [xalpaca_en]\n      limit: 3\n      gen_kwargs"))
    store = tmp_path / "results.duckdb"
    code, out = harness("run", recipe, "--store", store)
    assert code == 0, out
    scores = query(store, "SELECT step, language, value FROM checkpoint_scores ORDER BY step, language")
    assert scores == [(2, "en", 0.0), (2, "zh", 1.0), (4, "en", 1.0), (4, "zh", 1.0)]
    assert query(store, "SELECT selected_step, aggregate FROM checkpoint_selections") == [(4, "worst")]
    # the reported evaluation (other tasks than the validation's) ran on checkpoint 4's answers
    assert query(store, "SELECT DISTINCT kept_response FROM samples s JOIN variant_stages v ON v.key = s.eval_key "
                        "WHERE v.kind = 'eval' AND s.task = 'xalpaca_en'") == [(en,)]
    # validation judgments belong to no variant's report: the variant lists no judge
    assert query(store, "SELECT count(*) FROM variant_judges") == [(0,)]
