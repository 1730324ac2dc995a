"""Internal departments: who serves whom, and one department's scorecard as provider and requester."""

from dataclasses import replace
from datetime import timedelta

import streamlit as st

from servicelevel import charts
from servicelevel.filters import Period
from servicelevel.ui import frame
from servicelevel.ui.data import info, run_query
from servicelevel.ui.widgets import chart, explain_empty, table

TREND_WEEKS = 12

selection = frame.selection()
internal = replace(selection.filters, requester_type="internal")
params = {**selection.params(), **internal.params()}
st.title("Internal departments")
st.caption(f"{selection.period.label()} · internal requests only · {internal.describe()}")

st.subheader("Who serves whom: requester department × provider department")
matrix = run_query(
    "adherence_matrix",
    {**params, "row_dimension": "requester_department", "column_dimension": "provider_department", "metric": "both"},
)
decided = matrix[matrix["n_met"] + matrix["n_breached"] > 0]
if decided.empty:
    explain_empty(selection, "internal SLA targets decided")
else:
    goal = float(decided["goal"].mean())
    chart(charts.goal_heatmap(
        decided, "column_value", "row_value", "adherence", "n_met", goal,
        "Adherence of internal SLAs (first response and resolution)", "Provider department", "Requester department",
    ))
    table(
        matrix.rename(columns={"row_value": "requester_department", "column_value": "provider_department"}),
        "internal-matrix",
        caption="n_requests: created in the period; adherence: targets decided in the period.",
    )

st.subheader("Department scorecard")
departments = sorted(set(info().options.get("provider_department", ())) | set(info().options.get("requester_department", ())))
preselected = selection.filters.provider_departments[0] if len(selection.filters.provider_departments) == 1 else None
chosen = st.selectbox(
    "Department", departments,
    index=departments.index(preselected) if preselected in departments else 0,
    key="unit", bind="query-params",
)
week_end = selection.period.end
trend = Period(week_end - timedelta(days=7 * TREND_WEEKS), week_end, selection.period.timezone)

as_provider = replace(internal, provider_departments=(chosen,), requester_departments=())
as_requester = replace(internal, requester_departments=(chosen,), provider_departments=())
provider_col, requester_col = st.columns(2)
for column, filters, role, other in (
    (provider_col, as_provider, "As provider: how it serves the others", "requester_department"),
    (requester_col, as_requester, "As requester: how the others serve it", "provider_department"),
):
    with column:
        st.markdown(f"**{role}**")
        scoped = {**selection.params(), **filters.params()}
        per_partner = run_query(
            "adherence_matrix", {**scoped, "row_dimension": other, "column_dimension": "requester_type", "metric": "both"}
        )
        if per_partner.empty:
            st.info(f"No internal requests with {chosen} in this role in {selection.period.label()}.")
            continue
        table(per_partner.drop(columns=["column_value"]).rename(columns={"row_value": other}),
              f"scorecard-{chosen}-{other}")
        weekly = run_query("weekly_kpis", {**scoped, **trend.params()})
        weekly = weekly[weekly["segment"] == "internal"].assign(
            adherence=lambda w: (w["fr_met"] + w["res_met"])
            / (w["fr_met"] + w["fr_breached"] + w["res_met"] + w["res_breached"]).where(lambda d: d > 0)
        )
        goal = weekly["res_goal"].dropna().mean() if weekly["res_goal"].notna().any() else None
        chart(charts.trend_chart(weekly, "adherence", f"{chosen}: weekly SLA adherence", "Adherence",
                                 goal=goal, as_percent=True))
