"""Overview: one recipe's study in its own terms -- what its variants vary, each task family's primary
score per variant with its 95 % interval, and, where a pairwise judge compared variants with a baseline
(e.g. PLUG against its monolingual baseline), the win rate per language with intervals."""

import altair as alt
import pandas as pd
import streamlit as st

from _common import evaluated_or_stop, figure_downloads, load, table_downloads

st.title("Overview")
evaluated_or_stop()
rows = load("leaderboard")
recipes = sorted({r["recipe_file"] for r in rows})
recipe = st.selectbox("Recipe", recipes, key="recipe")
members = [r for r in rows if r["recipe_file"] == recipe]
names = {r["variant"] for r in members}

varied = sorted({k for r in members for k in r["choices"]})
question = (f"How do the {len(members)} variants of `{recipe}` compare"
            + (f", as they vary {', '.join(f'`{k}`' for k in varied)}?" if varied else "?"))
plug = sorted({r["variant"] for r in members if r["pivot_mode"] == "plug"})
if plug and len(plug) < len(members):
    question += " In particular: does answering through a pivot language (PLUG) beat answering directly?"
st.markdown(f"**{question}**")
st.caption("Groups of variants evaluated differently (document limit, data source, task versions) are not "
           "comparable; the leaderboard ranks each group on its own.")

points = pd.DataFrame.from_records([
    {"variant": r["variant"], "score": column.replace(" · ", " "), "value": s["value"], "low": s.get("ci_low"),
     "high": s.get("ci_high"), "n": s.get("n")}
    for r in members for column, s in r["scores"].items()
    if isinstance(column, str) and not column.startswith("all tasks · ") and s.get("value") is not None],
    columns=["variant", "score", "value", "low", "high", "n"])
if points.empty:
    st.info("No task-family scores stored for this recipe's variants yet.")
else:
    st.subheader("Primary score per task family (95 % intervals)")
    base = alt.Chart(points).encode(y=alt.Y("variant:N", title=None, axis=alt.Axis(labelLimit=320)),
                                    color=alt.Color("variant:N", legend=None))
    unit = bool(points[["value", "low", "high"]].fillna(0).ge(0).all().all()
                and points[["value", "low", "high"]].fillna(0).le(1).all().all())
    x_scale = alt.Scale(domain=[0, 1]) if unit else alt.Scale(zero=False, nice=True)   # shares on 0-1
    bars = base.mark_errorbar(ticks=True).encode(
        x=alt.X("low:Q", title=None, scale=x_scale, axis=alt.Axis(format=".2~f")), x2="high:Q")
    dots = base.mark_point(filled=True, size=60).encode(
        x="value:Q", tooltip=["variant", "score", alt.Tooltip("value:Q", format=".3f"), "n"])
    # facets share the page: up to three side by side, with the row labels beside them within the page column
    # (about 940 px at a 1,400 px window)
    per_row = min(3, points["score"].nunique())
    chart = (bars + dots).properties(width=780 // per_row, height=alt.Step(22)).facet(
        facet=alt.Facet("score:N", title=None), columns=per_row).resolve_scale(x="independent")
    st.altair_chart(chart, width="content")
    figure_downloads("forest", "score-figure", sorted(names), files=2)
    table_downloads(points, "scores", "Primary score per task family, with its 95 % interval.")

ranked = pd.DataFrame.from_records([r for r in load("win_rates_by_language") if r["variant"] in names])
if not ranked.empty:
    st.subheader("Win rate per language against the baseline (95 % intervals)")
    ranked["pair"] = ranked["variant"] + " vs " + ranked["baseline"] + " (" + ranked["judge"] + ")"
    base = alt.Chart(ranked).encode(y=alt.Y("task:N", title=None),
                                    color=alt.Color("pair:N", title=None,
                                                    legend=alt.Legend(orient="bottom", labelLimit=600, columns=1)),
                                    yOffset="pair:N")
    chart = (base.mark_rule(strokeWidth=2).encode(x=alt.X("ci_low:Q", title="win rate (ties count half)",
                                                          scale=alt.Scale(domain=[0, 1]),
                                                          axis=alt.Axis(values=[0, 0.25, 0.5, 0.75, 1])),
                                                  x2="ci_high:Q")
             + base.mark_point(filled=True, size=60).encode(x="value:Q", tooltip=[
                 "pair", "task", "language", alt.Tooltip("value:Q", format=".3f"), "n"])
             + alt.Chart(pd.DataFrame({"x": [0.5]})).mark_rule(strokeDash=[4, 4], color="gray").encode(x="x:Q"))
    st.altair_chart(chart.properties(height=alt.Step(16)), width="stretch")
    figure_downloads("win-rate", "win-figure", sorted(names), files=2)
    table_downloads(ranked, "win-rates", "Win rate per language against the baseline (ties half), 95 % intervals.")
    st.caption("Above 0.5: the variant's answers were preferred to the baseline's in that language.")

st.page_link("views/leaderboard.py", label="Leaderboard: every score of every variant")
st.page_link("views/languages.py", label="Languages: every language of every task family")
st.page_link("views/pairwise.py", label="Pairwise: win, tie, loss, order flips, rankings")
st.page_link("views/recipe_diff.py", label="Recipe diff: what two variants do differently")
