"""Alignment: how aligned a model's languages are layer by layer (parallel sentences, `harness probe`), as a
layer x language heatmap of one metric, and the difference between two probed models (B - A)."""

import altair as alt
import pandas as pd
import streamlit as st

from _common import load

from babelbench.store import alignment_queries as queries
METRICS = {"pair_cosine": "pair cosine", "retrieval_forward": "top-1 retrieval (pivot → language)",
           "retrieval_backward": "top-1 retrieval (language → pivot)", "nonpair_cosine": "non-pair cosine"}
CELL_WIDTH, CELL_HEIGHT = 56, 26

st.title("Alignment")
runs = load(queries.alignment_runs)
if not runs:
    st.info("No alignment stored yet: run `harness probe VARIANT` (or list `analysis: [alignment]` in a recipe). "
            "It compares parallel sentences' hidden states layer by layer.")
    st.stop()
labels = {r["align_key"]: r["label"] for r in runs}
metric = st.selectbox("Metric", list(METRICS), format_func=METRICS.get, key="align-metric")
key_a = st.selectbox("Variant (A)", list(labels), format_func=labels.get, key="align-a")


def heatmap(frame: pd.DataFrame, value: str, diverging: bool = False) -> alt.LayerChart:
    """Layers down (the deepest on top), languages across, the value written in each cell."""
    values = frame[value].dropna()
    if diverging:
        reach = float(values.abs().max() or 1.0)
        scale = alt.Scale(scheme="redblue", domain=[-reach, reach])
    elif bool(values.between(0, 1).all()):
        scale = alt.Scale(scheme="viridis", domain=[0, 1])
    else:
        scale = alt.Scale(scheme="viridis")
    base = alt.Chart(frame).encode(
        x=alt.X("target_language:N", title="language", axis=alt.Axis(labelAngle=0)),
        y=alt.Y("layer:O", sort="descending", title="layer (0 = embeddings)"))
    rects = base.mark_rect().encode(color=alt.Color(f"{value}:Q", scale=scale, legend=alt.Legend(title=None)),
                                    tooltip=["layer", "target_language", alt.Tooltip(f"{value}:Q", format=".3f")])
    text = base.mark_text(fontSize=11).encode(
        text=alt.Text(f"{value}:Q", format=".2f"),
        color=alt.value("black") if diverging else alt.condition(f"datum.{value} > 0.5", alt.value("black"),
                                                                 alt.value("white")))
    return (rects + text).properties(width=alt.Step(CELL_WIDTH), height=alt.Step(CELL_HEIGHT))


def table(frame: pd.DataFrame, value: str) -> pd.DataFrame:
    """Layers down, languages across (the numbers of the heatmap)."""
    shown = frame.pivot_table(index="layer", columns="target_language", values=value).reset_index()
    shown.columns.name = None
    return shown


rows = pd.DataFrame.from_records(load(queries.alignment_rows, key_a))
run = next(r for r in runs if r["align_key"] == key_a)
pivot = rows["source_language"].iloc[0]
st.caption(f"{METRICS[metric]} with {pivot}, per layer and language · {int(rows['n'].min())}–{int(rows['n'].max())} "
           f"sentence pairs from {run['source']} · key {key_a}")
st.altair_chart(heatmap(rows, metric), width="content")
st.dataframe(table(rows, metric), hide_index=True, key="align-table")

st.subheader("Difference (B − A)")
others = [k for k in labels if k != key_a]
if not others:
    st.info("Probe a second variant (`harness probe OTHER`) to compare two.")
    st.stop()
key_b = st.selectbox("Variant (B)", others, format_func=labels.get, key="align-b")
diff = pd.DataFrame.from_records(load(queries.alignment_difference, key_a, key_b, metric))
if diff.empty:
    st.info(f"{labels[key_a]} and {labels[key_b]} share no layer and language pair.")
    st.stop()
st.caption(f"{METRICS[metric]}: {labels[key_b]} minus {labels[key_a]}; blue: B is higher")
st.altair_chart(heatmap(diff, "diff", diverging=True), width="content")
st.dataframe(table(diff, "diff"), hide_index=True, key="align-diff")
