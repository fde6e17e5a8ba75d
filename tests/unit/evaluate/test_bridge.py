from babelbench.evaluate.bridge import _metric_rows, _sample_rows


def test_metric_keys_are_split_into_columns():
    results = {
        "results": {"babel_qa_en": {"alias": "babel_qa_en", "exact_match,none": 0.25, "exact_match_stderr,none": 0.1,
                                    "contains,plug": 0.5, "contains_stderr,plug": "N/A"}},
        "versions": {"babel_qa_en": 1.0}, "n-samples": {"babel_qa_en": {"original": 10, "effective": 4}},
    }
    rows = sorted(_metric_rows(results, {"babel_qa_en": "en"}), key=lambda r: r["metric"])
    assert rows == [
        {"task": "babel_qa_en", "task_version": "1.0", "language": "en", "metric": "contains", "filter": "plug",
         "value": 0.5, "stderr": None, "n": 4, "is_group": False},
        {"task": "babel_qa_en", "task_version": "1.0", "language": "en", "metric": "exact_match", "filter": "none",
         "value": 0.25, "stderr": 0.1, "n": 4, "is_group": False},
    ]


def _entry(filt, raw, kept):
    return {"doc_id": 0, "doc": {"language": "zh", "question": "q"}, "target": "t", "filter": filt,
            "arguments": {"gen_args_0": {"arg_0": "PROMPT", "arg_1": {}}}, "resps": [[raw]],
            "filtered_resps": [kept], "metrics": ["contains"], "contains": 1.0, "doc_hash": "d",
            "prompt_hash": "p", "target_hash": "h"}


def test_plug_variant_keeps_the_plug_filtered_answer():
    raw = "English response:\nhi\n\n中文回复：\n你好"
    samples = {"x": [_entry("none", raw, raw), _entry("plug", raw, "你好")]}
    [row] = _sample_rows(samples, "plug", plug=True)
    assert (row["raw_response"], row["kept_response"], row["kept_filter"], row["pivot_status"]) == (raw, "你好", "plug", "ok")
    assert row["prompt"] == "PROMPT" and row["sample_metrics"] == {"contains": 1.0}
    [plain] = _sample_rows(samples, "none", plug=False)
    assert plain["kept_response"] == raw and plain["pivot_status"] is None
