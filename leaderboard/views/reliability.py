"""Judge reliability: does the judge agree with people, per language and facet? From the ratings made on
the Rate page or imported with `harness ratings import`."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from _common import load, table_downloads
from babelbench.services.agreement import agreement


def value(v: Any, digits: int = 3) -> str:
    if v is None or v != v:
        return "—"
    text = f"{v:.{digits}f}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text   # no "-0.00"


def shown(rows: list[dict], columns: dict[str, str], estimates: dict[str, str]) -> pd.DataFrame:
    """The rows with ``columns`` as they are and each of ``estimates`` (name -> heading) as its value and
    95 % interval in two text columns; the humans' alpha is left out while no answer has two raters."""
    out = []
    for r in rows:
        row = {heading: r[name] for name, heading in columns.items()}
        for name, heading in estimates.items():
            if name != "alpha" or any(x.get("alpha_units") for x in rows):
                row[heading] = value(r[name])
                row[f"{heading} 95 % CI"] = ("—" if r[f"{name}_low"] is None
                                             else f"[{value(r[f'{name}_low'], 2)}, {value(r[f'{name}_high'], 2)}]")
        out.append(row)
    return pd.DataFrame.from_records(out)


st.title("Judge reliability")
st.caption("How well each judge agrees with human raters, per language and facet. Rate answers on the Rate page "
           "or import ratings made elsewhere (`harness ratings import FILE`).")
tables = load(agreement)
if not any(tables.values()):
    st.info("No human rating of a judged answer yet: rate some on the Rate page.")
    st.stop()
if tables["rubric"]:
    st.subheader("Rubric facets: judge against humans")
    frame = shown(tables["rubric"], {"judge": "judge", "language": "language", "facet": "facet", "n": "n",
                                     "answers": "answers", "raters": "raters"},
                  {"kappa": "κ", "rho": "ρ", "alpha": "α (humans)"})
    st.dataframe(frame, hide_index=True, key="rubric-agreement")
    table_downloads(frame, "judge-human-agreement", "Judge-human agreement per judge, language and facet.")
    st.caption("n: (human grade, judge grade) pairs of the same answer, every rater's grade paired with the "
               "judge's (pooled, not the raters' mean). κ: Cohen's kappa, quadratic weights over the judge's "
               "scale (as scikit-learn's cohen_kappa_score); ρ: Spearman's rank correlation (as scipy's spearmanr); "
               "intervals: 95 % percentile bootstrap over answers. Grades on the study's 0–2 scale count as the "
               "judge's 1–3. α: Krippendorff's alpha (ordinal) between the human raters of the language and facet, "
               "shown once two people rated the same answer. `all`: every language together. —: undefined (no "
               "variation to agree on).")
if tables["humans"]:
    st.subheader("Between human raters")
    frame = shown(tables["humans"], {"language": "language", "facet": "facet", "alpha_units": "answers rated by 2+"},
                  {"alpha": "α"})
    st.dataframe(frame, hide_index=True, key="human-agreement")
if tables["pairwise"]:
    st.subheader("Pairwise: judge against humans")
    frame = shown(tables["pairwise"], {"judge": "judge", "language": "language", "n": "n", "answers": "answers"},
                  {"agreement": "agreement", "kappa": "κ"})
    st.dataframe(frame, hide_index=True, key="pairwise-agreement")
    st.caption("The person's verdict (whichever order the pair was shown in) against the judge's, both orders "
               "combined as the Pairwise page combines them. agreement: the share of pairs with the same outcome "
               "(win, tie, loss); κ: Cohen's kappa over the three.")
