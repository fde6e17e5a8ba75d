import pytest

from babelbench.analysis.selection import aggregate, choose

SCORES = {2: {"en": 0.9, "zh": 0.1}, 4: {"en": 0.6, "zh": 0.5}, 6: {"en": 0.6, "zh": 0.5}}


def test_mean_worst_and_weighted_choose_different_checkpoints():
    best, totals = choose(SCORES, "mean")
    assert best == 4 and totals == {2: pytest.approx(0.5), 4: pytest.approx(0.55), 6: pytest.approx(0.55)}  # 4 ties 6
    assert choose(SCORES, "worst")[0] == 4                         # 0.1 < 0.5: step 2's Chinese sinks it
    assert choose(SCORES, {"en": 3, "zh": 1})[0] == 2              # (0.9*3 + 0.1) / 4 = 0.7 > (1.8 + 0.5) / 4
    assert choose(SCORES, "mean", higher_is_better=False)[0] == 2  # 0.5 is the lowest


def test_ties_go_to_the_earliest_step_and_weights_renormalise():
    assert choose({6: {"en": 1.0}, 4: {"en": 1.0}}, "mean")[0] == 4
    assert aggregate({"en": 1.0, "zh": 0.0}, {"en": 1, "zh": 1, "ko": 8}) == 0.5   # ko was not scored
    with pytest.raises(ValueError):
        aggregate({"en": 1.0}, {"zh": 1.0})
