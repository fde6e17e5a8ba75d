"""Recipe diff: which recipe fields differ between two variants, and how their scores differ."""

import pandas as pd
import streamlit as st

from _common import evaluated_or_stop, load

st.title("Recipe diff")
variants = evaluated_or_stop()
names = {v["variant_id"]: v["variant"] for v in variants}
ids = list(names)
left, right = st.columns(2)
a = left.selectbox("Variant A", ids, index=0, format_func=names.get, key="a")
b = right.selectbox("Variant B", ids, index=min(1, len(ids) - 1), format_func=names.get, key="b")
config = {v["variant_id"]: v["config"] for v in variants}
fields = sorted(set(config[a]) | set(config[b]))
diff = [{"field": f, "A": repr(config[a].get(f)), "B": repr(config[b].get(f))} for f in fields
        if config[a].get(f) != config[b].get(f) and f != "name"]
st.subheader("Fields that differ")
if diff:
    st.dataframe(pd.DataFrame(diff), hide_index=True, key="field-diff")
else:
    st.info("The two variants are built and evaluated the same way.")

board = {r["variant_id"]: r["scores"] for r in load("leaderboard")}
columns = sorted(set(board.get(a, {})) | set(board.get(b, {})), key=str)   # a judge facet: by its label
scores = []
for c in columns:
    va, vb = (board.get(a, {}).get(c) or {}).get("value"), (board.get(b, {}).get(c) or {}).get("value")
    scores.append({"score": str(c), "A": va, "B": vb, "B − A": None if va is None or vb is None else vb - va})
st.subheader("Scores")
st.dataframe(pd.DataFrame(scores, columns=["score", "A", "B", "B − A"]), hide_index=True, key="score-diff")
