"""Pairwise: win / tie / loss of each variant against its baseline (both orders judged), with order flips."""

import pandas as pd
import streamlit as st

from _common import evaluated_or_stop, figure_downloads, load, table_downloads

st.title("Pairwise")
evaluated_or_stop()
rows = load("pairwise")
if not rows:
    st.info("No pairwise judgments yet: list `pairwise` in a recipe's `judges` with a `judge.baseline`.")
    st.stop()
frame = pd.DataFrame.from_records(rows)
matrix = frame.pivot_table(index=["variant", "baseline"], columns="outcome", values="value").reset_index()
for name in ("win", "tie", "loss", "order_flip", "error_rate", "no_target"):
    if name not in matrix:
        matrix[name] = None
n = frame[frame["outcome"] == "win"].set_index(["variant", "baseline"])["n"].rename("pairs")
matrix = matrix.join(n, on=["variant", "baseline"])
st.dataframe(matrix[["variant", "baseline", "win", "tie", "loss", "order_flip", "error_rate", "pairs", "no_target"]],
             hide_index=True, key="pairwise-table",
             column_config={c: st.column_config.NumberColumn(format="%.2f") for c in
                            ("win", "tie", "loss", "order_flip", "error_rate", "no_target")})
wide = frame[frame["outcome"] == "win"].pivot_table(index="variant", columns="baseline", values="value")
st.subheader("Win rate matrix (row variant against column baseline)")
figure_downloads("pairwise", "pairwise-figure")
table_downloads(matrix, "pairwise", "Win, tie and loss shares against the baseline (both orders judged).")
st.dataframe(wide, key="win-matrix")
st.caption("Each prompt is judged twice, in both orders. Same winner twice = win, win + tie = win, opposite "
           "winners = tie; an unusable verdict is an error, counted in error_rate and left out of the rates. "
           "order_flip: the share of pairs whose two verdicts disagree. no_target: the share of a PLUG variant's "
           "answers with no target-language part, which are not judged.")

ranked = load("rankings")
if ranked:
    st.subheader("Rankings against the baseline")
    r = pd.DataFrame.from_records(ranked)
    overall = r[r["language"].isna()].pivot_table(index=["variant", "baseline", "judge"], columns="measure",
                                                  values="value").reset_index()
    st.dataframe(overall, hide_index=True, key="rankings-table",
                 column_config={c: st.column_config.NumberColumn(format="%.3f") for c in
                                ("bt_win_prob", "lc_win_rate", "win_rate")})
    bt = r[(r["measure"] == "bt_win_prob")]
    if not bt.empty:
        import altair as alt

        base = alt.Chart(bt).encode(y=alt.Y("variant:N", title=None, axis=alt.Axis(labelLimit=320)))
        st.altair_chart(base.mark_rule().encode(x=alt.X("ci_low:Q", title="Bradley–Terry P(beats baseline)",
                                                        scale=alt.Scale(domain=[0, 1]),
                                                        axis=alt.Axis(values=[0, 0.25, 0.5, 0.75, 1])),
                                           x2="ci_high:Q")
                        + base.mark_point(filled=True).encode(x="value:Q"), width="stretch")
    st.caption("bt_win_prob: Bradley–Terry probability of beating the baseline, 95 % interval from 100 refits on "
               "prompts resampled with replacement (as Arena-Hard reports it). win_rate: ties count half. "
               "lc_win_rate: AlpacaEval 2.0's length-controlled win rate (length term tanh(Δlength / sd) removed; "
               "lengths standardised within each language).")
