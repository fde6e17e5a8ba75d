from babelbench.core.records import MetricRecord
from babelbench.evaluate.bridge import _metric_rows, _sample_rows
from babelbench.evaluate.scoring import Scoring, task_scoring


def test_metric_keys_are_split_into_columns_and_the_declared_rows_marked():
    results = {
        "results": {"babel_qa_en": {"alias": "babel_qa_en", "exact_match,none": 0.25, "exact_match_stderr,none": 0.1,
                                    "contains,plug": 0.5, "contains_stderr,plug": "N/A"}},
        "versions": {"babel_qa_en": 1.0}, "n-samples": {"babel_qa_en": {"original": 10, "effective": 4}},
    }
    scoring = {"babel_qa_en": Scoring(filter="none", primary_metric="exact_match", family="babel_qa")}
    rows = sorted(_metric_rows(results, {"babel_qa_en": "en"}, scoring), key=lambda r: r.metric)
    assert rows == [
        MetricRecord(task="babel_qa_en", task_version="1.0", language="en", metric="contains", filter="plug",
                     value=0.5, stderr=None, n=4, is_group=False, scored=False, is_primary=False, family="babel_qa"),
        MetricRecord(task="babel_qa_en", task_version="1.0", language="en", metric="exact_match", filter="none",
                     value=0.25, stderr=0.1, n=4, is_group=False, scored=True, is_primary=True, family="babel_qa"),
    ]


def test_a_task_declares_its_scoring_and_undeclared_tasks_count_their_first_filter_and_metric():
    ours = {"metadata": {"primary_metric": "f1", "scored_filter": "none", "family": "xquad_gen"},
            "filter_list": [{"name": "none"}, {"name": "plug"}],
            "metric_list": [{"metric": "exact_match"}, {"metric": "f1"}]}
    assert task_scoring("xquad_gen_zh", ours, plug=False) == Scoring("none", "f1", "xquad_gen")
    assert task_scoring("xquad_gen_zh", ours, plug=True).filter == "plug"
    gsm8k = {"metadata": {"version": 3.0}, "filter_list": [{"name": "strict-match"}, {"name": "flexible-extract"}],
             "metric_list": [{"metric": "exact_match"}]}
    assert task_scoring("gsm8k", gsm8k, plug=True) == Scoring("strict-match", "exact_match", "gsm8k")
    assert task_scoring("anything", {}, plug=False) == Scoring("none", None, "anything")


def _entry(filt, raw, kept):
    return {"doc_id": 0, "doc": {"language": "zh", "question": "q"}, "target": "t", "filter": filt,
            "arguments": {"gen_args_0": {"arg_0": "PROMPT", "arg_1": {}}}, "resps": [[raw]],
            "filtered_resps": [kept], "metrics": ["contains"], "contains": 1.0, "doc_hash": "d",
            "prompt_hash": "p", "target_hash": "h"}


def test_plug_variant_keeps_the_plug_filtered_answer():
    raw = "English response:\nhi\n\n中文回复：\n你好"
    samples = {"x": [_entry("none", raw, raw), _entry("plug", raw, "你好")]}
    [row] = _sample_rows(samples, {"x": Scoring("plug", "contains", "x")}, plug=True)
    assert (row.raw_response, row.kept_response, row.kept_filter, row.pivot_status) == (raw, "你好", "plug", "ok")
    assert row.prompt == "PROMPT" and row.sample_metrics == {"contains": 1.0}
    [plain] = _sample_rows(samples, {"x": Scoring("none", "contains", "x")}, plug=False)
    assert plain.kept_response == raw and plain.pivot_status is None
