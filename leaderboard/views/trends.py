"""Trends: a score against any swept recipe field, one line per language."""

import altair as alt
import pandas as pd
import streamlit as st

from _common import evaluated_or_stop, load

st.title("Trends")
evaluated_or_stop()
points = pd.DataFrame.from_records(load("trend_points"))
if points.empty:
    st.info("No per-language scores stored yet.")
    st.stop()
fixed = {"variant", "language", "value"}
varying = [c for c in points.columns if c not in fixed and points[c].astype(str).nunique() > 1
           and c not in ("name", "recipe_file")]
if not varying:
    st.info("All evaluated variants share the same recipe fields: sweep one (e.g. `sweep: {train.lr: [...]}`) "
            "to see a trend.")
    st.stop()
field = st.selectbox("Recipe field", varying, key="field")
data = points[["variant", "language", "value", field]].rename(columns={field: "x"})
numeric = pd.to_numeric(data["x"], errors="coerce")
x_type = "Q" if numeric.notna().all() else "N"
if x_type == "Q":
    data["x"] = numeric
else:
    data["x"] = data["x"].astype(str)
chart = alt.Chart(data).mark_line(point=True).encode(
    x=alt.X(f"x:{x_type}", title=field), y=alt.Y("value:Q", title="primary score (0-1)"), color="language:N",
    tooltip=["variant", "language", alt.Tooltip("value:Q", format=".3f")])
st.altair_chart(chart, width="stretch")
st.dataframe(data.rename(columns={"x": field}), hide_index=True, key="trend-table")
