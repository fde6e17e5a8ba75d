"""Judge reliability: does the judge agree with people, per language and facet? From the ratings made on
the Rate page or imported with `harness ratings import`."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from _common import load, table_downloads
from babelbench.services.agreement import agreement


def interval(frame: pd.DataFrame, name: str) -> pd.Series:
    return frame.apply(lambda r: "—" if pd.isna(r[f"{name}_low"]) else f"[{r[f'{name}_low']:.2f}, {r[f'{name}_high']:.2f}]",
                       axis=1)


def shown(rows: list[dict], columns: dict[str, str], intervals: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame.from_records(rows)
    for name in intervals:
        frame[f"{name} 95 % CI"] = interval(frame, name)
    keep = [c for c in columns] + [f"{n} 95 % CI" for n in intervals]
    order = [c for c in frame.columns if c in keep]
    return frame[order].rename(columns=columns)


st.title("Judge reliability")
st.caption("How well each judge agrees with human raters, per language and facet. Rate answers on the Rate page "
           "or import ratings made elsewhere (`harness ratings import FILE`).")
tables = load(agreement)
if not any(tables.values()):
    st.info("No human rating of a judged answer yet: rate some on the Rate page.")
    st.stop()
fmt = {c: st.column_config.NumberColumn(format="%.3f") for c in ("κ", "ρ", "α", "agreement")}
if tables["rubric"]:
    st.subheader("Rubric facets: judge against humans")
    frame = shown(tables["rubric"], {"judge": "judge", "language": "language", "facet": "facet", "n": "n",
                                     "answers": "answers", "raters": "raters", "kappa": "κ", "rho": "ρ",
                                     "alpha": "α"}, ["kappa", "rho"])
    st.dataframe(frame, hide_index=True, key="rubric-agreement", column_config=fmt)
    table_downloads(frame, "judge-human-agreement", "Judge-human agreement per judge, language and facet.")
    st.caption("n: (human grade, judge grade) pairs of the same answer, every rater's grade paired with the "
               "judge's (pooled, not the raters' mean). κ: Cohen's kappa, quadratic weights over the judge's "
               "scale (as scikit-learn's cohen_kappa_score); ρ: Spearman's rank correlation (as scipy's spearmanr); "
               "intervals: 95 % percentile bootstrap over answers. Grades on the study's 0–2 scale count as the "
               "judge's 1–3. α: Krippendorff's alpha (ordinal) between the human raters of the language and facet, "
               "where two or more rated the same answer. `all`: every language together. — : undefined (no "
               "variation).")
if tables["humans"]:
    st.subheader("Between human raters")
    frame = shown(tables["humans"], {"language": "language", "facet": "facet", "alpha": "α",
                                     "alpha_units": "answers rated by 2+"}, ["alpha"])
    st.dataframe(frame, hide_index=True, key="human-agreement", column_config=fmt)
if tables["pairwise"]:
    st.subheader("Pairwise: judge against humans")
    frame = shown(tables["pairwise"], {"judge": "judge", "language": "language", "n": "n", "answers": "answers",
                                       "agreement": "agreement", "kappa": "κ"}, ["agreement", "kappa"])
    st.dataframe(frame, hide_index=True, key="pairwise-agreement", column_config=fmt)
    st.caption("The person's verdict (whichever order the pair was shown in) against the judge's, both orders "
               "combined as the Pairwise page combines them. agreement: the share of pairs with the same outcome "
               "(win, tie, loss); κ: Cohen's kappa over the three.")
