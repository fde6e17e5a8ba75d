"""Languages: one heatmap, variants down and (task family or judge facet · language) across, and the transfer gaps."""

import altair as alt
import pandas as pd
import streamlit as st

from _common import evaluated_or_stop, figure_downloads, load, pick_variants, table_downloads

st.title("Languages")
variants = evaluated_or_stop()
chosen = pick_variants(variants, "Variants", key="variants")
view = st.radio("Columns", ["task families (primary metric)", "all task metrics", "judge facets"], horizontal=True,
                key="columns")
rows = load("language_scores", tuple(chosen))
names = {v["variant_id"]: v["variant"] for v in variants}

#: Pixels per heatmap row; the columns share the page's width. A column label is drawn on several lines
#: (family, metric, language), turned only when the columns are too narrow for their longest line.
CELL_HEIGHT, LINE_CHARS = 26, 14


def heatmap(frame: pd.DataFrame, diverging: bool = False) -> alt.LayerChart:
    """Variants down, (column · language) across, the value written in each cell."""
    data = frame.assign(cell=frame["column"] + " · " + frame["language"])
    order = sorted(data["cell"].unique())
    values = data["value"].dropna()
    if diverging:   # symmetric around 0: as much red below English as blue above
        reach = float(values.abs().max() or 1.0)
        scale = alt.Scale(scheme="redblue", domain=[-reach, reach])
    else:           # shares on 0-1 keep one color per value across pages
        unit = bool(values.between(0, 1).all())
        scale = alt.Scale(scheme="viridis", domain=[0, 1]) if unit else alt.Scale(scheme="viridis")
    longest = max(len(part) for cell in order for part in cell.split(" · "))
    angle = 0 if len(order) * max(longest, LINE_CHARS) * 7 < 1100 else -40
    axis = alt.Axis(labelAngle=angle, labelLimit=0, labelOverlap=False, labelExpr="split(datum.label, ' · ')",
                    labelAlign="center" if angle == 0 else "right")
    base = alt.Chart(data).encode(x=alt.X("cell:N", sort=order, title=None, axis=axis),
                                  y=alt.Y("variant:N", title=None, axis=alt.Axis(labelLimit=0, labelOverlap=False)))
    rects = base.mark_rect().encode(color=alt.Color("value:Q", scale=scale, legend=alt.Legend(title=None, format=".2~f")),
                                    tooltip=["variant", "language", "column", alt.Tooltip("value:Q", format=".3f")])
    text = base.mark_text(fontSize=11).encode(
        text=alt.Text("value:Q", format=".2f"),
        color=alt.value("black") if diverging else alt.condition("datum.value > 0.5", alt.value("black"),
                                                                 alt.value("white")))
    return (rects + text).properties(height=alt.Step(CELL_HEIGHT))


records = []
for r in rows:
    if r["value"] is None:
        continue
    if r["judge"] is not None:
        if view != "judge facets" or not r["headline"]:
            continue
        column = r["metric"]
    else:
        if view == "judge facets" or (view.startswith("task families") and not r["is_primary"]):
            continue
        column = f"{r['family']} · {r['metric']}"
    records.append({"variant": r["variant"], "language": r["language"], "column": column, "value": r["value"]})
frame = pd.DataFrame.from_records(records, columns=["variant", "language", "column", "value"])
frame = frame.groupby(["variant", "language", "column"], as_index=False)["value"].mean()

if frame.empty:
    st.info("Nothing to show for these variants and columns.")
else:
    st.altair_chart(heatmap(frame), width="stretch")
    figure_downloads("heatmap", "heat-figure", [names[v] for v in chosen], files=len(set(frame["column"])))
    table = frame.pivot_table(index=["variant", "language"], columns="column", values="value").reset_index()
    st.dataframe(table, hide_index=True, key="heat-table")
    table_downloads(table, "languages", "Primary score per variant and language.")

st.subheader("Transfer gap (language minus English)")
gaps = pd.DataFrame.from_records([g for g in load("transfer_gaps") if g["variant_id"] in chosen],
                                 columns=["variant_id", "variant", "task", "family", "language", "metric", "value"])
if gaps.empty:
    st.info("No transfer gaps: the chosen variants have no task family evaluated in English and another language.")
else:
    # the family the gap names (older stores: the task name less its language suffix)
    family = gaps["family"].fillna(gaps["task"].str.rsplit("_", n=1).str[0])
    shown = gaps[["variant", "language", "value"]].assign(column=family + " · "
                                                          + gaps["metric"].str.removeprefix("transfer_gap:"))
    st.altair_chart(heatmap(shown, diverging=True), width="stretch")
    figure_downloads("transfer-gaps", "gap-figure", [names[v] for v in chosen], files=len(set(shown["column"])))
    table = gaps.pivot_table(index=["task", "metric"], columns="variant", values="value").reset_index()
    st.dataframe(table, hide_index=True, key="gap-table")
    table_downloads(table, "transfer-gaps", "Transfer gap: each language's score minus English's.")
    st.caption("Red: the language scores below English; blue: above. Values are differences of the primary "
               "metric, on its own scale.")
