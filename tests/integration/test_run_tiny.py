"""End to end on builtin:tiny: recipe -> data -> LoRA -> lm-eval -> results.duckdb."""

from __future__ import annotations

import json
import math
import shutil
import subprocess
import sys
import textwrap
import time

import duckdb
import pytest

from tests.conftest import ROOT, SAMPLES, TINY_RECIPE
from tests.integration._harness import harness, query

RECIPE = TINY_RECIPE + """
    variants:
      mixed: {}
      plug: {pivot.mode: plug}
"""


@pytest.fixture(scope="module")
def first_run(tiny_model, tmp_path_factory):
    """One real run shared by the module's tests (each test only reads, or checks its own delta)."""
    folder = tmp_path_factory.mktemp("run")
    recipe = folder / "recipe.yaml"
    recipe.write_text(textwrap.dedent(RECIPE).lstrip().replace("{samples}", str(SAMPLES)))
    store = folder / "results.duckdb"
    started = time.perf_counter()
    code, out = harness("run", recipe, "--store", store)
    wall = time.perf_counter() - started
    assert code == 0, out
    return recipe, store, wall


def test_metrics_and_samples_land_in_the_store(first_run):
    _, store, _ = first_run
    assert query(store, "SELECT name, method, pivot_mode FROM variants ORDER BY name") == [
        ("tiny@mixed", "lora", "none"), ("tiny@plug", "lora", "plug")]
    # 2 variants x 2 tasks x limit 2 documents, one row each
    assert query(store, "SELECT count(*) FROM samples")[0][0] == 8
    assert query(store, "SELECT DISTINCT task, language FROM samples ORDER BY task") == [
        ("babel_qa_en", "en"), ("xalpaca_zh", "zh")]
    # metrics are split into columns: no "metric,filter" strings
    rows = query(store, "SELECT DISTINCT task, metric, filter FROM metrics ORDER BY ALL")
    assert ("babel_qa_en", "exact_match", "none") in rows and ("xalpaca_zh", "answered", "plug") in rows
    assert not any("," in metric for _, metric, _ in rows)
    # every stored metric agrees with the mean of its stored per-sample values
    for eval_key, task, metric, value, n in query(store, """
            SELECT m.eval_key, m.task, m.metric, m.value, m.n FROM metrics m
            JOIN samples s USING (eval_key, task) WHERE m.filter = s.kept_filter
            AND NOT m.is_group AND m.metric NOT LIKE 'pivot:%'
            GROUP BY ALL"""):
        per_sample = [json.loads(r[0])[metric] for r in query(
            store, "SELECT sample_metrics FROM samples WHERE eval_key = ? AND task = ?", [eval_key, task])]
        assert n == len(per_sample) == 2
        numbers = [v for v in per_sample if not math.isnan(v)]  # language_fidelity: NaN = no letters, skipped
        assert value == (pytest.approx(sum(numbers) / len(numbers)) if numbers else None)
    # xalpaca's "answered" is exactly the share of non-blank kept answers
    for key, value in query(store, "SELECT eval_key, value FROM metrics WHERE task = 'xalpaca_zh' AND metric = 'answered' AND filter = 'none'"):
        kept = [r[0] for r in query(store, "SELECT raw_response FROM samples WHERE eval_key = ? AND task = 'xalpaca_zh'", [key])]
        assert value == pytest.approx(sum(bool(k.strip()) for k in kept) / len(kept))


def test_plug_variant_records_pivot_status_and_kept_filter(first_run):
    _, store, _ = first_run
    rows = query(store, """SELECT s.kept_filter, s.pivot_status FROM samples s
                           JOIN variant_stages vs ON vs.key = s.eval_key AND vs.kind = 'eval'
                           JOIN variants v USING (variant_id) WHERE v.pivot_mode = 'plug'""")
    assert {r[0] for r in rows} == {"plug"}
    assert all(r[1] in ("ok", "label_not_found", "only_pivot") for r in rows)
    # the report counts them per task, as shares of the task's answers
    report = json.loads(harness("report", "--store", store, "--format", "json")[1])
    for task in ("xalpaca_zh", "babel_qa_en"):
        statuses = [r[1] for r in query(store, """SELECT s.task, s.pivot_status FROM samples s
                        JOIN variant_stages vs ON vs.key = s.eval_key AND vs.kind = 'eval'
                        JOIN variants v USING (variant_id) WHERE v.pivot_mode = 'plug'""") if r[0] == task]
        for status in ("label_not_found", "only_pivot"):
            [row] = [r for r in report if r["variant"] == "tiny@plug" and r["task"] == task
                     and r["metric"] == f"pivot:{status}"]
            assert (row["value"], row["n"]) == (statuses.count(status) / len(statuses), len(statuses))
    assert not [r for r in report if r["variant"] == "tiny@mixed" and r["metric"].startswith("pivot:")]


def test_stage_runs_record_versions_and_timings(first_run):
    _, store, wall = first_run
    rows = query(store, """SELECT kind, status, seconds, versions, epoch(finished_at - started_at)
                           FROM stage_runs ORDER BY kind""")
    assert {r[0] for r in rows} == {"data", "train", "eval"}
    # data/train outputs live in BABELBENCH_HOME: a stage finished for another store is adopted, not redone
    assert all(r[1] == "done" or (r[1] == "adopted" and r[0] != "eval") for r in rows)
    # a stage that ran took some time, within the run's own wall time (stages run one after another);
    # its seconds are measured inside the span its start and finish records bracket
    done = [r for r in rows if r[1] == "done"]
    assert [r for r in done if not 0 < r[2] < wall] == []
    assert 0 < sum(r[2] for r in done) < wall
    assert [r for r in done if not r[2] <= r[4] + 0.01 or not r[4] < wall] == []
    # an adopted stage did no work
    assert [r[2] for r in rows if r[1] == "adopted"] == [0.0] * sum(r[1] == "adopted" for r in rows)
    assert all("transformers" in json.loads(r[3]) for r in rows)
    for (info,) in query(store, "SELECT info FROM stage_runs WHERE kind = 'train' AND status = 'done'"):
        assert json.loads(info)["global_step"] == 2 and json.loads(info)["kind"] == "adapter"


def test_unchanged_rerun_does_no_stage_work(first_run):
    recipe, store, _ = first_run
    before = query(store, "SELECT count(*) FROM stage_runs")[0][0]
    samples_before = query(store, "SELECT count(*) FROM samples")[0][0]
    code, out = harness("run", recipe, "--store", store)
    assert code == 0, out
    assert "data skipped: 2, eval skipped: 2, train skipped: 2" in out
    assert query(store, "SELECT count(*) FROM stage_runs")[0][0] == before
    assert query(store, "SELECT count(*) FROM samples")[0][0] == samples_before


def test_an_unchanged_rerun_does_not_open_the_store(first_run, monkeypatch):
    """The store's receipt answers an unchanged re-run: no connection (nor DuckDB's import, in a process of its own)."""
    recipe, store, _ = first_run
    harness("run", recipe, "--store", store)   # renews the receipt, should an earlier test have written the store

    def refuse(*args, **kwargs):
        raise AssertionError("an unchanged re-run connected to the store")

    monkeypatch.setattr("babelbench.store.db._connect", refuse)
    code, out = harness("run", recipe, "--store", store)
    assert code == 0, out
    assert "data skipped: 2, eval skipped: 2, train skipped: 2" in out
    monkeypatch.undo()
    imported = subprocess.run(
        [sys.executable, "-c", "import sys; from babelbench.cli.app import main; sys.argv = ['harness', *sys.argv[1:]]\n"
         "try: main()\nexcept SystemExit as e: print('duckdb' in sys.modules, e.code)",
         "run", str(recipe), "--store", str(store)], capture_output=True, text=True, cwd=ROOT)
    assert imported.stdout.strip().splitlines()[-1] == "False 0", imported.stdout + imported.stderr


def test_a_store_written_by_another_process_is_asked_again(first_run, tmp_path):
    """Once anyone else writes the store, its receipt is not trusted: a done row deleted meanwhile is seen."""
    recipe, store, _ = first_run
    copy = tmp_path / "copy.duckdb"
    shutil.copy(store, copy)
    code, out = harness("run", recipe, "--store", copy)   # registers through a connection, keeps the copy's receipt
    assert code == 0 and "data skipped: 2, eval skipped: 2, train skipped: 2" in out, out
    con = duckdb.connect(str(copy))
    con.execute("""DELETE FROM stage_runs WHERE kind = 'train' AND key = (
                       SELECT key FROM variant_stages s JOIN variants v USING (variant_id)
                       WHERE v.name = 'tiny@plug' AND s.kind = 'train')""")
    con.close()
    code, out = harness("run", recipe, "--store", copy)
    assert code == 0, out
    assert "data skipped: 2, eval skipped: 2, train adopted: 1, train skipped: 1" in out


def test_changing_eval_limit_reevaluates_without_retraining(first_run):
    recipe, store, _ = first_run
    code, out = harness("run", recipe, "--store", store, "--set", "eval.limit=3")
    assert code == 0, out
    assert "data skipped: 2, eval ran: 2, train skipped: 2" in out
    assert query(store, "SELECT count(*) FROM stage_runs WHERE kind = 'train'")[0][0] == 2
    new = query(store, """SELECT count(*) FROM samples s JOIN variant_stages vs ON vs.key = s.eval_key
                          JOIN variants v USING (variant_id) WHERE v.config->>'$.eval.limit' = '3'""")[0][0]
    assert new == 2 * 2 * 3


def test_report_formats(first_run):
    _, store, _ = first_run
    code, out = harness("report", "--store", store, "--format", "json")
    assert code == 0
    rows = json.loads(out)
    assert {r["variant"] for r in rows} == {"tiny@mixed", "tiny@plug"}
    assert {r["filter"] for r in rows if r["variant"] == "tiny@plug"} == {"plug"}
    assert {r["filter"] for r in rows if r["variant"] == "tiny@mixed"} == {"none"}
    code, out = harness("report", "--store", store, "--format", "csv")
    assert out.splitlines()[0] == "variant,base_model,method,pivot_mode,task,language,metric,filter,value,stderr,n,ci_low,ci_high,baseline"
    assert len(out.splitlines()) == len(rows) + 1


def test_method_none_evaluates_the_base_model(write_recipe, tiny_model, tmp_path):
    recipe = write_recipe("""
    name: base
    base_model: builtin:tiny
    train: {method: none}
    eval: {tasks: [babel_qa_zh], limit: 2, gen_kwargs: {max_gen_toks: 4}}
    """)
    store = tmp_path / "r.duckdb"
    code, out = harness("run", recipe, "--store", store)
    assert code == 0, out
    assert query(store, "SELECT kind, status FROM stage_runs") == [("eval", "done")]
    assert query(store, "SELECT count(*) FROM samples")[0][0] == 2


def test_a_failing_variant_keeps_the_others_work(write_recipe, tiny_model, tmp_path, monkeypatch, babelbench_home):
    # A model folder with a config but no tokenizer or weights passes the up-front checks (they read the
    # config) and fails in its data stage, loading the tokenizer; the other variant finishes.
    # A private BABELBENCH_HOME (sharing only the built models) so that no stage of this run can
    # be adopted from another test's artifacts: every stage that runs here is recorded as run here.
    home = tmp_path / "home"
    home.mkdir()
    (home / "models").symlink_to(babelbench_home / "models", target_is_directory=True)
    monkeypatch.setenv("BABELBENCH_HOME", str(home))
    broken = tmp_path / "config-only-model"
    broken.mkdir()
    (broken / "config.json").write_text((tiny_model / "config.json").read_text())
    recipe = write_recipe(TINY_RECIPE + f"""
    variants:
      good: {{}}
      bad: {{base_model: {broken}}}
    """)
    store = tmp_path / "r.duckdb"
    code, out = harness("run", recipe, "--store", store)
    assert code == 1
    assert "failed: tiny@bad" in out
    runs = """SELECT v.name, r.kind, r.status FROM stage_runs r JOIN variants v USING (variant_id)
              ORDER BY v.name, r.kind, r.started_at"""
    expected = [("tiny@bad", "data", "failed"),
                ("tiny@good", "data", "done"), ("tiny@good", "eval", "done"), ("tiny@good", "train", "done")]
    assert query(store, runs) == expected
    [(error,)] = query(store, "SELECT r.error FROM stage_runs r JOIN variants v USING (variant_id) WHERE v.name = 'tiny@bad'")
    assert error.split(":")[0] in ("OSError", "ValueError")   # what transformers raises for a folder without a tokenizer
    # the good variant's rows are all there: its data statistics, its trained adapter, its answers and metrics
    keys = dict(query(store, """SELECT s.kind, s.key FROM variant_stages s JOIN variants v USING (variant_id)
                                WHERE v.name = 'tiny@good'"""))
    assert sorted(keys) == ["data", "eval", "train"]
    assert query(store, "SELECT language FROM data_stats WHERE data_key = ? ORDER BY language", [keys["data"]]) == [
        ("en",), ("zh",)]
    [(info,)] = query(store, "SELECT info FROM stage_runs WHERE kind = 'train' AND key = ?", [keys["train"]])
    assert json.loads(info)["global_step"] == 2 and json.loads(info)["kind"] == "adapter"
    assert query(store, "SELECT task, count(*) FROM samples WHERE eval_key = ? GROUP BY task ORDER BY task",
                 [keys["eval"]]) == [("babel_qa_en", 2), ("xalpaca_zh", 2)]
    assert query(store, "SELECT DISTINCT task FROM metrics WHERE eval_key = ? AND NOT is_group ORDER BY task",
                 [keys["eval"]]) == [("babel_qa_en",), ("xalpaca_zh",)]
    # the bad variant stored nothing but its failed attempt
    assert query(store, "SELECT count(*) FROM samples")[0][0] == 4
    assert query(store, """SELECT count(*) FROM metrics WHERE eval_key NOT IN (
                               SELECT key FROM variant_stages s JOIN variants v USING (variant_id)
                               WHERE v.name = 'tiny@good')""")[0][0] == 0
    # the re-run retries only what failed: one more failed attempt for tiny@bad, nothing for tiny@good
    code, out = harness("run", recipe, "--store", store)
    assert code == 1 and "failed: tiny@bad" in out
    assert query(store, runs) == [("tiny@bad", "data", "failed"), *expected]


def test_a_second_store_adopts_the_artifacts_with_their_data_stats(first_run, tmp_path):
    """Another store on the same BABELBENCH_HOME adopts the built data and adapters instead of building
    them again, and stores the data stage's per-language counts from the artifact (not an empty table)."""
    recipe, store, _ = first_run
    other = tmp_path / "other.duckdb"
    code, out = harness("run", recipe, "--store", other)
    assert code == 0, out
    assert out.splitlines()[-1].startswith("2 variant(s); data adopted: 2, eval ran: 2, train adopted: 2;"), out

    stats = "SELECT data_key, language, examples, unique_examples, prompt_tokens, response_tokens FROM data_stats " \
            "ORDER BY ALL"
    assert query(other, stats) == query(store, stats) and len(query(store, stats)) == 4   # 2 data keys x en, zh
