"""babelbench leaderboard: `harness board [--store F] [--port N]` starts it.

Reads results.duckdb read-only through babelbench.store.board (the queries `harness report`
and publishing share); keeps working while a run writes to the same store.
"""

import streamlit as st

st.set_page_config(page_title="babelbench", layout="wide")
pages = [
    st.Page("views/leaderboard.py", title="Leaderboard", default=True),
    st.Page("views/overview.py", title="Overview"),
    st.Page("views/languages.py", title="Languages"),
    st.Page("views/pairwise.py", title="Pairwise"),
    st.Page("views/judge_biases.py", title="Judge biases"),
    st.Page("views/compare.py", title="Compare two"),
    st.Page("views/training_curves.py", title="Training curves"),
    st.Page("views/recipe_diff.py", title="Recipe diff"),
    st.Page("views/samples.py", title="Samples"),
    st.Page("views/trends.py", title="Trends"),
    st.Page("views/alignment.py", title="Alignment"),
    st.Page("views/scaling.py", title="Scaling"),
    st.Page("views/rate.py", title="Rate"),
    st.Page("views/reliability.py", title="Judge reliability"),
]
st.navigation(pages).run()
