"""The QA and translation metrics called directly, on strings whose scores are worked out by
hand: symbols, each language's articles, empty answers, several golds, partial overlaps, and
the corpus metrics' intervals (mutation check, ``make mutation``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from babelbench.evaluate import metrics
from babelbench.evaluate.metrics import chrf, contains, exact_match, normalize_answer, qa_scores, spbleu, token_f1


def test_normalize_answer_drops_punctuation_symbols_and_the_languages_articles():
    assert normalize_answer("5 € + 3 $ = 8!") == "5 3 8"            # symbols (S*) and punctuation (P*) go
    assert normalize_answer(None) == "" and normalize_answer("") == ""
    assert normalize_answer("The Cat") == "cat"                      # no language given: English articles
    assert normalize_answer("The Cat", "en") == "cat"
    assert normalize_answer("The Cat", "ko") == "the cat"            # a language without an article list: none dropped
    assert normalize_answer("La casa", "es") == "casa"
    assert normalize_answer("La casa", "en") == "la casa"


def test_scores_use_the_answers_language_on_both_sides():
    # Spanish article dropped from the gold only when the language is Spanish
    assert exact_match("casa", ["la casa"], "es") == 1.0 and exact_match("casa", ["la casa"], "en") == 0.0
    assert token_f1("casa", ["la casa"], "es") == 1.0
    assert contains("la casa", ["la casa"], "es") == 1.0
    assert contains("casa", ["la casa"], "es") == 1.0 and contains("casa", ["la casa"]) == 0.0
    # English article kept in a Spanish answer
    assert contains("the cat", ["the cat"], "es") == 1.0
    assert qa_scores("casa", ["la casa"], "es") == {"exact_match": 1.0, "f1": 1.0, "contains": 1.0}


def test_token_f1_edge_cases_by_hand():
    assert token_f1("", [""]) == 1.0 and token_f1("!!!", ["?"]) == 1.0   # both empty after normalising: a match
    assert token_f1("", ["Paris"]) == 0.0 and token_f1("Paris", [""]) == 0.0
    assert token_f1("Paris", ["", "Paris"]) == 1.0                        # an empty gold does not end the search
    assert token_f1("Paris", ["Paris", ""]) == 1.0
    # [a, b] vs [a, c, d]: one common token, P = 1/2, R = 1/3, F1 = 2PR / (P + R) = 0.4
    assert token_f1("a b", ["a c d"], "ko") == pytest.approx(0.4)
    assert token_f1("x", ["y"]) == 0.0 and token_f1("x y", []) == 0.0
    assert contains("", [""]) == 0.0                                      # an empty gold is never "contained"


def test_chrf_has_an_interval_only_when_bootstrapped():
    pairs = [("the cat sat on the mat", "the cat sat on a mat"), ("a dog barks", "the dog barks loudly")] * 3
    assert chrf([("abc def", "abc def")]) == (pytest.approx(100.0), None)
    assert chrf(pairs, n_bootstrap=1)[1] is None
    score, half = chrf(pairs, n_bootstrap=2)
    assert half is not None and score == pytest.approx(chrf(pairs)[0])


def test_spbleu_with_the_stand_in_model(spbleu_model):
    pairs = [("the cat sat on the mat", "the cat sat on the mat"), ("a dog barks", "a dog barks")] * 3
    assert spbleu(pairs) == (pytest.approx(100.0), None)
    assert spbleu([("the cat sat on the mat", "a dog barks loudly")])[0] < 50.0
    assert spbleu(pairs, n_bootstrap=1)[1] is None
    varied = [("the cat sat on the mat", "the cat sat on a mat"), ("a dog barks", "the dog barks loudly"),
              ("I like green tea", "I like tea")] * 3
    score, half = spbleu(varied, n_bootstrap=5)
    assert score == pytest.approx(spbleu(varied)[0]) and 0 < half < score    # resampled: a real half-width
    assert spbleu(varied, n_bootstrap=2)[1] is not None                       # any n_bootstrap above 1 gives one


def _sacrebleu_dir(monkeypatch, folder: Path, download) -> None:
    import sacrebleu.tokenizers.tokenizer_spm as tokenizer_spm
    import sacrebleu.utils

    monkeypatch.setattr(sacrebleu.utils, "SACREBLEU_DIR", str(folder))
    monkeypatch.setattr(tokenizer_spm, "SACREBLEU_DIR", str(folder))
    monkeypatch.setattr(tokenizer_spm, "download_file", download)


def test_spbleu_names_the_missing_model_and_the_download_error(tmp_path, monkeypatch):
    def offline(url, path):
        raise OSError("network is unreachable")

    _sacrebleu_dir(monkeypatch, tmp_path, offline)
    with pytest.raises(RuntimeError) as raised:
        spbleu([("a b c", "a b c")])
    message = str(raised.value)
    assert str(tmp_path / "models" / metrics.SPM_MODEL_NAME) in message
    assert "(OSError: network is unreachable)" in message


def test_spbleu_with_its_model_in_place_lets_other_errors_through(tmp_path, monkeypatch):
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / metrics.SPM_MODEL_NAME).write_bytes(b"not a sentencepiece model")

    def unexpected(url, path):
        raise AssertionError("nothing is downloaded when the model is there")

    _sacrebleu_dir(monkeypatch, tmp_path, unexpected)
    with pytest.raises(Exception) as raised:
        spbleu([("a b c", "a b c")])
    assert not isinstance(raised.value, RuntimeError) or "spBLEU needs" not in str(raised.value)


def test_offline_spbleu_needs_its_model_in_place_before_a_run(tmp_path, monkeypatch):
    import sacrebleu.utils

    monkeypatch.setattr(sacrebleu.utils, "SACREBLEU_DIR", str(tmp_path))
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    assert metrics.offline_problem(["flores_gen_en_zh"]) is None            # online: sacrebleu downloads it
    for value in ("1", " ON ", "yes", "true"):
        monkeypatch.setenv("HF_HUB_OFFLINE", value)
        problem = metrics.offline_problem(["xalpaca_zh", "flores_gen_en_zh"])
        model = tmp_path / "models" / metrics.SPM_MODEL_NAME
        assert problem is not None and problem.startswith(f"flores_gen's spBLEU needs sacrebleu's flores200 "
                                                          f"SentencePiece model at {model},")
    assert metrics.offline_problem(["xalpaca_zh", "xflores_gen"]) is None   # no flores_gen task: no spBLEU
    assert metrics.offline_problem([]) is None
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / metrics.SPM_MODEL_NAME).write_bytes(b"x")
    assert metrics.offline_problem(["flores_gen_en_zh"]) is None            # in place
    monkeypatch.setenv("HF_HUB_OFFLINE", "0")
    assert metrics.spbleu_model_problem() is None
