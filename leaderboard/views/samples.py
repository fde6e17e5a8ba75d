"""Samples: a variant's answers with prompt, raw and kept answer, detected language, grades, rationale."""

import pandas as pd
import streamlit as st

from _common import evaluated_or_stop, load

st.title("Samples")
variants = evaluated_or_stop()
names = {v["variant_id"]: v["variant"] for v in variants}
ids = list(names)
variant = st.selectbox("Variant", ids, format_func=names.get, key="variant")
rows = load("samples", variant)
tasks = sorted({r["task"] for r in rows})
langs = sorted({r["language"] or "—" for r in rows})
c1, c2, c3 = st.columns(3)
task = c1.selectbox("Task", ["(all)"] + tasks, key="task")
lang = c2.selectbox("Language", ["(all)"] + langs, key="language")
grade_columns = sorted({k for r in rows for k in r if "/" in k})
grade_col = c3.selectbox("Filter by grade", ["(none)"] + grade_columns, key="grade_column")
shown = [r for r in rows if task in ("(all)", r["task"]) and lang in ("(all)", r["language"] or "—")]
if grade_col != "(none)":
    values = sorted({r[grade_col] for r in shown if r.get(grade_col) is not None})
    wanted = st.multiselect("Grades", values, default=values, key="grades")
    shown = [r for r in shown if r.get(grade_col) in wanted]

columns = ["task", "doc_id", "language", "instruction", "raw_response", "kept_response", "pivot_status",
           "detected_language", *grade_columns, "rationale"]
frame = pd.DataFrame.from_records([{c: r.get(c) for c in columns} for r in shown], columns=columns)
st.dataframe(frame, hide_index=True, key="samples-table")
st.caption(f"{len(shown)} of {len(rows)} answers shown (at most 200 per variant are loaded).")

st.subheader("Compare two variants on the same prompt")
other = st.selectbox("Other variant", [i for i in ids if i != variant] or ids, format_func=names.get, key="other")
others = {(r["task"], r["doc_id"]): r for r in load("samples", other)}
pairs = [{"task": r["task"], "doc_id": r["doc_id"], "instruction": r.get("instruction") or r["prompt"][-200:],
          names[variant]: r["kept_response"], names[other]: others[(r["task"], r["doc_id"])]["kept_response"]}
         for r in shown if (r["task"], r["doc_id"]) in others and variant != other]
if pairs:
    st.dataframe(pd.DataFrame(pairs), hide_index=True, key="compare-table")
else:
    st.info("The two variants share no prompt in this selection.")
