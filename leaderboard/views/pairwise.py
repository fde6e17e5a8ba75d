"""Pairwise: win / tie / loss of each variant against its baseline (both orders judged), with order flips."""

import pandas as pd
import streamlit as st

from _common import evaluated_or_stop, load

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
st.dataframe(wide, key="win-matrix")
st.caption("Each prompt is judged twice, in both orders. Same winner twice = win, win + tie = win, opposite "
           "winners = tie; an unusable verdict is an error, counted in error_rate and left out of the rates. "
           "order_flip: the share of pairs whose two verdicts disagree. no_target: the share of a PLUG variant's "
           "answers with no target-language part, which are not judged.")
