"""Judge biases: per judge and language, position bias, length bias, self-preference and verdicts on
answers in the wrong language (pairwise judges), and rubric grades of wrong-language answers (the numbers
`harness report --biases` prints)."""

import altair as alt
import pandas as pd
import streamlit as st

from babelbench.services.judge_bias import judge_biases
from _common import evaluated_or_stop, load

st.title("Judge biases")
evaluated_or_stop()
rows = load(judge_biases)
if not rows:
    st.info("No judgments to measure yet: judge biases are measured on a pairwise judge's verdicts (each pair "
            "judged in both orders) and a rubric judge's grades. List `pairwise` in a recipe's `judges` with a "
            "`judge.baseline`.")
    st.stop()
frame = pd.DataFrame.from_records(rows)
frame["language"] = frame["language"].fillna("all")
frame["shown"] = [("not measured" if pd.isna(v) else f"{v:+.3f}" if f == "lc_gap" else f"{v:.3f}")
                  + (" ⚑" if flag in (True,) else "") for v, f, flag in zip(frame["value"], frame["figure"], frame["flagged"])]

overall = frame[frame["language"] == "all"]
flagged = overall[overall["flagged"] == True]  # noqa: E712 (a column of True / False / None)
c1, c2 = st.columns(2)
c1.metric("Judges measured", overall["judge"].nunique())
c2.metric("Biases flagged (all languages)", f"{len(flagged)} of {int(overall['flagged'].notna().sum())} tests")
st.subheader("All languages")
st.dataframe(overall[["judge", "bias", "figure", "value", "n", "p_value", "flagged", "note"]], hide_index=True,
             key="bias-overall", height=36 * (len(overall) + 1) + 3,
             column_config={"value": st.column_config.NumberColumn(format="%.3f"),
                            "p_value": st.column_config.NumberColumn("p", format="%.2g")})

st.subheader("Per language")
judge = st.selectbox("Judge", sorted(frame["judge"].unique()), key="bias-judge")
mine = frame[frame["judge"] == judge]
wide = mine.pivot_table(index=["bias", "figure"], columns="language", values="shown", aggfunc="first").reset_index()
st.dataframe(wide, hide_index=True, key="bias-languages", height=36 * (len(wide) + 1) + 3)
measured = mine[mine["value"].notna() & (mine["language"] != "all")].assign(
    flag=lambda f: f["flagged"].map({True: "flagged", False: "not flagged"}).fillna("no test"))
if not measured.empty:
    chart = alt.Chart(measured).mark_bar().encode(
        x=alt.X("value:Q", title=f"{judge}: figure value per language"),
        y=alt.Y("figure:N", title=None, axis=alt.Axis(labelLimit=260)), yOffset="language:N",
        color=alt.Color("language:N"), opacity=alt.Opacity("flag:N", scale=alt.Scale(
            domain=["flagged", "not flagged", "no test"], range=[1.0, 0.45, 0.45]), title=None),
        tooltip=["language", "bias", "figure", alt.Tooltip("value:Q", format=".3f"), "n",
                 alt.Tooltip("p_value:Q", format=".3g"), "flag"])
    st.altair_chart(chart.properties(height=40 * measured["figure"].nunique() * measured["language"].nunique()),
                    width="stretch")
st.caption("position: order_flip, the share of pairs whose outcome changes with the order; first_position, the share "
           "of decisive verdicts picking the answer shown first (no bias: 0.5, two-sided binomial test). length: "
           "prefers_longer, the share of decisive verdicts picking the longer answer (no bias: 0.5, binomial test); "
           "lc_gap, raw minus length-controlled win rate. self-preference: when exactly one answer comes from a model of "
           "the judge's family, its win rate from this judge minus from the other judges of the same pairs (paired "
           "permutation test). wrong-language: on pairs with exactly one answer in the wrong language (the language-"
           "fidelity identifier), the share of verdicts picking it (flagged at 0.5 or more); wrong_language_gap:<facet>, "
           "a rubric judge's mean grade of wrong-language answers minus right-language ones (flagged at 0 or more). ⚑: flagged (p < 0.05). "
           "'not measured' (n 0): the data cannot give the figure (one judge, one order, no such pair), never 0.")
