"""core/metric_name.py: a judge metric's parts, the text users see, and that text read back."""

from __future__ import annotations

from babelbench.core.metric_name import JudgeMetric


def test_the_label_is_the_name_and_the_baseline_compared_with():
    assert JudgeMetric("rubric-6facet", "fluency").label == "judge:rubric-6facet/fluency"
    ranked = JudgeMetric("pairwise", "lc_win_rate", "demo@en-only")
    assert ranked.label == str(ranked) == "judge:pairwise/lc_win_rate vs demo@en-only"
    assert ranked.name == "judge:pairwise/lc_win_rate"


def test_parse_reads_a_name_back_and_leaves_other_metrics_alone():
    assert JudgeMetric.parse("judge:language-id/match") == JudgeMetric("language-id", "match")
    assert JudgeMetric.parse("judge:a/b/c") == JudgeMetric("a", "b/c")     # the facet is all after the first /
    assert JudgeMetric.parse("f1") is None and JudgeMetric.parse("pivot:ok") is None
    metric = JudgeMetric("rubric-6facet", "harmlessness")
    assert JudgeMetric.parse(metric.label) == metric
