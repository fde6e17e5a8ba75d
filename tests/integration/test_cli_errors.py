"""The command line's error paths and overrides, in process, each checked on its exit code, its
message and what the store holds afterwards: bad option values, `--force`, the judge override
flags, and `--only` for a stage whose input stage has not run."""

from __future__ import annotations

import json
import uuid

import pytest

from babelbench import paths
from babelbench.pipeline.keys import plan_variant
from babelbench.recipe import load_recipe
from tests.conftest import SAMPLES
from tests.integration._harness import harness, query
from tests.support.hub_loopback import LoopbackHub
from tests.support.openai_loopback import FixedLatencyJudge

EVAL_ONLY = """
    name: ev
    base_model: builtin:tiny
    train: {method: none}
    eval: {tasks: [babel_qa_en], limit: 2, gen_kwargs: {max_gen_toks: 4}}
"""


def _flat(out: str) -> str:
    """The CLI's output with rich's error box and line wrapping taken out."""
    return " ".join(out.translate({ord(c): " " for c in "│╭╮╰╯─"}).split())


def _tables(store):
    return {t: query(store, f"SELECT count(*) FROM {t}")[0][0]
            for t in ("stage_runs", "metrics", "samples", "data_stats", "variant_judges", "judgments")}


# -- bad option values: exit 2 (usage), the message says what is allowed, nothing is written ------------

def test_a_bad_only_value_is_refused_before_anything_runs(write_recipe, tmp_path):
    recipe, store = write_recipe(EVAL_ONLY), tmp_path / "r.duckdb"
    code, out = harness("run", recipe, "--store", store, "--only", "training")
    assert code == 2
    assert "Invalid value for --only: must be one of data, train, eval, judge" in _flat(out)
    assert not store.exists()


def test_a_bad_report_format_is_refused(tmp_path):
    store = tmp_path / "r.duckdb"
    code, out = harness("report", "--store", store, "--format", "xml")
    assert code == 2
    assert "Invalid value for --format: must be one of table, json, csv, latex, markdown" in _flat(out)
    assert not store.exists()


def test_a_bad_export_format_is_refused_and_names_the_registered_ones(tmp_path):
    store, folder = tmp_path / "r.duckdb", tmp_path / "out"
    code, out = harness("export", folder, "--store", store, "--format", "parquet")
    assert code == 2
    assert "Invalid value for --format: must be one of eee, hf-dataset, lm-eval" in _flat(out)
    assert not folder.exists() and not store.exists()


@pytest.mark.parametrize("repo", ["results", "org/sub/results"])
def test_a_bad_publish_repo_is_refused_and_nothing_is_sent(repo, tmp_path):
    store = tmp_path / "r.duckdb"
    with LoopbackHub() as hub:
        code, out = harness("publish", "--repo", repo, "--store", store, "--endpoint", hub.endpoint)
    assert code == 2
    assert "Invalid value for --repo: must be ORG/NAME" in _flat(out)
    assert hub.requests == [] and not store.exists()


@pytest.mark.parametrize("repo", ["org/", "/name", "/"])
def test_a_publish_repo_with_an_empty_org_or_name_is_refused(repo, tmp_path):
    from babelbench.store import Store

    store = tmp_path / "r.duckdb"
    with Store(store).write():   # an empty store, so only --repo can be refused
        pass
    code, out = harness("publish", "--repo", repo, "--store", store, "--dry-run")
    assert code == 2 and "Invalid value for --repo: must be ORG/NAME" in _flat(out)


# -- --force ----------------------------------------------------------------------------------------

def test_force_reruns_a_done_stage_adding_a_run_without_duplicating_rows(write_recipe, tiny_model, tmp_path):
    recipe, store = write_recipe(EVAL_ONLY), tmp_path / "r.duckdb"
    code, out = harness("run", recipe, "--store", store)
    assert code == 0, out
    first = _tables(store)
    assert (first["stage_runs"], first["samples"]) == (1, 2)

    code, out = harness("run", recipe, "--store", store)          # done: skipped, no new run
    assert code == 0 and "eval skipped: 1" in out
    assert _tables(store) == first

    code, out = harness("run", recipe, "--store", store, "--force")
    assert code == 0 and "eval ran: 1" in out, out
    after = _tables(store)
    assert after == {**first, "stage_runs": 2}                     # one more run; metrics and samples replaced
    runs = query(store, "SELECT kind, key, status FROM stage_runs ORDER BY started_at")
    assert [(k, s) for k, _, s in runs] == [("eval", "done"), ("eval", "done")] and runs[0][1] == runs[1][1]
    assert query(store, "SELECT count(DISTINCT (task, doc_id)) FROM samples")[0][0] == 2


# -- judge overrides --------------------------------------------------------------------------------

JUDGED = """
    name: jo
    base_model: builtin:tiny
    train: {method: none}
    eval: {tasks: [xalpaca_en], limit: 1, gen_kwargs: {max_gen_toks: 4}}
    judges: [rubric-6facet, pairwise]
    judge:
      baseline: jo@a
      backend: {model: recipe-model, base_url: "http://127.0.0.1:9/v1", max_retries: 0, timeout_s: 5}
    variants:
      a: {}
      b: {eval.gen_kwargs.max_gen_toks: 6}
"""


def _judges(store) -> dict[tuple[str, str], dict]:
    rows = query(store, """SELECT v.name, vj.judge, vj.kind, b.name, vj.config FROM variant_judges vj
                           JOIN variants v USING (variant_id) LEFT JOIN variants b ON b.variant_id = vj.baseline_variant""")
    return {(v, j): {"kind": k, "baseline": b, **json.loads(c)} for v, j, k, b, c in rows}


def test_judge_flags_override_the_recipes_judge_backend_and_baseline(write_recipe, tiny_model, tmp_path):
    recipe, store = write_recipe(JUDGED), tmp_path / "r.duckdb"
    with FixedLatencyJudge(latency=0.0) as server:
        code, out = harness("run", recipe, "--store", store, "--judge-backend", "openai", "--judge-model", "loop-model",
                            "--judge-base-url", server.base_url, "--baseline", "jo@b")
        assert code == 0, out
        sent = server.requests
    judges = _judges(store)
    for variant in ("jo@a", "jo@b"):
        backend = judges[(variant, "rubric-6facet")]["config"]["backend"]
        assert (backend["type"], backend["model"], backend["base_url"]) == ("openai", "loop-model", server.base_url)
        assert backend["max_retries"] == 0       # the recipe's other backend fields stay
    # --baseline jo@b: jo@a is compared against jo@b; jo@b is the baseline and has no pairwise judge
    assert judges[("jo@a", "pairwise")]["baseline"] == "jo@b"
    assert ("jo@b", "pairwise") not in judges
    # 2 rubric grades + 1 document judged in both orders, all by the overriding model
    assert sent == 4
    assert query(store, "SELECT kind, model, count(*) FROM judgments GROUP BY ALL ORDER BY kind") == [
        ("pairwise", "loop-model", 2), ("rubric", "loop-model", 2)]

    # another backend on a later run: the stored config follows, and the new judge identity re-judges
    code, out = harness("run", recipe, "--store", store, "--only", "judge", "--judge-backend", "local",
                        "--judge-model", "builtin:tiny", "--set", "judge.backend.max_tokens=4")
    # the tiny model never ends a reply: each of the 4 judgments is cut off at 4 tokens, which fails the
    # judge pass (to retry on the next run) and is never cached as a grade or a parse failure
    assert code == 1 and out.count("reply cut off at max_tokens=4") >= 3, out
    judges = _judges(store)
    backend = judges[("jo@a", "rubric-6facet")]["config"]["backend"]
    assert (backend["type"], backend["model"], backend["max_tokens"]) == ("local", "builtin:tiny", 4)
    assert judges[("jo@b", "pairwise")]["baseline"] == "jo@a"   # no --baseline: the recipe's own again
    assert query(store, "SELECT count(*) FROM judgments WHERE model = 'builtin:tiny'")[0][0] == 0


def test_an_unknown_judge_backend_is_a_usage_error(write_recipe, tmp_path):
    recipe, store = write_recipe(JUDGED), tmp_path / "r.duckdb"
    code, out = harness("run", recipe, "--store", store, "--judge-backend", "nope")
    assert code == 2
    assert "judge.backend: unknown judge backend 'nope'; known: local, openai" in out
    assert not store.exists()


# -- --only before the input stage exists -----------------------------------------------------------

def test_only_train_and_only_eval_before_their_inputs_fail_and_write_nothing_for_that_stage(write_recipe, tiny_model,
                                                                                           tmp_path):
    # a source no other test uses: its data and train keys are new in this session's BABELBENCH_HOME
    source = tmp_path / "fresh.en.jsonl"
    rows = (SAMPLES / "instructions.en.jsonl").read_text(encoding="utf-8").splitlines()[:4]
    rows.append(json.dumps({"id": "unique", "instruction": f"Say {uuid.uuid4().hex}.", "output": "Done."}))
    source.write_text("\n".join(rows) + "\n", encoding="utf-8")
    recipe = write_recipe(f"""
    name: fresh
    base_model: builtin:tiny
    data: {{sources: [{{path: {source}, language: en}}], mix: {{en: 1.0}}, size: 4}}
    train: {{method: lora, lora: {{r: 2, alpha: 4}}, max_steps: 1, batch_size: 2, max_length: 64}}
    eval: {{tasks: [babel_qa_en], limit: 1, gen_kwargs: {{max_gen_toks: 4}}}}
    """)
    store = tmp_path / "r.duckdb"
    [variant] = load_recipe(recipe)
    plan = plan_variant(variant, paths.tasks_dirs())
    data_dir, train_dir = paths.artifacts_dir("data") / plan.data_key, paths.artifacts_dir("train") / plan.train_key
    assert not data_dir.exists() and not train_dir.exists()

    code, out = harness("run", recipe, "--store", store, "--only", "train")
    assert code == 1
    assert "failed: fresh: its data stage has not run (run without --only, or --only data first)" in out
    assert query(store, "SELECT count(*) FROM stage_runs")[0][0] == 0
    assert not train_dir.exists() and not train_dir.with_name(train_dir.name + ".partial").exists()

    code, out = harness("run", recipe, "--store", store, "--only", "eval")
    assert code == 1
    assert "failed: fresh: its train stage has not run (run without --only, or --only train first)" in out
    assert query(store, "SELECT count(*) FROM stage_runs")[0][0] == 0

    # the data stage alone, then forced again: one more run, its statistics not duplicated
    code, out = harness("run", recipe, "--store", store, "--only", "data")
    assert code == 0, out
    stats = query(store, "SELECT language, examples FROM data_stats")
    assert stats == [("en", 4)]
    code, out = harness("run", recipe, "--store", store, "--only", "data", "--force")
    assert code == 0 and "data ran: 1" in out, out
    assert query(store, "SELECT kind, status FROM stage_runs") == [("data", "done"), ("data", "done")]
    assert query(store, "SELECT language, examples FROM data_stats") == stats

    # data exists now, training still does not: eval still refuses, and nothing of eval is written
    code, out = harness("run", recipe, "--store", store, "--only", "eval")
    assert code == 1 and "its train stage has not run" in out
    assert query(store, "SELECT count(*) FROM stage_runs WHERE kind <> 'data'")[0][0] == 0
    assert _tables(store)["metrics"] == _tables(store)["samples"] == 0
    assert not train_dir.exists()


def test_only_judge_before_eval_fails_naming_the_eval_stage(write_recipe, tmp_path):
    recipe, store = write_recipe(JUDGED), tmp_path / "r.duckdb"
    code, out = harness("run", recipe, "--store", store, "--only", "judge", "--judge-base-url", "http://127.0.0.1:9/v1")
    assert code == 1
    assert "failed: jo@a: its eval stage has not run (run without --only, or --only eval first)" in out
    assert "failed: jo@b: its eval stage has not run" in out
    tables = _tables(store)
    assert (tables["stage_runs"], tables["judgments"], tables["variant_judges"]) == (0, 0, 0)
