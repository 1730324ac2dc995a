"""Weekly overview for leadership: KPIs against goals, 12-week trends, movers, breaches."""

from datetime import timedelta

import streamlit as st

from servicelevel import charts
from servicelevel.filters import Period
from servicelevel.kpis import weekly_tiles
from servicelevel.movers import adherence_movers
from servicelevel.settings import organisation
from servicelevel.ui import frame, links
from servicelevel.ui.data import run_query
from servicelevel.ui.widgets import chart, explain_empty, kpi_tiles, table

TREND_WEEKS = 12
TOP_BREACHES = 25

selection = frame.selection()
org = organisation()
week = selection.period if selection.period.days == 7 else Period(
    selection.period.end - timedelta(days=7), selection.period.end, selection.period.timezone
)
st.title("Weekly overview")
st.caption(f"{week.label()} · {selection.filters.describe()} · compared with the week before")
if selection.period.days != 7:
    st.caption("A custom range is selected: the tiles show its last seven days, the trends the whole range.")

trend_start = min(week.start - timedelta(days=7 * (TREND_WEEKS - 1)), selection.period.start)
trend = Period(trend_start, week.end, week.timezone)
weekly = run_query("weekly_kpis", {**selection.params(), **trend.params()})
overall = weekly[weekly["segment"] == "all"].reset_index(drop=True)
this_week = overall.iloc[-1]

if this_week["n_created"] == 0 and this_week["fr_met"] + this_week["fr_breached"] == 0:
    explain_empty(selection, "requests this week")
else:
    kpi_tiles(weekly_tiles(overall, org))

st.subheader("12-week trends: internal and external customers")
shares = weekly.assign(
    fr_adherence=weekly["fr_met"] / (weekly["fr_met"] + weekly["fr_breached"]).where(lambda d: d > 0),
    res_adherence=weekly["res_met"] / (weekly["res_met"] + weekly["res_breached"]).where(lambda d: d > 0),
    csat=weekly["n_satisfied"] / weekly["n_answers"].where(lambda d: d > 0),
)
segments = shares[shares["segment"] != "all"] if selection.filters.requester_type == "" else shares[shares["segment"] == selection.filters.requester_type]
goal_fr = overall["fr_goal"].dropna().mean() if overall["fr_goal"].notna().any() else None
goal_res = overall["res_goal"].dropna().mean() if overall["res_goal"].notna().any() else None
left, right = st.columns(2)
with left:
    chart(charts.trend_chart(segments, "fr_adherence", "First-response adherence by week", "Adherence", goal=goal_fr, as_percent=True))
    chart(charts.trend_chart(segments, "n_created", "Requests created by week", "Requests"))
with right:
    chart(charts.trend_chart(segments, "res_adherence", "Resolution adherence by week", "Adherence", goal=goal_res, as_percent=True))
    chart(charts.trend_chart(segments, "csat", "CSAT % by week (answers scoring 4-5)", "CSAT", goal=org.csat_goal, as_percent=True))
table(
    shares.rename(columns={"week_start": "week"}),
    "weekly-kpis",
    caption="The numbers behind the tiles and charts, per week and segment.",
)

st.subheader("Movers: departments whose adherence changed most")
by_department = run_query(
    "adherence_by_week",
    {**selection.params(), **Period(week.start - timedelta(days=7), week.end, week.timezone).params(),
     "dimension": "provider_department"},
)
current = by_department[by_department["week_start"] == week.start]
previous = by_department[by_department["week_start"] == week.start - timedelta(days=7)]
movers = adherence_movers(current, previous)
if movers.empty:
    st.info("Not enough decided SLA targets in both weeks to compare departments (at least 10 each).")
else:
    table(
        movers,
        "movers",
        column_config={
            "adherence_now": st.column_config.NumberColumn("adherence this week", format="percent"),
            "adherence_before": st.column_config.NumberColumn("adherence week before", format="percent"),
            "change_pp": st.column_config.NumberColumn("change (pp)", format="%+.1f"),
        },
        caption="First-response and resolution targets together; departments with fewer than 10 decided targets in either week are left out.",
    )

st.subheader("Breaches that need attention this week")
breaches = run_query("sla_breaches", {**selection.params(), **week.params(), "max_rows": TOP_BREACHES})
if breaches.empty:
    st.success("No SLA breaches decided this week for this selection.")
else:
    table(
        links.with_request_links(breaches),
        "breaches-this-week",
        column_config=links.LINK_COLUMN,
        caption=f"The {TOP_BREACHES} largest overruns (all breaches: SLA adherence page). Click an id for its timeline.",
    )
