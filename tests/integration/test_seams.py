"""The seams: a judge protocol registered from outside the package, a task scored as it declares
(lm-eval's own filter names), and two processes racing for the same stage keys."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

from babelbench.core.records import JudgedRow, JudgmentRecord, Observation
from babelbench.judge.protocol import Ask, JudgeProtocol, PlanContext, register_protocol
from tests.conftest import ROOT, SAMPLES, TINY_RECIPE
from tests.integration._harness import harness, query


@register_protocol("answer-length")
class AnswerLength(JudgeProtocol):
    """A toy protocol, defined only here: the answer's length relative to the instruction's."""

    uses_backend = False
    uses_prompts = False

    def plan_answer(self, judge, sample: dict[str, Any], ctx: PlanContext) -> list[Ask]:
        from babelbench.core.hashing import digest
        from babelbench.judge.answers import instruction_of

        answer, instruction = sample["kept_response"], instruction_of(sample)
        return [Ask(digest({"judge": judge.identity(), "a": answer, "i": instruction}),
                    payload=(len(answer), max(1, len(instruction))))]

    def grade_local(self, judge, payload, key: str) -> JudgmentRecord:
        answer_chars, instruction_chars = payload
        return self.record(judge, key, status="ok", scores={"length_ratio": answer_chars / instruction_chars})

    def observations(self, judge_config: dict[str, Any], rows: list[JudgedRow]) -> Iterable[Observation]:
        for r in rows:
            if r.status == "ok":
                yield Observation(r.task, r.language, r.doc_id, "length_ratio", r.scores["length_ratio"])


def test_a_protocol_registered_outside_the_package_is_validated_run_stored_reported_and_shown(
        tiny_model, tmp_path, write_recipe):
    judges = tmp_path / "my-judges"
    (judges / "length").mkdir(parents=True)
    (judges / "length" / "judge.yaml").write_text("name: length\nkind: answer-length\ntasks: ['xalpaca_*']\n")
    (judges / "bad").mkdir()
    (judges / "bad" / "judge.yaml").write_text("name: bad\nkind: answer-length\nbackend: {model: m}\n")
    recipe = write_recipe(TINY_RECIPE.replace("    eval:", "    judges: [length]\n    eval:")
                          .replace("method: lora", "method: none"))
    store = tmp_path / "results.duckdb"

    # validated: its own check_config refuses what it cannot use, at the file and line
    bad = write_recipe(TINY_RECIPE.replace("    eval:", "    judges: [bad]\n    eval:"), "bad.yaml")
    code, out = harness("validate", bad, "--judges-dir", judges)
    assert code == 2 and "bad/judge.yaml:3: backend: a answer-length judge takes no backend" in out
    assert not store.exists()

    code, out = harness("run", recipe, "--store", store, "--judges-dir", judges)
    assert code == 0, out
    answers = query(store, """SELECT s.kept_response, s.doc->>'$.instruction' FROM samples s
                              WHERE s.task = 'xalpaca_zh' ORDER BY s.doc_id""")
    expected = [len(a) / max(1, len(i)) for a, i in answers]
    stored = query(store, "SELECT scores->>'$.length_ratio' FROM judgments WHERE kind = 'answer-length'")
    assert sorted(float(v) for (v,) in stored) == pytest.approx(sorted(expected))

    # reported
    code, out = harness("report", "--store", store, "--format", "json")
    import json

    rows = [r for r in json.loads(out) if r["metric"] == "judge:length/length_ratio" and r["task"] == "all"]
    assert len(rows) == 1 and rows[0]["value"] == pytest.approx(sum(expected) / len(expected))
    assert rows[0]["n"] == len(expected) == 2

    # shown on the board's leaderboard, through the package's query module only
    from babelbench.store import Store
    from babelbench.store.board import leaderboard

    with Store(store).read() as con:
        [variant] = leaderboard(con)
    from babelbench.core.metric_name import JudgeMetric

    assert variant["scores"][JudgeMetric("length", "length_ratio")]["value"] == pytest.approx(rows[0]["value"])
    # and a re-run sends nothing again
    code, out = harness("run", recipe, "--store", store, "--judges-dir", judges)
    assert code == 0 and "judge ran" not in out


GSM8K_LIKE = """
task: arith_en
custom_dataset: !function utils.load
output_type: generate_until
test_split: test
doc_to_text: "Question: {{question}}\\nAnswer:"
doc_to_target: "{{answer}}"
generation_kwargs: {until: ["<end_of_turn>", "<eos>"], do_sample: false, max_gen_toks: 8}
metric_list:
  - {metric: exact_match, aggregation: mean, higher_is_better: true, ignore_case: true}
filter_list:
  - name: strict-match
    filter:
      - {function: regex, regex_pattern: "#### (\\\\-?[0-9\\\\.\\\\,]+)"}
      - {function: take_first}
  - name: flexible-extract
    filter:
      - {function: regex, group_select: -1, regex_pattern: "(-?[$0-9.,]{2,})|(-?[0-9]+)"}
      - {function: take_first}
metadata:
  version: 1.0
"""

ARITH_UTILS = '''
import datasets


def load(**_):
    rows = [{"question": "1 + 1", "answer": "2", "language": "en"},
            {"question": "2 + 3", "answer": "5", "language": "en"}]
    return {"test": datasets.Dataset.from_list(rows)}
'''


def test_a_task_with_lm_evals_own_filter_names_is_reported_on_its_first_filter(tiny_model, tmp_path, write_recipe):
    """Like lm-eval's gsm8k: filters strict-match and flexible-extract, no babelbench metadata."""
    tasks = tmp_path / "my-tasks" / "arith"
    tasks.mkdir(parents=True)
    (tasks / "arith_en.yaml").write_text(GSM8K_LIKE)
    (tasks / "utils.py").write_text(ARITH_UTILS)
    recipe = write_recipe("""
        name: arith
        base_model: builtin:tiny
        train: {method: none}
        eval:
          tasks: [arith_en, babel_qa_en]
          include_path: [my-tasks]
          limit: 2
          gen_kwargs: {max_gen_toks: 8}
    """)
    store = tmp_path / "results.duckdb"
    code, out = harness("run", recipe, "--store", store)
    assert code == 0, out
    assert query(store, "SELECT filter, scored, is_primary FROM metrics WHERE task = 'arith_en' ORDER BY filter") == [
        ("flexible-extract", False, False), ("strict-match", True, True)]
    code, out = harness("report", "--store", store, "--format", "csv")
    lines = [line for line in out.splitlines() if ",arith_en," in line]
    assert len(lines) == 1 and ",exact_match,strict-match," in lines[0]
    # our own tasks still count what they declare
    assert query(store, "SELECT metric FROM metrics WHERE task = 'babel_qa_en' AND is_primary") == [("contains",)]


def test_a_task_name_defined_in_two_folders_is_an_error_naming_both_files(tmp_path, write_recipe):
    mine = tmp_path / "mine" / "qa"
    mine.mkdir(parents=True)
    (mine / "copy.yaml").write_text((ROOT / "tasks" / "babel_qa" / "babel_qa_en.yaml").read_text())
    recipe = write_recipe(TINY_RECIPE)
    code, out = harness("validate", recipe, "--tasks-dir", tmp_path / "mine")
    assert code == 2
    assert "'babel_qa_en' is defined twice" in out and str(mine / "copy.yaml") in out
    assert str(ROOT / "tasks" / "babel_qa" / "babel_qa_en.yaml") in out


def _harness_process(recipe: Path, store: Path, home: Path) -> subprocess.Popen:
    env = {**os.environ, "BABELBENCH_HOME": str(home)}
    harness_bin = Path(sys.executable).parent / "harness"
    return subprocess.Popen([str(harness_bin), "run", str(recipe), "--store", str(store)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)


@pytest.mark.slow
def test_two_processes_on_the_same_recipe_one_builds_the_other_adopts(tiny_model, tmp_path, write_recipe):
    home = tmp_path / "home"
    home.mkdir()
    (home / "models").symlink_to(Path(os.environ["BABELBENCH_HOME"]) / "models")  # the tiny model, built once
    recipe = write_recipe(TINY_RECIPE)
    store = tmp_path / "results.duckdb"
    first, second = _harness_process(recipe, store, home), _harness_process(recipe, store, home)
    outputs = [p.communicate(timeout=600)[0] for p in (first, second)]
    assert [p.returncode for p in (first, second)] == [0, 0], outputs
    # each artifact stage was built once; the other process adopted it (it waited on the key's lock) or,
    # when it registered after the build had finished, skipped it as done -- never built it a second time
    runs = query(store, "SELECT kind, status, count(*) FROM stage_runs WHERE kind IN ('data', 'train') "
                        "GROUP BY ALL ORDER BY ALL")
    built = [(kind, n) for kind, status, n in runs if status == "done"]
    assert built == [("data", 1), ("train", 1)], runs
    assert {status for _, status, _ in runs} <= {"done", "adopted"}, runs
    joint = " ".join(outputs)
    for kind in ("data", "train"):   # the second process says which it did
        assert f"{kind} adopted: 1" in joint or f"{kind} skipped: 1" in joint, outputs
    # no duplicate rows, and one finished folder per key
    assert query(store, "SELECT count(*), count(DISTINCT (eval_key, task, doc_id)) FROM samples") == [(4, 4)]
    assert query(store, "SELECT count(*) FROM variants") == [(1,)]
    trained = [p for p in (home / "artifacts" / "train").iterdir() if not p.name.startswith(".")]
    assert len(trained) == 1 and (trained[0] / "adapter" / "adapter_model.safetensors").is_file()


def test_shipped_samples_stay_where_the_recipes_expect_them():
    # recipes/*.yaml read ../data/samples: the wheel ships both (pyproject force-include)
    assert (ROOT / "recipes" / "smoke.yaml").is_file() and SAMPLES.is_dir()
    text = (ROOT / "pyproject.toml").read_text()
    for folder in ("tasks", "judges", "recipes", "leaderboard", "data/samples"):
        assert f'"{folder}" = "babelbench/_shipped/{folder}"' in text


def test_no_import_cycle_in_the_package():
    from tests.support.import_graph import cycles

    assert cycles(ROOT / "src", "babelbench") == []


def test_the_import_graph_finds_a_cycle_hidden_in_a_function(tmp_path):
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from . import b\n")
    (pkg / "b.py").write_text("def f():\n    from .a import x\n")
    (pkg / "c.py").write_text("from .a import y\n")
    from tests.support.import_graph import cycles

    assert cycles(tmp_path, "pkg") == [["pkg.a", "pkg.b"]]
