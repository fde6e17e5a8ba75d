"""publish/eee.py: Every Eval Ever records. The metric config and score details built from one
report row, and a record built from a real store whose rows were given distinctive values: each
result carries exactly the stored value, interval, stderr and n."""

from __future__ import annotations

import pytest

from babelbench.core.metric_name import JudgeMetric
from babelbench.publish.eee import SCHEMA_VERSION, _metric_config, _score_details, eee_records
from babelbench.store import Store
from babelbench.store.queries import report_rows
from tests.unit.publish._store import build_store

RUBRIC = {"model": "gemma", "identity": "j123", "templates": {"system": "s", "user": "u"}, "temperature": 0.0,
          "facets": [{"name": "fluency", "min": 1, "max": 3}]}


def _row(metric, value=0.5, **kw):
    return {"metric": metric, "value": value, "filter": "none", "language": "en", "task": "t",
            "judge_metric": JudgeMetric.parse(metric), **kw}


@pytest.mark.parametrize(("metric", "value", "lower", "low", "high"), [
    ("f1", 0.5, False, 0.0, 1.0),
    ("chrf", 42.0, False, 0.0, 100.0),                  # chrF and spBLEU are on a 0-100 scale
    ("spbleu", 12.0, False, 0.0, 100.0),
    ("answer_chars", 37.0, True, 0.0, 37.0),            # no fixed scale: the value itself bounds it
    ("answer_chars", 0.0, True, 0.0, 1.0),
    ("judge:rubric-6facet/parse_failure_rate", 0.1, True, 0.0, 1.0),
    ("judge:pairwise/order_flip", 0.2, True, 0.0, 1.0),
    ("judge:language-id/code_switch", 0.2, True, 0.0, 1.0),
    ("judge:language-id/no_target", 0.2, True, 0.0, 1.0),
])
def test_metric_config_direction_and_scale(metric, value, lower, low, high):
    config = _metric_config(_row(metric, value), {})
    assert (config["lower_is_better"], config["min_score"], config["max_score"]) == (lower, low, high)
    assert config["score_type"] == "continuous" and "llm_scoring" not in config


def test_a_rubric_facet_takes_the_judges_scale_and_names_the_judge_model():
    config = _metric_config(_row("judge:rubric-6facet/fluency", 2.5), {"rubric-6facet": RUBRIC})
    assert (config["min_score"], config["max_score"], config["lower_is_better"]) == (1.0, 3.0, False)
    [judge] = config["llm_scoring"]["judges"]
    assert judge == {"model_info": {"name": "gemma", "id": "gemma"}, "temperature": 0.0}
    assert config["llm_scoring"]["additional_details"] == {"judge_identity": "j123"}
    assert "rubric-6facet" in config["llm_scoring"]["input_prompt"]


def test_a_pairwise_row_names_its_baseline_and_language_id_has_no_llm():
    pairwise = {**RUBRIC, "facets": []}
    config = _metric_config(_row("judge:pairwise/win", 0.5, baseline="demo@en"), {"pairwise": pairwise})
    assert config["llm_scoring"]["additional_details"] == {"judge_identity": "j123", "baseline": "demo@en"}
    lingua = _metric_config(_row("judge:language-id/match", 1.0), {"language-id": {**RUBRIC, "model": "lingua"}})
    assert "llm_scoring" not in lingua


def test_score_details_carry_value_stderr_interval_and_n():
    row = _row("f1", 0.625, stderr=0.125, ci_low=0.25, ci_high=0.875, n=7, language="zh")
    assert _score_details(row) == {
        "score": 0.625, "details": {"filter": "none", "language": "zh"},
        "uncertainty": {"standard_error": {"value": 0.125, "method": "analytic"},
                        "confidence_interval": {"lower": 0.25, "upper": 0.875, "confidence_level": 0.95,
                                                "method": "bootstrap"},
                        "num_samples": 7}}
    bare = _score_details(_row("f1", 0.1, stderr=None, ci_low=None, n=None, language=None))
    assert bare == {"score": 0.1, "details": {"filter": "none", "language": ""}}   # no empty uncertainty


@pytest.fixture(scope="module")
def store(tiny_model, tmp_path_factory):
    path = build_store(tmp_path_factory.mktemp("pubeee"))
    with Store(path).write() as con:   # distinctive values, so a mix-up between rows shows
        con.execute("""UPDATE metrics SET value = 0.625, stderr = 0.125, ci_low = 0.25, ci_high = 0.875, n = 7
                       WHERE task = 'xquad_gen_zh' AND metric = 'f1' AND filter = 'none'""")
        con.execute("""UPDATE judge_metrics SET value = 0.75, n = 3, ci_low = 0.5, ci_high = 1.0
                       WHERE task = 'all' AND judge = 'language-id' AND facet = 'match'""")
    return path


def test_a_record_has_the_required_fields(store):
    with Store(store).read() as con:
        [(name, record)] = eee_records(con).items()
    assert name == "pubunit"
    assert record["schema_version"] == SCHEMA_VERSION == "0.2.1"
    assert record["evaluation_id"] == f"babelbench/pubunit/{record['retrieved_timestamp']}"
    assert record["retrieved_timestamp"].isdigit() and int(record["retrieved_timestamp"]) > 1_600_000_000
    assert record["source_metadata"] == {"source_name": "babelbench", "source_type": "evaluation_run",
                                         "source_organization_name": "babelbench",
                                         "evaluator_relationship": "first_party"}
    assert record["model_info"]["name"] == "pubunit" and record["model_info"]["id"] == "builtin:tiny"
    assert record["model_info"]["additional_details"]["method"] == "none"
    assert record["eval_library"]["name"] == "lm_eval" and record["eval_library"]["version"][0].isdigit()
    for result in record["evaluation_results"]:
        assert {"evaluation_name", "source_data", "metric_config", "score_details"} <= set(result)
        assert {"dataset_name", "source_type"} <= set(result["source_data"])
        assert {"lower_is_better", "score_type", "min_score", "max_score"} <= set(result["metric_config"])
        assert result["metric_config"]["min_score"] <= result["score_details"]["score"] <= result["metric_config"]["max_score"]
        assert result["evaluation_timestamp"] == record["evaluation_timestamp"]
    names = [r["evaluation_name"] for r in record["evaluation_results"]]
    assert len(names) == len(set(names))


def test_each_result_is_the_stored_row(store):
    with Store(store).read() as con:
        record = eee_records(con)["pubunit"]
        rows = [r for r in report_rows(con) if r["value"] is not None
                and not r["metric"].startswith(("pivot:", "transfer_gap:"))]
    by_name = {r["evaluation_name"]: r for r in record["evaluation_results"]}
    assert sorted(by_name) == sorted(f"{r['task']}/{r['metric']}" for r in rows)
    for r in rows:
        assert by_name[f"{r['task']}/{r['metric']}"]["score_details"]["score"] == pytest.approx(r["value"])
    f1 = by_name["xquad_gen_zh/f1"]["score_details"]
    assert f1["score"] == 0.625 and f1["details"] == {"filter": "none", "language": "zh"}
    assert f1["uncertainty"] == {"standard_error": {"value": 0.125, "method": "analytic"},
                                 "confidence_interval": {"lower": 0.25, "upper": 0.875, "confidence_level": 0.95,
                                                         "method": "bootstrap"},
                                 "num_samples": 7}
    assert by_name["xquad_gen_zh/f1"]["source_data"]["additional_details"]["task_version"] == "2.0"
    match = by_name["all/judge:language-id/match"]
    assert match["score_details"]["score"] == 0.75
    assert match["score_details"]["uncertainty"]["confidence_interval"]["lower"] == 0.5
    assert match["score_details"]["uncertainty"]["confidence_interval"]["upper"] == 1.0
    assert match["score_details"]["uncertainty"]["num_samples"] == 3
    assert "llm_scoring" not in match["metric_config"]   # lingua, no LLM
    assert by_name["xquad_gen_en/judge:language-id/code_switch"]["metric_config"]["lower_is_better"] is True
    assert by_name["xquad_gen_zh/f1"]["generation_config"]["additional_details"] == {"max_gen_toks": "6"}
