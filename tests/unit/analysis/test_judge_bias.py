"""Judge-bias figures on scripted judges, each built to have one bias and not the others: every
figure flags its own judge only, and figures that cannot be computed say so (n 0, not 0)."""

from __future__ import annotations

import random

import pytest

from babelbench.analysis.judge_bias import AnswerGrades, PairVerdicts, bias_figures, grade_gap_figures, model_family

VARIANT_MODEL, BASELINE_MODEL = "builtin:gemma-3-270m", "Qwen/Qwen2.5-0.5B-Instruct"


def _documents(seed: int = 7, count: int = 80, wrong: bool = False, variant_longer: float = 0.5) -> list[dict]:
    """Answers of random lengths; which one is longer (the variant's in a ``variant_longer`` share of
    documents), which one is better and the language are balanced against each other, so a judge
    without a bias shows none; with ``wrong``, every third document has exactly one answer in the wrong
    language (that answer is then the worse one)."""
    rng = random.Random(seed)
    docs = []
    for i in range(count):
        short, long = sorted(rng.sample(range(40, 600), 2))
        longer_side = "variant" if (i // 4) % 4 < variant_longer * 4 else "baseline"
        length, baseline_length = (long, short) if longer_side == "variant" else (short, long)
        doc = {"doc_id": i, "language": ("en", "zh")[(i // 2) % 2], "length": length, "baseline_length": baseline_length,
               "better": ("variant", "baseline")[i % 2], "wrong": None}
        if wrong and i % 3 == 0:
            doc["wrong"] = rng.choice(("variant", "baseline"))
            doc["better"] = "baseline" if doc["wrong"] == "variant" else "variant"
        docs.append(doc)
    return docs


# A scripted judge: (doc, the side shown first, the side shown second) -> "A" | "B" | "tie".
def fair(doc, first, second):
    return "A" if doc["better"] == first else "B"


def first_shown(doc, first, second):
    return "A"


def longer(doc, first, second):
    lengths = {"variant": doc["length"], "baseline": doc["baseline_length"]}
    return "A" if lengths[first] > lengths[second] else "B"


def own_family(doc, first, second):
    """The gemma judge: prefers the gemma model's answer (the variant's) whatever it says."""
    return "A" if first == "variant" else "B"


def wrong_language_lover(doc, first, second):
    if doc["wrong"] is not None:
        return "A" if doc["wrong"] == first else "B"
    return fair(doc, first, second)


def _verdicts(name: str, model: str, judge, docs: list[dict], wrong_known: bool = True) -> list[PairVerdicts]:
    return [PairVerdicts(name, model, "demo@multi", VARIANT_MODEL, "demo@en", BASELINE_MODEL, "xalpaca_" + d["language"],
                         d["language"], d["doc_id"], judge(d, "variant", "baseline"), judge(d, "baseline", "variant"),
                         d["length"], d["baseline_length"],
                         (d["wrong"] == "variant") if wrong_known else None,
                         (d["wrong"] == "baseline") if wrong_known else None)
            for d in docs]


def _figures(*judges) -> dict[tuple[str, str | None, str], object]:
    verdicts = [v for name, model, judge, docs in judges for v in _verdicts(name, model, judge, docs)]
    return {(f.judge, f.language, f.figure): f for f in bias_figures(verdicts)}


@pytest.fixture(scope="module")
def figures():
    docs = _documents()
    return _figures(("fair", "meta-llama/Llama-3.1-8B", fair, docs),
                    ("position", "mistral-7b", first_shown, docs),
                    ("length", "mistral-7b", longer, docs),
                    ("self", "google/gemma-3-27b-it", own_family, docs))


FLAGS = ("first_position", "prefers_longer", "self_preference")


def _flagged(figures, judge: str, language=None) -> set[str]:
    return {name for name in FLAGS if figures[(judge, language, name)].flagged}


def test_a_fair_judge_is_flagged_for_nothing(figures):
    assert _flagged(figures, "fair") == set()
    assert figures[("fair", None, "order_flip")].value == 0.0
    assert figures[("fair", None, "first_position")].value == 0.5
    assert figures[("fair", None, "order_flip")].n == 80


def test_position_bias_is_flagged_only_for_the_judge_that_picks_the_first_answer(figures):
    assert _flagged(figures, "position") == {"first_position"}
    assert figures[("position", None, "order_flip")].value == 1.0       # every pair flips with the order
    assert figures[("position", None, "first_position")].value == 1.0
    assert figures[("position", None, "prefers_longer")].value == 0.5   # one verdict of each pair picks the longer
    for language in ("en", "zh"):
        assert _flagged(figures, "position", language) == {"first_position"}
        assert figures[("position", language, "order_flip")].n == 40


def test_length_bias_is_flagged_only_for_the_judge_that_picks_the_longer_answer(figures):
    assert _flagged(figures, "length") == {"prefers_longer"}
    assert figures[("length", None, "prefers_longer")].value == 1.0
    assert figures[("length", None, "prefers_longer")].n == 160
    assert figures[("length", None, "order_flip")].value == 0.0
    assert figures[("length", None, "first_position")].value == 0.5


def test_self_preference_is_flagged_only_for_the_judge_of_the_variants_family(figures):
    assert model_family(VARIANT_MODEL) == model_family("google/gemma-3-27b-it") == "gemma"
    assert _flagged(figures, "self") == {"self_preference"}
    own = figures[("self", None, "self_preference")]
    # by hand: the gemma judge gives the gemma answer 1 on every pair; the neutral judges (fair, position,
    # length: no side's family) give it their mean score per pair
    docs = _documents()
    fair_score = sum(d["better"] == "variant" for d in docs) / 80
    longer_score = sum(d["length"] > d["baseline_length"] for d in docs) / 80
    assert fair_score == longer_score == 0.5
    assert own.value == pytest.approx(1.0 - (fair_score + 0.5 + longer_score) / 3)
    assert own.n == 80
    for judge in ("fair", "position", "length"):   # no side is of their family: not measured, not 0
        figure = figures[(judge, None, "self_preference")]
        assert figure.value is None and figure.n == 0 and figure.note.startswith("not measured")


def test_no_wrong_language_answers_means_not_measured(figures):
    figure = figures[("fair", "en", "prefers_wrong_language")]
    assert figure.value is None and figure.n == 0 and figure.flagged is None
    assert "not measured" in figure.note


def test_wrong_language_preference_is_flagged_only_for_the_judge_that_has_it():
    docs = _documents(wrong=True)
    figures = _figures(("fair", "meta-llama/Llama-3.1-8B", fair, docs),
                       ("lover", "mistral-7b", wrong_language_lover, docs))
    wrong_pairs = sum(d["wrong"] is not None for d in docs)
    assert figures[("fair", None, "prefers_wrong_language")].value == 0.0
    assert figures[("fair", None, "prefers_wrong_language")].n == 2 * wrong_pairs
    assert not figures[("fair", None, "prefers_wrong_language")].flagged
    assert figures[("fair", None, "prefers_wrong_language")].p_value < 0.05     # evidence it prefers the right one
    assert figures[("lover", None, "prefers_wrong_language")].value == 1.0
    assert figures[("lover", None, "prefers_wrong_language")].flagged
    assert _flagged(figures, "lover") == set() and _flagged(figures, "fair") == set()


def test_a_single_judge_and_one_order_only_are_not_measured():
    docs = _documents(count=10)
    [*verdicts] = _verdicts("only", "google/gemma-3-27b-it", own_family, docs)
    figures = {(f.judge, f.language, f.figure): f for f in bias_figures(verdicts)}
    assert figures[("only", None, "self_preference")].n == 0
    assert "no other judge" in figures[("only", None, "self_preference")].note
    one_order = [PairVerdicts(**{**v.__dict__, "ba": None}) for v in verdicts]
    figures = {(f.judge, f.language, f.figure): f for f in bias_figures(one_order)}
    assert figures[("only", None, "order_flip")].n == 0 and figures[("only", None, "order_flip")].value is None


def test_binomial_p_values_equal_scipy():
    from scipy.stats import binomtest

    docs = _documents()
    figures = _figures(("fair", "meta-llama/Llama-3.1-8B", fair, docs))
    figure = figures[("fair", None, "prefers_longer")]
    k = round(figure.value * figure.n)
    assert figure.p_value == pytest.approx(binomtest(k, figure.n, 0.5).pvalue)


def test_length_controlled_gap_is_positive_for_a_length_judge_and_near_zero_for_a_fair_one():
    """As AlpacaEval's GLM needs, two variants against one baseline on the same prompts: one longer on
    three prompts in four (shorter on the rest), one exactly as long."""
    verbose = _documents(variant_longer=0.75)
    plain = [{**d, "length": d["baseline_length"]} for d in verbose]

    def longer_or_tie(doc, first, second):
        return "tie" if doc["length"] == doc["baseline_length"] else longer(doc, first, second)

    verdicts = []
    for name, judge, model in (("length", longer_or_tie, "mistral-7b"), ("fair", fair, "meta-llama/Llama-3.1-8B")):
        for variant, rows in (("demo@verbose", verbose), ("demo@plain", plain)):
            verdicts += [PairVerdicts(**{**v.__dict__, "variant": variant}) for v in _verdicts(name, model, judge, rows)]
    figures = {(f.judge, f.language, f.figure): f for f in bias_figures(verdicts)}
    length_gap, fair_gap = figures[("length", None, "lc_gap")], figures[("fair", None, "lc_gap")]
    # raw win rates: length judge 0.75 (verbose) and 0.5 (plain); fair judge 0.5 and 0.5
    assert length_gap.n == 160 and fair_gap.n == 160
    # the gap is the project's length-controlled win rate subtracted from the raw one, weighted by pairs
    from babelbench.analysis.rankings import Judged, length_controlled

    mine = [v for v in verdicts if v.judge == "length"]
    lc = length_controlled([Judged(v.variant, (v.task, v.doc_id), v.language, v.variant_score(),
                                   float(v.length - v.baseline_length)) for v in mine])
    raw = {name: sum(v.variant_score() for v in mine if v.variant == name) / 80 for name in ("demo@verbose", "demo@plain")}
    assert raw == {"demo@verbose": 0.75, "demo@plain": 0.5}
    assert length_gap.value == pytest.approx(sum(raw[n] - lc[(n, None)] for n in raw) / 2)
    # with a per-prompt difficulty fitted on two variants the GLM takes little away, but in the right
    # direction for the length judge only
    assert length_gap.value > 0 and abs(fair_gap.value) < length_gap.value / 4


def test_rubric_grades_of_wrong_language_answers_flag_only_the_lenient_judge():
    """Two scripted rubric judges on the same answers (every fourth in the wrong language): one grades
    by quality alone, one also takes two points off a wrong-language answer."""
    from scipy.stats import mannwhitneyu

    quality = [1 + (i * 7) % 3 for i in range(40)]          # 1..3, unrelated to the language
    wrong = [i % 4 == 0 for i in range(40)]
    grades = []
    for name, penalty in (("lenient", 0), ("strict", 2)):
        grades += [AnswerGrades(name, ("en", "zh")[i % 2], "xalpaca", i, "demo@x",
                                {"helpfulness": float(max(0, q - penalty * w))}, w)
                   for i, (q, w) in enumerate(zip(quality, wrong))]
    figures = {(f.judge, f.language, f.figure): f for f in grade_gap_figures(grades)}
    lenient, strict = (figures[(j, None, "wrong_language_gap:helpfulness")] for j in ("lenient", "strict"))
    from statistics import mean
    right_q = [q for q, w in zip(quality, wrong) if not w]
    wrong_q = [q for q, w in zip(quality, wrong) if w]
    assert lenient.value == pytest.approx(mean(wrong_q) - mean(right_q)) and lenient.n == 10
    assert strict.value == pytest.approx(mean([max(0, q - 2) for q in wrong_q]) - mean(right_q))
    assert strict.p_value == pytest.approx(mannwhitneyu([max(0, q - 2) for q in wrong_q], right_q,
                                                        alternative="less").pvalue)
    assert lenient.flagged is (lenient.value >= 0) and strict.flagged is False and strict.p_value < 0.05
    # every fourth answer is even-numbered: none of the Chinese (odd) answers is in the wrong language
    assert figures[("strict", "zh", "wrong_language_gap:helpfulness")].n == 0
