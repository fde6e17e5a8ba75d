"""The in-process `local` backend (transformers, batched) on builtin:tiny, and judges in recipes."""

from __future__ import annotations

import json
import textwrap

from tests.integration._harness import harness, query

RECIPE = """
    name: localjudge
    base_model: builtin:tiny
    train: {method: none}
    eval:
      tasks: [xalpaca_en, xalpaca_zh]
      limit: 2
      gen_kwargs: {max_gen_toks: 8}
    judges: [rubric-6facet, language-id]
    judge:
      backend: {type: local, model: "builtin:tiny", max_tokens: 24, concurrency: 4}
"""


def test_local_backend_judges_in_process_and_stores_unparseable_replies_as_failures(tiny_model, tmp_path):
    recipe, store = tmp_path / "recipe.yaml", tmp_path / "r.duckdb"
    recipe.write_text(textwrap.dedent(RECIPE).lstrip())
    code, out = harness("run", recipe, "--store", store)
    assert code == 0, out
    rows = query(store, "SELECT status, scores, raw, backend, model FROM judgments WHERE kind = 'rubric'")
    # a random 2-layer model cannot write the rubric's JSON: every reply is kept, none is a score
    assert len(rows) == 4
    assert all(r[0] == "parse_failure" and r[1] is None and r[2] is not None for r in rows)
    assert {(r[3], r[4]) for r in rows} == {("local", "builtin:tiny")}
    report = json.loads(harness("report", "--store", store, "--format", "json")[1])
    failure = [r for r in report if r["metric"] == "judge:rubric-6facet/parse_failure_rate" and r["task"] == "all"]
    assert [(r["value"], r["n"]) for r in failure] == [(1.0, 4)]
    assert not [r for r in report if r["metric"] == "judge:rubric-6facet/fluency"]
    # changing nothing: nothing is generated again
    code, out = harness("run", recipe, "--store", store, "--only", "judge")
    assert code == 0 and "4 judgment(s): 4 stored, 0 sent, skipped" in out


def test_only_judge_needs_the_eval_stage_first(tiny_model, tmp_path):
    recipe, store = tmp_path / "recipe.yaml", tmp_path / "r.duckdb"
    recipe.write_text(textwrap.dedent(RECIPE).lstrip())
    code, out = harness("run", recipe, "--store", store, "--only", "judge")
    assert code == 1 and "its eval stage has not run" in out
    assert query(store, "SELECT count(*) FROM judgments")[0][0] == 0
