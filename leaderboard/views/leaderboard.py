"""Leaderboard: one row per variant, task-family and judge-facet scores with 95 % intervals and n."""

import pandas as pd
import streamlit as st

from _common import evaluated_or_stop, load

st.title("babelbench leaderboard")
evaluated_or_stop()
rows = load("leaderboard")

columns = sorted({c for r in rows for c in r["scores"]})
languages = sorted({c.split(" · ")[1] for c in columns if c.startswith("all tasks · ")})
families = sorted({c for c in columns if not c.startswith(("all tasks · ", "judge:"))})
judges = sorted({c for c in columns if c.startswith("judge:")})

with st.sidebar:
    st.header("Filters")
    search = st.text_input("Search variants", key="search")
    base = st.multiselect("Base model", sorted({r["base_model"] for r in rows}), key="base")
    method = st.multiselect("Method", sorted({r["method"] for r in rows}), key="method")
    recipe = st.multiselect("Recipe", sorted({r["recipe_file"] for r in rows}), key="recipe")
    show_languages = st.multiselect("Language", languages, default=languages, key="language")
    show_families = st.multiselect("Task", families, default=families, key="task")
    show_judges = st.multiselect("Judge", judges, default=judges, key="judge")

shown = [r for r in rows if search.lower() in r["variant"].lower()
         and (not base or r["base_model"] in base) and (not method or r["method"] in method)
         and (not recipe or r["recipe_file"] in recipe)]
score_columns = show_families + [f"all tasks · {lang} · primary_score" for lang in show_languages] + show_judges


def table(group: list[dict]) -> pd.DataFrame:
    records = []
    for r in group:
        record = {"variant": r["variant"], "base model": r["base_model"], "method": r["method"],
                  "pivot": r["pivot_mode"], "data mix": ", ".join(f"{k} {v:g}" for k, v in (r["data_mix"] or {}).items()),
                  "data size": r["data_size"]}
        if any(g.get("selected_step") is not None for g in group):
            record["checkpoint"] = r.get("selected_step")   # chosen on validation (Training curves page)
        for c in score_columns:
            score = r["scores"].get(c) or {}
            record[c] = score.get("value")
            if score.get("ci_low") is not None:
                record[f"{c} 95% CI"] = f"[{score['ci_low']:.3g}, {score['ci_high']:.3g}]"
            record[f"{c} n"] = score.get("n")
        records.append(record)
    frame = pd.DataFrame.from_records(records)
    sort_by = [c for c in score_columns if c in frame and frame[c].notna().any()]
    return frame.sort_values(sort_by[0], ascending=False) if sort_by else frame


groups: dict[str, list[dict]] = {}
for r in shown:
    groups.setdefault(r["comparable"], []).append(r)
if len(groups) > 1:
    st.warning(f"These variants fall into {len(groups)} groups evaluated differently (document limit, data source "
               "or task versions). Numbers are only comparable within a group, so each group is ranked on its own.")
for i, (key, group) in enumerate(sorted(groups.items(), key=lambda kv: -len(kv[1]))):
    if len(groups) > 1:
        st.subheader(f"Group {i + 1}")
        st.caption(key)
    st.dataframe(table(group), hide_index=True, width="stretch", key=f"board-{i}")
if not shown:
    st.info("No variant matches the filters.")
st.caption("Scores: task families are macro averages over languages of each family's primary metric "
           "(intervals: stratified bootstrap over documents); judge facets are means over all judged answers "
           "(bootstrap intervals). Variants are sorted by the first score column; click a header to re-sort.")
