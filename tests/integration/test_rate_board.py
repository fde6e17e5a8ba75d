"""The Rate page in Streamlit's AppTest: the study's 0-2 scale with the floor rule, a facet left out,
pairwise verdicts stored with the order shown, and a rater coming back to what they have not rated."""

from __future__ import annotations

import pytest

from tests.integration._harness import board_page, query
from tests.support.rated_store import BASE_EVAL, FACETS, build_rated_store


@pytest.fixture
def store(tmp_path):
    return build_rated_store(tmp_path)


def _rate_page(store, rater: str):
    at = board_page(store, "views/rate.py")
    at.text_input(key="rater").input(rater).run()
    assert not at.exception, at.exception
    return at


def _facet_radios(at):
    return {r.label.split("**")[1]: r for r in at.radio if r.label.startswith("**")}


def test_study_scale_grades_are_stored_0_to_2_with_the_floor_rule(store):
    at = _rate_page(store, "ann")
    at.radio(key="scale").set_value("the study's 0–2 scale").run()
    radios = _facet_radios(at)
    assert set(radios) == set(FACETS) and list(radios["fluency"].options)[0].startswith("0 · hard to read")
    for facet, radio in radios.items():
        radio.set_value(0 if facet == "fluency" else 2)
    at.button[0].click().run()
    assert not at.exception and at.success[0].value == "Saved (6 grades)."
    stored = dict(query(store, "SELECT facet, score FROM human_ratings WHERE scale_min = 0 AND scale_max = 2"))
    assert stored == {"language": 2, "fluency": 0, "helpfulness": 0, "accuracy": 0, "logical_coherence": 0,
                      "harmlessness": 2}


def test_a_facet_left_out_stores_nothing(store):
    at = _rate_page(store, "ann")
    for facet, radio in _facet_radios(at).items():
        if facet != "accuracy":
            radio.set_value(2)
    at.button[0].click().run()
    assert "accuracy has no grade" in at.error[0].value
    assert query(store, "SELECT count(*) FROM human_ratings") == [(0,)]


def test_pairwise_verdicts_keep_the_order_shown_and_a_returning_rater_resumes(store):
    at = _rate_page(store, "bob")
    at.radio(key="mode").set_value("pairwise A/B").run()
    for _ in range(3):
        at.radio[-1].set_value("A")
        at.button[0].click().run()
        assert not at.exception, at.exception
    rows = query(store, "SELECT doc_id, baseline_eval, shown_order, verdict FROM human_ratings ORDER BY doc_id")
    assert len(rows) == 3 and {r[1] for r in rows} == {BASE_EVAL} and {r[3] for r in rows} == {"A"}
    assert {r[2] for r in rows} <= {"ab", "ba"}
    again = _rate_page(store, "bob")
    again.radio(key="mode").set_value("pairwise A/B").run()
    assert any("**3** rated by `bob` · **5** left here" in m.value for m in again.markdown)
    # the pairs shown next are the ones not rated yet
    assert not any(f"document {d} " in c.value for c in again.caption for d, *_ in rows)
