"""Leaderboard: one row per variant, task-family and judge-facet scores with 95 % intervals and n."""

import pandas as pd
import streamlit as st

from _common import evaluated_or_stop, load, table_downloads

from babelbench.analysis.standings import Cell, format_cell, lower_is_better
from babelbench.core.metric_name import JudgeMetric

st.title("babelbench leaderboard")
evaluated_or_stop()
rows = load("leaderboard")

columns = sorted({c for r in rows for c in r["scores"] if isinstance(c, str)})   # judge facets: JudgeMetric
languages = sorted({c.split(" · ")[1] for c in columns if c.startswith("all tasks · ")})
families = [c for c in columns if not c.startswith("all tasks · ")]
judges = sorted({c for r in rows for c in r["scores"] if isinstance(c, JudgeMetric)}, key=str)

with st.sidebar:
    st.header("Filters")
    search = st.text_input("Search variants", key="search")
    base = st.multiselect("Base model", sorted({r["base_model"] for r in rows}), key="base")
    method = st.multiselect("Method", sorted({r["method"] for r in rows}), key="method")
    recipe = st.multiselect("Recipe", sorted({r["recipe_file"] for r in rows}), key="recipe")
    st.header("Columns")
    show_families = st.multiselect("Task families", families, default=[f for f in families if not f.endswith(":gated")],
                                   key="task", help="`<metric>:gated`: the family's score with every answer in the "
                                                    "wrong language (the language-fidelity identifier) counted as 0.")
    show_judges = st.multiselect("Judge facets", judges, default=judges, format_func=str, key="judge")
    show_languages = st.multiselect("Per-language scores", languages, default=[], key="language",
                                    help="Each language's mean primary score over the task families it has.")

shown = [r for r in rows if search.lower() in r["variant"].lower()
         and (not base or r["base_model"] in base) and (not method or r["method"] in method)
         and (not recipe or r["recipe_file"] in recipe)]
score_columns = show_families + [f"all tasks · {lang} · primary_score" for lang in show_languages] + show_judges


def label(column: str | JudgeMetric) -> str:
    """A short header: ``xquad_gen f1``, ``zh primary``, ``rubric-6facet helpfulness``."""
    if isinstance(column, JudgeMetric):   # a ranking against a baseline: *, the baseline named in the header's help
        return f"{column.judge} {column.facet}" + ("*" if column.baseline else "")
    if column.startswith("all tasks · "):
        return column.split(" · ")[1] + " primary"
    return column.replace(" · ", " ")


def table(group: list[dict], rank_by: str | JudgeMetric | None) -> tuple[pd.DataFrame, dict]:
    """The group's rows, each score as 'value ± half the 95 % interval', ranked by ``rank_by``; only the score
    columns some variant of the group has a value in (groups evaluated differently have different ones)."""
    columns = [c for c in score_columns if any((r["scores"].get(c) or {}).get("value") is not None for r in group)]
    records = []
    for r in group:
        record = {"variant": r["variant"], "base model": r["base_model"], "method": r["method"],
                  "pivot": r["pivot_mode"], "data mix": ", ".join(f"{k} {v:g}" for k, v in (r["data_mix"] or {}).items()),
                  "data size": r["data_size"]}
        if any(g.get("selected_step") is not None for g in group):
            record["checkpoint"] = r.get("selected_step")   # chosen on validation (Training curves page)
        for c in columns:
            s = r["scores"].get(c) or {}
            half = (s["ci_high"] - s["ci_low"]) / 2 if s.get("ci_low") is not None else None
            record[label(c)] = format_cell(Cell(s.get("value"), half, s.get("n")), show_n=False)
        record["_rank"] = (r["scores"].get(rank_by) or {}).get("value") if rank_by else None
        records.append(record)
    frame = pd.DataFrame.from_records(records)
    if rank_by is not None:
        frame = frame.sort_values("_rank", ascending=lower_is_better(rank_by), na_position="last")
    config: dict = {"variant": st.column_config.TextColumn("variant", pinned=True)}
    for c in columns:
        ns = sorted({(r["scores"].get(c) or {}).get("n") for r in group} - {None})
        n = f"n = {ns[0]}" if len(ns) == 1 else (f"n = {ns[0]}–{ns[-1]}" if ns else "no value")
        judged = isinstance(c, JudgeMetric)
        against = f" (* against {c.baseline})" if judged and c.baseline else ""
        config[label(c)] = st.column_config.TextColumn(
            label(c), help=f"{c.name if judged else c}{against}: value ± half its 95 % interval; {n} "
                           f"({'documents' if not judged else 'judged answers'})")
    return frame.drop(columns="_rank"), config


rank_by = st.selectbox("Rank by", score_columns, format_func=label, key="rank") if score_columns else None
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
    frame, config = table(group, rank_by)
    st.dataframe(frame, hide_index=True, width="stretch", key=f"board-{i}", column_config=config)
    table_downloads(frame, f"leaderboard-{i + 1}", f"Leaderboard ({key}); value ± half the 95 % interval.")
if not shown:
    st.info("No variant matches the filters.")
st.caption("Each score is its value ± half its 95 % interval (hover a header for n). Task families are macro "
           "averages over languages of each family's primary metric (intervals: stratified bootstrap over "
           "documents); judge facets are means over all judged answers (bootstrap intervals). Rows are ranked by "
           "the chosen score (lower first where lower is better).")
