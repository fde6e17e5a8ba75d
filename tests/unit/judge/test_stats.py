"""Pair aggregation, bootstrap intervals, language identification on known text."""

from __future__ import annotations

import pytest

from babelbench.analysis.bootstrap import mean_ci
from babelbench.langid import detect
from babelbench.judge.protocols.pairwise import combine


@pytest.mark.parametrize("first, second, pair", [
    ("win", "win", "win"), ("win", "tie", "win"), ("tie", "win", "win"), ("loss", "loss", "loss"),
    ("loss", "tie", "loss"), ("win", "loss", "tie"), ("loss", "win", "tie"), ("tie", "tie", "tie"),
])
def test_both_orders_combine_as_the_design_says(first, second, pair):
    assert combine(first, second) == pair


def test_bootstrap_interval_is_seeded_and_brackets_the_mean():
    values = [1, 2, 3, 3, 2, 3, 1, 3, 3, 2]
    mean, low, high = mean_ci(values)
    assert mean == pytest.approx(2.3)
    assert low < mean < high and 1 <= low and high <= 3
    assert mean_ci(values) == (mean, low, high)
    assert mean_ci([]) == (None, None, None)
    assert mean_ci([2, 2, 2]) == (2.0, 2.0, 2.0)


@pytest.mark.parametrize("text, expected, language, matches", [
    ("The sky is blue because sunlight is scattered by the air.", "en", "en", True),
    ("天空是蓝色的，因为阳光被空气散射。", "zh", "zh", True),
    ("El cielo es azul porque el aire dispersa la luz del sol.", "en", "es", False),
    ("하늘이 파란 이유는 공기가 햇빛을 산란시키기 때문입니다.", "ko", "ko", True),
    ("Il cielo è azzurro perché l'aria diffonde la luce del sole.", "it", "it", True),
])
def test_language_identification(text, expected, language, matches):
    found = detect(text, expected)
    assert (found.language, found.matches) == (language, matches)


def test_code_switching_share_counts_words_in_other_languages():
    found = detect("天空是蓝色的。The sky is blue because the air scatters sunlight.", "zh")
    # 6 CJK characters (6 words) + 9 English words: 9/15 of the answer is not Chinese
    assert found.code_switch == pytest.approx(9 / 15, abs=1e-4)
    assert detect("12345 !!!", "en").language is None and detect("", "en").matches is False
