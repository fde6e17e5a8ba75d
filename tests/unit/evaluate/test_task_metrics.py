"""The task layer's own scoring functions, on fixed responses with hand-computed values."""

import importlib.util
from pathlib import Path

TASKS = Path(__file__).resolve().parents[3] / "tasks"


def _utils(folder):
    spec = importlib.util.spec_from_file_location(f"{folder}_utils", TASKS / folder / "utils.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_babel_qa_exact_match_and_contains():
    qa = _utils("babel_qa")
    doc = {"answer": "Paris"}
    assert qa.process_results(doc, ["Paris."]) == {"exact_match": 1.0, "contains": 1.0}
    assert qa.process_results(doc, ["The capital is Paris!"]) == {"exact_match": 0.0, "contains": 1.0}
    assert qa.process_results(doc, ["London"]) == {"exact_match": 0.0, "contains": 0.0}
    assert qa.process_results({"answer": "巴黎"}, ["巴黎。"]) == {"exact_match": 1.0, "contains": 1.0}
    assert qa.process_results({"answer": "42"}, ["４２"]) == {"exact_match": 1.0, "contains": 1.0}  # NFKC
    assert qa.normalize("  The  Pacific Ocean. ") == "pacific ocean"


def test_xalpaca_describes_without_grading():
    xa = _utils("xalpaca")
    assert xa.process_results({}, ["  你好  "]) == {"answered": 1.0, "answer_chars": 2.0}
    assert xa.process_results({}, ["\n\n"]) == {"answered": 0.0, "answer_chars": 0.0}
    docs = xa.load_shipped("ko")["test"]
    assert len(docs) >= 12 and set(docs["language"]) == {"ko"}
