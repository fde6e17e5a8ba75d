from babelbench.core.records import MetricRecord
from babelbench.evaluate.bridge import _metric_rows, _sample_rows, records_from_results
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
    assert task_scoring("xquad_gen_zh", ours, plug=False) == Scoring("none", "f1", "xquad_gen", language="zh")
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


def test_rows_of_an_lm_eval_suite_task_get_the_task_s_language_and_family():
    """xnli_zh's documents carry no language: rows take its config's dataset_name, through langcodes."""
    def entry(doc_id, acc):
        return {"doc_id": doc_id, "doc": {"premise": "p", "hypothesis": "h", "label": 0}, "target": 0,
                "filter": "none", "arguments": {"gen_args_0": {"arg_0": "P", "arg_1": " h"}},
                "resps": [[[-1.0, False]]], "filtered_resps": [[-1.0, False]], "metrics": ["acc"], "acc": acc}

    configs = {"belebele_zho_Hans": {"dataset_name": "zho_Hans", "metric_list": [{"metric": "acc"}]},
               "belebele_eng_Latn": {"dataset_name": "eng_Latn", "metric_list": [{"metric": "acc"}]}}
    results = {"configs": configs, "results": {"belebele_zho_Hans": {"acc,none": 0.5, "acc_stderr,none": 0.5},
                                               "belebele_eng_Latn": {"acc,none": 1.0, "acc_stderr,none": 0.0}},
               "n-samples": {"belebele_zho_Hans": {"effective": 2}, "belebele_eng_Latn": {"effective": 2}}}
    samples = {"belebele_zho_Hans": [entry(0, 1.0), entry(1, 0.0)], "belebele_eng_Latn": [entry(0, 1.0), entry(1, 1.0)]}
    metrics, rows, _ = records_from_results(results, samples, plug=True)
    assert sorted({(r.task, r.language) for r in rows}) == [("belebele_eng_Latn", "en"), ("belebele_zho_Hans", "zh")]
    assert all(r.pivot_status is None for r in rows)        # a log-likelihood answer has no PLUG sections
    assert {r.raw_response for r in rows} == {" h"}           # the choice scored highest (the only one here)
    [acc] = [m for m in metrics if m.task == "belebele_zho_Hans" and m.metric == "acc"]
    assert (acc.language, acc.family, acc.is_primary) == ("zh", "belebele", True)
    [gap] = [m for m in metrics if m.metric == "transfer_gap:acc"]
    assert (gap.task, gap.language, gap.family, gap.value) == ("belebele_zho_Hans", "zh", "belebele", -0.5)
    assert {m.language for m in metrics if m.metric == "primary_score"} == {"en", "zh"}


def test_a_multiple_choice_answer_is_the_choice_scored_highest():
    from babelbench.evaluate.bridge import _answers

    args = {f"gen_args_{i}": {"arg_0": "P", "arg_1": c} for i, c in enumerate([" yes", " also", " no"])}
    entry = {"resps": [[(-3.0, False)], [(-1.5, False)], [(-2.0, True)]], "filtered_resps": [], "arguments": args}
    assert _answers(entry) == (" also", " also", False)
    # as lm-eval's saved JSON writes them: numbers as text, arguments as lists
    saved = {"resps": [[["-1.0", "False"]], [["-4.0", "False"]]], "filtered_resps": [],
             "arguments": [["P", " yes"], ["P", " no"]]}
    assert _answers(saved) == (" yes", " yes", False)
    assert _answers({"resps": [["text"]], "filtered_resps": ["kept"]}) == ("text", "kept", True)
