"""The in-process `local` backend (transformers, batched) on builtin:tiny, and judges in recipes."""

from __future__ import annotations

import json
import shutil
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


def _ending_after_one_token(tiny_model, folder):
    """builtin:tiny's weights, told that every token ends a generation: each reply is one token, ended (not cut
    off at max_tokens), so the judge gets a complete reply -- which a random model's is not rubric JSON."""
    shutil.copytree(tiny_model, folder)
    vocab = json.loads((folder / "config.json").read_text())["vocab_size"]
    config = folder / "generation_config.json"
    settings = json.loads(config.read_text()) if config.is_file() else {}
    config.write_text(json.dumps({**settings, "eos_token_id": list(range(vocab))}))
    return folder


def test_local_backend_judges_in_process_and_stores_unparseable_replies_as_failures(tiny_model, tmp_path):
    recipe, store = tmp_path / "recipe.yaml", tmp_path / "r.duckdb"
    judge_model = _ending_after_one_token(tiny_model, tmp_path / "judge-model")
    recipe.write_text(textwrap.dedent(RECIPE).lstrip().replace('model: "builtin:tiny"', f'model: "{judge_model}"'))
    code, out = harness("run", recipe, "--store", store)
    assert code == 0, out
    rows = query(store, "SELECT status, scores, raw, backend, model FROM judgments WHERE kind = 'rubric'")
    # a random 2-layer model cannot write the rubric's JSON: every reply is kept, none is a score
    assert len(rows) == 4
    assert all(r[0] == "parse_failure" and r[1] is None and r[2] is not None for r in rows)
    assert {(r[3], r[4]) for r in rows} == {("local", str(judge_model))}
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


def test_local_replies_cut_off_at_max_tokens_are_not_cached_and_are_asked_again(tiny_model, tmp_path):
    """builtin:tiny never ends a reply within 24 tokens: like an endpoint's finish_reason length, each reply is
    no verdict -- nothing is stored, the stage says why, and the next run asks again."""
    recipe, store = tmp_path / "recipe.yaml", tmp_path / "r.duckdb"
    recipe.write_text(textwrap.dedent(RECIPE).lstrip().replace("judges: [rubric-6facet, language-id]",
                                                               "judges: [rubric-6facet]"))
    code, out = harness("run", recipe, "--store", store)
    assert code == 1 and "4 judgment(s) stayed ungraded: reply cut off at max_tokens=24" in out, out
    assert query(store, "SELECT count(*) FROM judgments")[0][0] == 0
    code, out = harness("run", recipe, "--store", store, "--only", "judge")
    assert code == 1 and "4 sent" in out, out    # asked again, not read back as cached parse failures
    assert query(store, "SELECT count(*) FROM judgments")[0][0] == 0
