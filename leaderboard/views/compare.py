"""Compare two: B − A on the same documents, per task, language and metric, with paired intervals,
Holm-corrected permutation p-values and the statistical power of each comparison (the numbers
`harness compare A B [--detect D]` prints)."""

import altair as alt
import pandas as pd
import streamlit as st

from babelbench.analysis.power import documents_needed
from babelbench.services.comparison import paired_comparison
from _common import evaluated_or_stop, load

st.title("Compare two variants")
variants = evaluated_or_stop()
names = sorted(v["variant"] for v in variants)
c1, c2 = st.columns(2)
a = c1.selectbox("A", names, index=0, key="cmp-a")
b = c2.selectbox("B", names, index=min(1, len(names) - 1), key="cmp-b")
rows = load(paired_comparison, a, b)
if not rows:
    st.info(f"{a} and {b} share no task, language and metric on the same documents.")
    st.stop()
frame = pd.DataFrame.from_records(rows)
only = st.checkbox("Only significant differences", value=False, key="cmp-significant")
if only:
    frame = frame[frame["significant"]]
st.metric("Significant after Holm's correction", f"{int(frame['significant'].sum())} of {len(rows)}")
chart = alt.Chart(frame.assign(label=frame["task"] + " · " + frame["metric"])).encode(
    y=alt.Y("label:N", title=None, sort=None, axis=alt.Axis(labelLimit=400)), color=alt.Color("significant:N"))
st.altair_chart(chart.mark_rule().encode(x=alt.X("ci_low:Q", title=f"{b} − {a}"), x2="ci_high:Q")
                + chart.mark_point(filled=True).encode(x="diff:Q", tooltip=["task", "language", "metric", "n",
                                                                           alt.Tooltip("diff:Q", format="+.3f"),
                                                                           alt.Tooltip("p_holm:Q", format=".3g")]),
                width="stretch")
st.dataframe(frame[["task", "language", "metric", "n", "mean_a", "mean_b", "diff", "ci_low", "ci_high", "p_value",
                    "p_holm", "significant"]], hide_index=True, key="cmp-table",
             column_config={c: st.column_config.NumberColumn(format="%.3f") for c in
                            ("mean_a", "mean_b", "diff", "ci_low", "ci_high")})
st.caption("Documents are paired by their hash; intervals are paired bootstrap 95 % intervals of the mean "
           "difference; p-values come from a paired permutation test (sign flips), Holm-corrected across the rows.")

st.subheader("Statistical power")
detect = st.number_input("Difference to detect (D, in the metric's units)", min_value=0.001, value=0.05,
                         step=0.01, format="%.3f", key="cmp-detect")
frame["n_needed"] = [documents_needed(None if pd.isna(sd) else float(sd), detect) for sd in frame["sd_diff"]]
st.dataframe(frame[["task", "language", "metric", "n", "diff", "sd_diff", "mde", "n_needed"]], hide_index=True,
             key="cmp-power",
             column_config={"diff": st.column_config.NumberColumn(format="%+.3f"),
                            "sd_diff": st.column_config.NumberColumn("sd of differences", format="%.3f"),
                            "mde": st.column_config.NumberColumn("MDE", format="%.3f"),
                            "n_needed": st.column_config.NumberColumn(f"documents to detect {detect:g}", format="%d")})
st.caption("MDE: the smallest difference detectable with power 0.8 at alpha 0.05 (two-sided, normal approximation: "
           "2.80 × sd of the per-document differences / √n), per task and language; the last column, the documents "
           "needed to detect D (the same as `harness compare A B --detect D`).")
