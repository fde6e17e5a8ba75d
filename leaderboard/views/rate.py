"""Rate: a person grades stored answers, blind to the variant -- the rubric judge's facets on its scale or
the seed study's 0-2, or a pair of answers A/B in a random order -- the judge's least certain answers first.

Keyboard: Tab moves through the facets (arrow keys pick a grade), the note field and the button; Enter in
the note saves and shows the next answer. Every rating is stored at once, so a rater can stop and come back.
"""

from __future__ import annotations

import random
from typing import Any

import streamlit as st

from _common import load, store_path
from babelbench.analysis.rating_queue import pairwise_priority, queue, rubric_priority
from babelbench.core.ratings import STUDY_SCALE, VERDICT, HumanRating
from babelbench.services.agreement import facet_scales
from babelbench.store import Store, rating_queries, writes

JUDGE_SCALE, STUDY = "the judge's scale", "the study's 0–2 scale"


def save(ratings: list[HumanRating]) -> None:
    with Store(store_path()).write() as con:
        writes.write_ratings(con, ratings)
    st.session_state["saved"] = len(ratings)


def show_answer(answer: dict[str, Any], reasons: list[str]) -> None:
    st.markdown("**Instruction**")
    st.container(border=True).text(answer["instruction"])
    st.markdown("**Answer**")
    st.container(border=True).text(answer["answer"])
    st.caption(f"{answer['language']} · {answer['task']} · document {answer['doc_id']}"
               + (f" · picked because: {', '.join(reasons)}" if reasons else ""))


def level_text(facet: dict[str, Any], grade: int, shift: int) -> str:
    meaning = {int(k): v for k, v in (facet.get("levels") or {}).items()}.get(grade - shift)
    return f"{grade} · {meaning}" if meaning else str(grade)


def floor(config: dict[str, Any], grades: dict[str, int], low: int) -> dict[str, int]:
    """The judge's floor rules on a person's grades (the study's: fluency at its lowest forces
    helpfulness, accuracy and logical coherence to their lowest)."""
    out = dict(grades)
    for rule in config["floor_rules"]:
        if out.get(rule["when"]) == low:
            out.update({f: low for f in rule["forces"] if f in out})
    return out


def rate_rubric(rater: str, language: str | None, ratings: list[HumanRating]) -> None:
    judges = load(rating_queries.rubric_judges)
    if not judges:
        st.info("No rubric judge has graded an answer in this store yet: list one in a recipe's `judges`.")
        st.stop()
    c1, c2 = st.columns(2)
    judge = c1.selectbox("Rubric (facets and scale of this judge)", list(judges), key="judge")
    scale = c2.radio("Scale", [JUDGE_SCALE, STUDY], horizontal=True, key="scale")
    config, scales = judges[judge], load(facet_scales)[judge]
    low, high = next(iter(scales.values()))
    shift = STUDY_SCALE[0] - low if scale == STUDY else 0
    st.caption(f"The judge grades {low}–{high}. On the study's scale, 0 = the judge's {low}, 1 = {low + 1}, "
               f"2 = {low + 2}; fluency at the lowest grade forces helpfulness, accuracy and logical coherence "
               "to the lowest (the judge's floor rule).")
    todo = queue(load(rating_queries.rubric_answers, judge, language), ratings, rater,
                 lambda a, others: rubric_priority(a, judge, scales, others))
    answer = progress(todo, rater, ratings, pairwise=False)
    show_answer(answer, answer["reasons"])
    key = f"{answer['eval_key']}-{answer['task']}-{answer['doc_id']}"
    with st.form(f"rubric-{key}", enter_to_submit=True, border=True):
        grades = {}
        for facet in config["facets"]:
            lo, hi = facet.get("min", 1) + shift, facet.get("max", 3) + shift
            grades[facet["name"]] = st.radio(f"**{facet['name']}** — {facet['description']}", range(lo, hi + 1),
                                             index=None, horizontal=True, key=f"{key}-{facet['name']}",
                                             format_func=lambda g, f=facet: level_text(f, g, shift))
        note = st.text_input("Note (optional; Enter saves)", key=f"{key}-note")
        if not st.form_submit_button("Save and next", type="primary"):
            return
    missing = [f for f, g in grades.items() if g is None]
    if missing:
        st.error(f"Grade every facet first: {', '.join(missing)} has no grade.")
        return
    grades = floor(config, grades, low + shift)
    save([HumanRating(rater, answer["eval_key"], answer["task"], answer["doc_id"], facet, score=g,
                      scale_min=low + shift, scale_max=high + shift, note=note or None) for facet, g in grades.items()])
    st.rerun()


def rate_pair(rater: str, language: str | None, ratings: list[HumanRating]) -> None:
    todo = queue(load(rating_queries.pairwise_answers, language), ratings, rater, pairwise_priority, baseline=True)
    answer = progress(todo, rater, ratings, pairwise=True)
    key = f"{answer['eval_key']}-{answer['baseline_eval']}-{answer['task']}-{answer['doc_id']}"
    order = st.session_state.setdefault(f"order-{key}", random.SystemRandom().choice(["ab", "ba"]))
    first, second = (answer["answer"], answer["other"]) if order == "ab" else (answer["other"], answer["answer"])
    st.markdown("**Instruction**")
    st.container(border=True).text(answer["instruction"])
    left, right = st.columns(2)
    left.markdown("**Answer A**")
    left.container(border=True).text(first)
    right.markdown("**Answer B**")
    right.container(border=True).text(second)
    st.caption(f"{answer['language']} · {answer['task']} · document {answer['doc_id']}"
               + (f" · picked because: {', '.join(answer['reasons'])}" if answer["reasons"] else ""))
    with st.form(f"pair-{key}", enter_to_submit=True, border=True):
        verdict = st.radio("Which answer is better?", ["A", "tie", "B"], index=None, horizontal=True, key=f"{key}-v",
                           format_func={"A": "A is better", "tie": "Tie", "B": "B is better"}.get)
        note = st.text_input("Note (optional; Enter saves)", key=f"{key}-note")
        if not st.form_submit_button("Save and next", type="primary"):
            return
    if verdict is None:
        st.error("Choose A, tie or B first.")
        return
    save([HumanRating(rater, answer["eval_key"], answer["task"], answer["doc_id"], VERDICT,
                      baseline_eval=answer["baseline_eval"], shown_order=order, verdict=verdict, note=note or None)])
    st.rerun()


def progress(todo: list[dict[str, Any]], rater: str, ratings: list[HumanRating], pairwise: bool) -> dict[str, Any]:
    done = len({(r.eval_key, r.task, r.doc_id, r.baseline_eval) for r in ratings
                if r.rater == rater and r.pairwise == pairwise})
    saved = st.session_state.pop("saved", None)
    if saved:
        st.success(f"Saved ({saved} {'grades' if saved > 1 else 'verdict'}).")
    st.markdown(f"**{done}** rated by `{rater}` · **{len(todo)}** left here")
    if not todo:
        st.info("Nothing left to rate here: every answer has your rating. Pick another language or mode.")
        st.stop()
    return todo[0]


st.title("Rate")
st.caption("Grade answers the judges graded, without knowing which variant wrote them; the Judge reliability "
           "page compares your grades with the judges'. The answers the judge is least sure of come first.")
c1, c2, c3 = st.columns([2, 2, 3])
rater = c1.text_input("Your rater id", key="rater", placeholder="e.g. your initials")
languages = load(rating_queries.rated_languages)
language = c2.selectbox("Language", ["(all)", *languages], key="language")
mode = c3.radio("Rate", ["rubric facets", "pairwise A/B"], horizontal=True, key="mode")
if not rater.strip():
    st.info("Type your rater id to start (ratings are stored under it; come back with it to continue).")
    st.stop()
stored = load(rating_queries.ratings)
(rate_pair if mode == "pairwise A/B" else rate_rubric)(rater.strip(), None if language == "(all)" else language,
                                                       stored)
