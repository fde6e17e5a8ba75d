"""The task layer's own scoring functions, on fixed responses with hand-computed values."""

import importlib.util
import math
from pathlib import Path

import pytest

TASKS = Path(__file__).resolve().parents[3] / "tasks"


def _utils(folder):
    spec = importlib.util.spec_from_file_location(f"{folder}_utils", TASKS / folder / "utils.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_babel_qa_exact_match_and_contains():
    qa = _utils("babel_qa")
    doc = {"answer": "Paris", "language": "en"}
    scores = qa.process_results(doc, ["Paris."])
    assert (scores["exact_match"], scores["contains"]) == (1.0, 1.0)
    scores = qa.process_results(doc, ["The capital is Paris!"])
    assert (scores["exact_match"], scores["contains"]) == (0.0, 1.0)
    assert qa.process_results(doc, ["London"])["contains"] == 0.0
    assert qa.process_results({"answer": "巴黎", "language": "zh"}, ["巴黎。"])["exact_match"] == 1.0
    scores = qa.process_results({"answer": "42", "language": "en"}, ["４２"])  # NFKC
    assert scores["exact_match"] == 1.0 and math.isnan(scores["language_fidelity"])  # no letters: no language


def test_xalpaca_descriptive_metrics_and_fidelity_to_the_asked_language():
    xa = _utils("xalpaca")
    assert xa.process_results({"language": "zh"}, ["  你好，很高兴认识你  "]) == {
        "answered": 1.0, "answer_chars": 9.0, "language_fidelity": 1.0}
    blank = xa.process_results({"language": "zh"}, ["\n\n"])
    assert (blank["answered"], blank["answer_chars"]) == (0.0, 0.0) and math.isnan(blank["language_fidelity"])
    spanish = "Las fresas, las cerezas y las frambuesas son rojas."
    assert xa.process_results({"language": "en", "expected_language": "es"}, [spanish])["language_fidelity"] == 1.0
    assert xa.process_results({"language": "en", "expected_language": None}, [spanish])["language_fidelity"] == 0.0


def test_extractive_qa_f1_em_contains_on_known_strings():
    # exact_match / f1: the official scripts (SQuAD v1.1 for xquad_gen, MLQA v1 for mlqa_gen);
    # *_lenient and contains: babelbench's multilingual normalisation
    for family in ("xquad_gen", "mlqa_gen"):
        qa = _utils(family)
        doc = {"answers": ["Atlantic Ocean", "the Atlantic"], "language": "en"}
        # tokens (both scripts and lenient): [atlantic, ocean, to, east] vs [atlantic, ocean]: P = 2/4, R = 1, F1 = 2/3
        scores = qa.process_results(doc, ["The Atlantic Ocean, to the east."])
        assert scores["f1"] == pytest.approx(2 / 3) and scores["exact_match"] == 0.0 and scores["contains"] == 1.0
        assert scores["f1_lenient"] == pytest.approx(2 / 3) and scores["exact_match_lenient"] == 0.0
        again = qa.process_results(doc, ["the Atlantic."])   # second gold, article dropped
        assert again["exact_match"] == 1.0 and again["exact_match_lenient"] == 1.0
        assert qa.process_results({"answers": ["Warsaw"], "language": "en"}, ["Paris"])["f1"] == 0.0
        # lenient Chinese: every character a token. [它 注 入 大 西 洋] vs [大 西 洋]: P = 1/2, R = 1, F1 = 2/3
        zh = qa.process_results({"answers": ["大西洋"], "language": "zh"}, ["它注入大西洋"])
        assert zh["f1_lenient"] == pytest.approx(2 / 3) and zh["contains"] == 1.0 and zh["exact_match"] == 0.0
        es = qa.process_results({"answers": ["océano Atlántico"], "language": "es"}, ["El océano Atlántico"])
        assert es["exact_match_lenient"] == 1.0 and es["f1_lenient"] == 1.0   # lenient: Spanish articles dropped
    xquad, mlqa = _utils("xquad_gen"), _utils("mlqa_gen")
    # Chinese: SQuAD splits on whitespace only, one token each side, no overlap: F1 0;
    # MLQA's mixed segmentation: [它 注 入 大 西 洋] vs [大 西 洋]: F1 2/3
    assert xquad.process_results({"answers": ["大西洋"], "language": "zh"}, ["它注入大西洋"])["f1"] == 0.0
    assert mlqa.process_results({"answers": ["大西洋"], "language": "zh"}, ["它注入大西洋"])["f1"] == pytest.approx(2 / 3)
    # Spanish: SQuAD keeps "el": [el, océano, atlántico] vs [océano, atlántico]: P = 2/3, R = 1, F1 = 0.8; MLQA drops it
    es_doc = {"answers": ["océano Atlántico"], "language": "es"}
    es = xquad.process_results(es_doc, ["El océano Atlántico"])
    assert (es["exact_match"], es["f1"]) == (0.0, pytest.approx(0.8))
    es = mlqa.process_results(es_doc, ["El océano Atlántico"])
    assert (es["exact_match"], es["f1"]) == (1.0, 1.0)


def test_translation_chrf_known_pairs_and_lm_eval_aggregation_agree():
    from lm_eval.api.metrics import chrf as lm_eval_chrf

    from babelbench.evaluate.metrics import chrf

    fl = _utils("flores_gen")
    doc = {"target": "The library has more than two million books.", "language": "en"}
    out = fl.process_results(doc, ["The library has more than two million books."])
    assert out["chrf"] == (doc["target"], doc["target"]) and out["language_fidelity"] == 1.0
    assert chrf([out["chrf"]])[0] == pytest.approx(100.0)                    # identical: 100
    assert chrf([("abc", "xyz")])[0] == pytest.approx(0.0)                   # nothing shared: 0
    pairs = [("the cat sat on the mat", "the cat sat on a mat"), ("a dog barks", "the dog barks loudly")]
    assert chrf(pairs)[0] == pytest.approx(lm_eval_chrf(pairs))              # one implementation of chrF
    score, half = chrf(pairs * 5, n_bootstrap=200)
    assert half is not None and 0 < half < score


def test_spbleu_without_its_sentencepiece_model_fails_with_a_clear_message(tmp_path, monkeypatch):
    import sacrebleu.tokenizers.tokenizer_spm as tokenizer_spm
    import sacrebleu.utils

    from babelbench.evaluate import metrics

    def offline(url, path):
        raise OSError("network is unreachable")

    monkeypatch.setattr(sacrebleu.utils, "SACREBLEU_DIR", str(tmp_path))
    monkeypatch.setattr(tokenizer_spm, "SACREBLEU_DIR", str(tmp_path))
    monkeypatch.setattr(tokenizer_spm, "download_file", offline)
    with pytest.raises(RuntimeError, match="spBLEU needs sacrebleu's flores200 SentencePiece model at"):
        metrics.spbleu([("a b c", "a b c")])
