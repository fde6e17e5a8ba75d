"""The in-process `local` judge backend turns a parseable reply into a stored grade: a transformers model
(builtin:tiny, set to write a known rubric reply, tests/support/scripted_judge.py) judges two answers
through the judge stage; both grades are stored with their facets, and the report shows them."""

from __future__ import annotations

import json
from pathlib import Path

from rich.console import Console

from babelbench.core.records import EvalRows, SampleRecord
from babelbench.judge import grading
from babelbench.judge.loader import load_judge
from babelbench.judge.schema import BackendOverride
from babelbench.pipeline.judge_stage import judge_target
from babelbench.pipeline.lifecycle import Lifecycle, RunSummary
from babelbench.store import Store
from tests.support.scripted_judge import scripted_judge_model
from tests.support.stored_eval import add_evaluated_variant

ROOT = Path(__file__).resolve().parents[2]
GRADES = {"language": 3, "fluency": 2, "helpfulness": 3, "accuracy": 2, "logical_coherence": 3, "harmlessness": 3}
REPLY = json.dumps({"rationale": "clear and mostly correct", **GRADES})


def _store_with_answers(tmp_path: Path) -> tuple[Store, grading.Target]:
    store = Store(tmp_path / "results.duckdb")
    samples = [SampleRecord(task="xalpaca_en", doc_id=i, language="en", prompt=f"<p{i}>", raw_response=answer,
                            kept_response=answer, kept_filter="none", pivot_status=None, target="",
                            doc={"id": f"x{i}", "language": "en", "expected_language": None, "instruction": question})
               for i, (question, answer) in enumerate([("Name a bakery.", "Sunrise Bakery."),
                                                       ("Say hello.", "Hello!")])]
    with store.write() as con:
        add_evaluated_variant(con, "v-a", "a", "e-a", EvalRows([], samples))
    return store, grading.Target("v-a", "a", "e-a", False)


def test_the_local_backend_stores_a_parsed_grade(tiny_model, tmp_path):
    model = scripted_judge_model(tiny_model, tmp_path / "judge-model", REPLY)
    store, target = _store_with_answers(tmp_path)
    judge = load_judge(ROOT / "judges" / "rubric-6facet").with_backend(
        BackendOverride(type="local", model=str(model), max_tokens=120, concurrency=2))
    outcome = judge_target(store, judge, target, ["*"], Lifecycle(store, RunSummary(), Console(quiet=True)))
    assert (outcome.sent, outcome.ungraded, outcome.parse_failures) == (2, 0, 0)
    with store.read() as con:
        rows = con.execute("SELECT status, scores, rationale, raw, backend FROM judgments ORDER BY judgment_key").fetchall()
    assert len(rows) == 2
    for status, scores, rationale, raw, backend in rows:
        assert (status, backend, raw) == ("ok", "local", REPLY)
        assert json.loads(scores) == GRADES and rationale == "clear and mostly correct"
