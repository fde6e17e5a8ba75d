"""Trends: a score against any swept recipe field -- a task family's or judge facet's score with its 95 %
interval (error bars), or each language's primary score (one line per language)."""

import altair as alt
import pandas as pd
import streamlit as st

from _common import evaluated_or_stop, load

from babelbench.analysis.standings import column_order, is_score_column

st.title("Trends")
evaluated_or_stop()
points = pd.DataFrame.from_records(load("trend_points"))
board = load("leaderboard")
if points.empty and not board:
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
LANGUAGES = "primary score per language"
scores = sorted({c for r in board for c in r["scores"] if is_score_column(c)}, key=column_order)
score = st.selectbox("Score", [LANGUAGES, *scores], format_func=str, key="score")


def x_of(values: pd.Series) -> tuple[pd.Series, str]:
    numeric = pd.to_numeric(values, errors="coerce")
    return (numeric, "Q") if numeric.notna().all() else (values.astype(str), "N")


if score == LANGUAGES:
    data = points[["variant", "language", "value", field]].rename(columns={field: "x"})
    data["x"], x_type = x_of(data["x"])
    mark = alt.Chart(data).mark_line(point=True) if x_type == "Q" else alt.Chart(data).mark_point(filled=True)
    chart = mark.encode(
        x=alt.X(f"x:{x_type}", title=field, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("value:Q", title="primary score (0-1)", scale=alt.Scale(domain=[0, 1])), color="language:N",
        tooltip=["variant", "language", alt.Tooltip("value:Q", format=".3f")])
    st.altair_chart(chart, width="stretch")
    st.caption("Each language's primary score is a mean over task families: it has no interval of its own; "
               "choose a task family or judge facet for error bars.")
else:
    data = pd.DataFrame.from_records([
        {"variant": r["variant"], "x": r["config"].get(field), "value": s.get("value"), "low": s.get("ci_low"),
         "high": s.get("ci_high"), "n": s.get("n")}
        for r in board if (s := r["scores"].get(score)) and s.get("value") is not None],
        columns=["variant", "x", "value", "low", "high", "n"])
    data["x"], x_type = x_of(data["x"]) if not data.empty else (data["x"], "N")
    encoding = {"x": alt.X(f"x:{x_type}", title=field, axis=alt.Axis(labelAngle=0)),
                "color": alt.Color("variant:N", legend=alt.Legend(labelLimit=400))}
    if x_type == "N":   # variants with the same value side by side
        encoding["xOffset"] = alt.XOffset("variant:N")
    base = alt.Chart(data).encode(**encoding)
    chart = (base.mark_rule(strokeWidth=2).encode(y=alt.Y("low:Q", title=str(score)), y2="high:Q")
             + base.mark_point(filled=True, size=70).encode(
                 y="value:Q", tooltip=["variant", "x", alt.Tooltip("value:Q", format=".3f"), "n"]))
    st.altair_chart(chart, width="stretch")
    st.caption("Points: the score; bars: its 95 % interval (stratified bootstrap over documents for task families, "
               "bootstrap over judged answers for judge facets).")
    points = data.rename(columns={"x": field})
st.dataframe(points if score != LANGUAGES else data.rename(columns={"x": field}), hide_index=True, key="trend-table")
