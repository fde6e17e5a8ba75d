"""Training curves: each kept checkpoint's validation score per language, the chosen checkpoint marked."""

import altair as alt
import pandas as pd
import streamlit as st

from _common import evaluated_or_stop, figure_downloads, load, table_downloads

st.title("Training curves")
evaluated_or_stop()
rows = load("selection_curves")
if not rows:
    st.info("No checkpoint selection yet: set `train.checkpoints` and a `select:` section in a recipe "
            "(see recipes/zero-shot/).")
    st.stop()
frame = pd.DataFrame.from_records(rows)
variants = sorted(frame["variant"].unique())
chosen = st.multiselect("Variants", variants, default=variants[:4], key="curve-variants")
frame = frame[frame["variant"].isin(chosen)]
for variant, part in frame.groupby("variant"):
    meta = part.iloc[0]
    st.subheader(variant)
    st.caption(f"validation {meta['metric']}, {meta['aggregate']} over languages; chosen: step {meta['selected_step']}")
    line = alt.Chart(part).mark_line(point=True).encode(
        x=alt.X("step:Q", title="training step", axis=alt.Axis(tickMinStep=1, format="d")), y=alt.Y("value:Q", title=str(meta["metric"])),
        color=alt.Color("language:N"), tooltip=["language", "step", alt.Tooltip("value:Q", format=".3f"), "n"])
    rule = alt.Chart(pd.DataFrame({"step": [meta["selected_step"]]})).mark_rule(strokeDash=[4, 4]).encode(x="step:Q")
    st.altair_chart(line + rule, width="stretch")
    figure_downloads("training-curves", f"curve-figure-{variant}", [str(variant)])
    curve = part.pivot_table(index="step", columns="language", values="value").reset_index()
    st.dataframe(curve, hide_index=True, key=f"curve-{variant}")
    table_downloads(curve, f"curve-{variant}", f"Validation {meta['metric']} per step and language: {variant}.")
