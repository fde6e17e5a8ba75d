"""Languages: a language x (task or judge facet) heatmap per variant, and transfer gaps side by side."""

import altair as alt
import pandas as pd
import streamlit as st

from _common import evaluated_or_stop, load, pick_variants

st.title("Languages")
variants = evaluated_or_stop()
chosen = pick_variants(variants, "Variants", key="variants")
view = st.radio("Columns", ["task families (primary metric)", "all task metrics", "judge facets"], horizontal=True,
                key="columns")
rows = load("language_scores", tuple(chosen))

records = []
for r in rows:
    if r["value"] is None:
        continue
    if r["metric"].startswith("judge:"):
        if view != "judge facets" or not r["headline"]:
            continue
        column = r["metric"]
    else:
        if view == "judge facets" or (view.startswith("task families") and not r["is_primary"]):
            continue
        column = f"{r['family']} · {r['metric']}"
    records.append({"variant": r["variant"], "language": r["language"], "column": column, "value": r["value"]})
frame = pd.DataFrame.from_records(records, columns=["variant", "language", "column", "value"])
frame = frame.groupby(["variant", "language", "column"], as_index=False)["value"].mean()

if frame.empty:
    st.info("Nothing to show for these variants and columns.")
else:
    chart = alt.Chart(frame).mark_rect().encode(
        x=alt.X("column:N", title=None), y=alt.Y("language:N"),
        color=alt.Color("value:Q", scale=alt.Scale(scheme="viridis")),
        tooltip=["variant", "language", "column", alt.Tooltip("value:Q", format=".3f")],
    ).properties(width=max(200, 60 * frame["column"].nunique()), height=30 * frame["language"].nunique())
    text = chart.mark_text(fontSize=10).encode(text=alt.Text("value:Q", format=".2f"), color=alt.value("white"))
    st.altair_chart((chart + text).facet(row=alt.Row("variant:N", title=None)), width="content")
    st.dataframe(frame.pivot_table(index=["variant", "language"], columns="column", values="value").reset_index(),
                 hide_index=True, key="heat-table")

st.subheader("Transfer gap (language minus English)")
gaps = pd.DataFrame.from_records([g for g in load("transfer_gaps") if g["variant_id"] in chosen],
                                 columns=["variant_id", "variant", "task", "language", "metric", "value"])
if gaps.empty:
    st.info("No transfer gaps: the chosen variants have no task family evaluated in English and another language.")
else:
    st.dataframe(gaps.pivot_table(index=["task", "metric"], columns="variant", values="value").reset_index(),
                 hide_index=True, key="gap-table")
