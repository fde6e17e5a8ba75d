"""Scaling: per stored `harness fit`, each language's (translation-data size, quality) points with the fitted
law and its bootstrap band, the laws' parameters and leave-one-out errors, and the budget allocations made
from the fit (sizes, predicted quality with intervals)."""

import altair as alt
import pandas as pd
import streamlit as st

from _common import load

from babelbench.store import scaling_queries as queries

st.title("Scaling")
fits = load(queries.fits)
if not fits:
    st.info("No scaling fit stored yet: run `harness fit --recipe SWEEP` on a sweep over "
            "`data.translation.size` (add `--budget N` to allocate a budget across the languages).")
    st.stop()

by_fit: dict[str, list[dict]] = {}
for row in fits:
    by_fit.setdefault(row["fit_id"], []).append(row)


def label(fit_id: str) -> str:
    rows = by_fit[fit_id]
    first = rows[0]
    return (f"{first['metric']} of {first['settings']['task']} · {', '.join(r['language'] for r in rows)} · "
            f"{first['created_at']:%Y-%m-%d %H:%M} · {fit_id}")


fit_id = st.selectbox("Fit", list(by_fit), format_func=label, key="scaling-fit")
rows = by_fit[fit_id]
settings = rows[0]["settings"]
metric = rows[0]["metric"]
level = f"{settings['level']:.0%}"

points = pd.DataFrame.from_records(
    [{"language": r["language"], "size": p["size"], "value": p["value"], "variant": p.get("variant", p["variant_id"])}
     for r in rows for p in r["points"]], columns=["language", "size", "value", "variant"])
curves = pd.DataFrame.from_records(
    [{"language": r["language"], **c} for r in rows for c in r["curve"]],
    columns=["language", "size", "predicted", "low", "high"])

allocations = load(queries.allocations, fit_id)
by_allocation: dict[str, list[dict]] = {}
for row in allocations:
    by_allocation.setdefault(row["allocation_id"], []).append(row)
chosen: list[dict] = []
if by_allocation:
    def allocation_label(allocation_id: str) -> str:
        first = by_allocation[allocation_id][0]
        floors = {k: v for k, v in first["settings"]["floors"].items() if v}
        caps = first["settings"]["caps"]
        extra = "".join([f" · floors {floors}" if floors else "", f" · caps {caps}" if caps else ""])
        return f"budget {first['budget']} · step {first['settings']['step']}{extra} · {allocation_id}"

    allocation_id = st.selectbox("Allocation", list(by_allocation), format_func=allocation_label,
                                 key="scaling-allocation")
    chosen = by_allocation[allocation_id]
allocated = pd.DataFrame.from_records(
    [{"language": r["language"], "size": r["size"], "predicted": r["predicted"], "low": r["predicted_low"],
      "high": r["predicted_high"]} for r in chosen], columns=["language", "size", "predicted", "low", "high"])

top = float(curves["size"].max())
ticks = [0] + [10 ** k * m for k in range(0, 9) for m in (1, 3) if 10 ** k * m <= top]
x = alt.X("size:Q", title="translation examples (symlog scale)", scale=alt.Scale(type="symlog"),
          axis=alt.Axis(values=ticks, format="d"))
color = alt.Color("language:N", scale=alt.Scale(scheme="tableau10"))
# the y axis spans the points and the fitted curves; a band wider than that (a bootstrap refit far off where
# no point pins the curve, e.g. below the smallest size) is clipped at the edge
values = pd.concat([points["value"], curves["predicted"]])
low_y, high_y = float(values.min()), float(values.max())
pad = 0.1 * (high_y - low_y) or 1.0
y_scale = alt.Scale(domain=[low_y - pad, high_y + pad], clamp=True, nice=False)
band = alt.Chart(curves).mark_area(opacity=0.18, clip=True).encode(
    x=x, y=alt.Y("low:Q", title=metric, scale=y_scale), y2="high:Q", color=color)
line = alt.Chart(curves).mark_line().encode(
    x=x, y="predicted:Q", color=color,
    tooltip=["language", "size", alt.Tooltip("predicted:Q", format=".4g"), alt.Tooltip("low:Q", format=".4g"),
             alt.Tooltip("high:Q", format=".4g")])
dots = alt.Chart(points).mark_circle(size=60).encode(
    x=x, y="value:Q", color=color, tooltip=["variant", "language", "size", alt.Tooltip("value:Q", format=".4g")])
layers = [band, line, dots]
if not allocated.empty:
    layers += [alt.Chart(allocated).mark_rule(strokeWidth=2).encode(x=x, y="low:Q", y2="high:Q", color=color),
               alt.Chart(allocated).mark_point(shape="diamond", size=120, filled=True).encode(
                   x=x, y="predicted:Q", color=color,
                   tooltip=["language", "size", alt.Tooltip("predicted:Q", format=".4g")])]
st.altair_chart(alt.layer(*layers), width="stretch")
st.caption(f"Dots: the variants' {metric}; lines: the law chosen per language by leave-one-out error; bands: its "
           f"{level} bootstrap interval ({settings['rounds']} rounds over the points; clipped to the chart)"
           + ("; diamonds: the allocated sizes with their predicted interval." if not allocated.empty else "."))


def interval(values: dict, low: dict, high: dict) -> str:
    return "; ".join(f"{k} = {v:.4g} [{low[k]:.4g}, {high[k]:.4g}]" for k, v in values.items())


st.subheader("Laws")
st.dataframe(pd.DataFrame.from_records([
    {"language": r["language"], "task": r["task"], "law": r["law"], "points": len(r["points"]),
     "sizes": ", ".join(str(s) for s in sorted({p["size"] for p in r["points"]})),
     "parameters": interval(r["params"], r["params_low"], r["params_high"]),
     **{f"LOO RMSE ({law})": error for law, error in sorted(r["loo_error"].items())}} for r in rows]),
    hide_index=True, key="scaling-laws")

st.subheader("Allocation")
if allocated.empty:
    st.info("No budget allocated from this fit: run `harness fit` again with `--budget N`.")
    st.stop()
st.altair_chart(alt.Chart(allocated).mark_bar().encode(
    x=alt.X("size:Q", title="translation examples"), y=alt.Y("language:N", sort="-x"), color=color,
    tooltip=["language", "size", alt.Tooltip("predicted:Q", format=".4g")]), width="stretch")
total = int(allocated["size"].sum())
budget = chosen[0]["budget"]
st.caption(f"{total} of {budget} examples allocated"
           + (f" ({budget - total} left: less than a step, or beyond the caps)" if total < budget else "")
           + f"; predicted {metric} with its {level} bootstrap interval.")
st.dataframe(allocated, hide_index=True, key="scaling-allocation-table")
