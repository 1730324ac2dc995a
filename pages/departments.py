"""Internal departments: who serves whom, and one department's scorecard as provider and requester."""

from dataclasses import replace

import streamlit as st

from servicelevel import charts, scorecard
from servicelevel.filters import whole_weeks_trend
from servicelevel.kpis import with_totals
from servicelevel.settings import organisation
from servicelevel.ui import frame, links
from servicelevel.ui.data import info, run_query
from servicelevel.ui.link_values import bound_choice
from servicelevel.ui.widgets import MATRIX_COUNTS, chart, explain_empty, table, tile_metric
from servicelevel.wording import sentence_start

TREND_WEEKS = 12
ALL_REQUESTERS = "all requesters"  # the heatmap's row per provider, over the departments it serves
FOLLOWS_DATA = ""  # the department picker's first choice: see below

selection = frame.selection(requester_type_used=False)  # internal requesters, whatever the sidebar says
internal = replace(selection.filters, requester_type="internal")
params = {**selection.params(), **internal.params()}
st.title("Internal departments")
st.caption(f"{selection.period.label()} · {internal.describe()}")
if selection.filters.requester_type != "internal":
    st.caption("This page is about one department serving another: it always shows internal requesters, "
               "whatever the sidebar's requester type.")

# The scorecard first: a department head's link opens on it; the whole matrix follows.
matrix = run_query(
    "adherence_matrix",
    {**params, "row_dimension": "requester_department", "column_dimension": "provider_department", "metric": "both"},
).fillna({"row_value": scorecard.UNRECORDED["requester_department"],
          "column_value": scorecard.UNRECORDED["provider_department"]})
st.subheader("Department scorecard")
if selection.filters.provider_departments or selection.filters.requester_departments:
    st.caption("The scorecard sets its department itself, as provider and as requester: the sidebar's department "
               "filters do not narrow it; the other filters do.")
departments = sorted(set(info().options.get("provider_department", ())) | set(info().options.get("requester_department", ())))
# The busiest internal providers of the period, for the picker's first choice.
by_volume = matrix.groupby("column_value")["n_requests"].sum().sort_values(ascending=False)
preselected, why_preselected = scorecard.opening_department(selection.filters, departments, list(by_volume.index))
# The first choice follows the data (like the week picker's "Last complete week"), and is named by
# its rule first, so that "IT" twice in the list reads as a rule and a name: a bound widget leaves its
# default out of the URL, so a department picked by name, even the same one, stays in it.
follows_data = sentence_start(why_preselected) + (f": {preselected}" if preselected else "")
choice = bound_choice(st.selectbox, "Department", [FOLLOWS_DATA, *departments], key="unit",
                      format_func=lambda d: follows_data if d == FOLLOWS_DATA else d)
chosen = preselected if choice == FOLLOWS_DATA else choice
# Whole ISO weeks (a part-week point would read as a drop), ending with the period's last one.
trend = whole_weeks_trend(selection.period, TREND_WEEKS, data_from=info().first_date(selection.period.timezone))

# Each role's adherence against the period of the same length before it, where the data reaches back to it.
earlier = selection.period.previous()
reaches_back = info().reaches_into(earlier)

roles = scorecard.roles(internal, chosen)
results = {}
for role in roles:
    scoped = {**selection.params(), **role.filters.params()}
    by_partner = {"row_dimension": role.partner, "column_dimension": "requester_type", "metric": "both"}
    per_partner = run_query("adherence_matrix", {**scoped, **by_partner})
    before = (scorecard.headline(run_query("adherence_matrix", {**scoped, **by_partner, **earlier.params()}))
              if reaches_back else None)
    weekly = run_query("weekly_kpis", {**scoped, **trend.params()})
    results[role] = (per_partner, before, scorecard.weekly_adherence(weekly))
domain = scorecard.shared_domain([weekly for *_, weekly in results.values()])

min_count = organisation().min_count
# Whose adherence in the subtitle: "Customer Support as requester: adherence by week" was cut off at
# half a laptop's width.
trend_charts = {role: charts.trend_chart(weeks, "adherence", "Adherence by week", "Adherence",
                                         goal=scorecard.combined_goal(weeks), as_percent=True, domain=domain,
                                         unfinished_week=trend.unfinished_week(selection.as_of),
                                         rests_on="targets decided", counted=("n_decided", min_count),
                                         note=f"{chosen} {role.short}")
                for role, (partners, _, weeks) in results.items() if not partners.empty}
trend_charts = dict(zip(trend_charts, charts.levelled(*trend_charts.values())))
# Row by row, so that the roles' tables, and then their charts, start level: a role's headline
# notes and its link took more lines than the other's, and its table more rows.
headlines, tables, trends = st.columns(2), st.columns(2), st.columns(2)
for i, role in enumerate(roles):
    per_partner, before, weekly = results[role]
    with headlines[i]:
        st.markdown(f"**{role.heading}**")
        if per_partner.empty:
            st.info(f"No internal requests with {chosen} {role.short} in {selection.period.label()}"
                    f"{scorecard.narrowed_by(role)}. Work for external customers is not on this page: see SLA "
                    "adherence.")
            continue
        top = scorecard.headline(per_partner)
        if top is not None:
            tile = scorecard.headline_tile(
                f"SLA adherence {role.short}", top, before, weekly, min_count,
                "First-response and resolution targets together, every partner department; the change is from "
                "the period of the same length before.", so_far=selection.period_running,
                no_change_note="nothing decided the period before" if reaches_back else "no period before in the data")
            tile_metric(tile, sparkline=False)  # the weekly chart is below
            against = f"change from {earlier.label()}" if before is not None else tile.no_change_note
            # The period named: the overview's 4-week figures for the same department are close by.
            st.caption(" · ".join([f"{selection.period.label()}: {top.met:,} met of {top.decided:,} decided",
                                   *scorecard.headline_notes(tile, top, min_count, against)]))
        if role.partner == "requester_department":  # as provider: where its own breaches and risks are listed
            # A plain link, which loads the page from its URL: st.page_link keeps the sidebar's
            # current choices over the link's within a session, so the department was lost.
            st.markdown(links.same_tab(f"{chosen}'s breaches and requests at risk: SLA adherence →",
                                       links.sla_url(chosen)), unsafe_allow_html=True)
    with tables[i]:
        table(scorecard.partner_rows(per_partner, role.partner, min_count).rename(columns=MATRIX_COUNTS),
              f"scorecard-{chosen}-{role.short}",  # e.g. scorecard-finance-as-provider.csv
              # Narrow, so that the breaches the rows are ordered by, and the goal, stay in view in half a
              # laptop's width.
              column_config={"adherence": st.column_config.NumberColumn("adherence", format="percent", width=74),
                             "goal": st.column_config.NumberColumn("goal", format="percent", width=60),
                             "too_few": st.column_config.CheckboxColumn(
                                 "too few", width=58,
                                 help=f"Too few to trust: fewer than {min_count} decided targets"),
                             "n_targets_breached": st.column_config.NumberColumn(
                                 "breached", width=68, help="SLA targets breached in the period")},
              # The role named: on a narrow screen the columns stack, the two tables one after the other.
              caption=f"{chosen} {role.short}, most targets breached first. created: requests created in the "
              "period; targets met and breached: decided in it (a request created earlier may be decided now). An "
              f"adherence from fewer than {min_count} decided targets is too few to trust.")
    with trends[i]:
        chart(trend_charts[role])

st.subheader("Who serves whom: requester department × provider department")
decided = matrix[matrix["n_met"] + matrix["n_breached"] > 0]
if decided.empty:
    explain_empty(replace(selection, filters=internal), "internal SLA targets decided")  # the page's own filters
else:
    chart(charts.goal_heatmap(
        with_totals(decided, keep="column_value", across="row_value", label=ALL_REQUESTERS),
        "column_value", "row_value", "Adherence of internal SLAs (first response and resolution)",
        "Provider department", "Requester department", min_count=organisation().min_count, total=ALL_REQUESTERS,
    ))
    st.caption("A blank cell: no SLA target of that requester department's requests to that provider was decided "
               "in the period.")
    table(
        matrix.rename(columns={"row_value": "requester_department", "column_value": "provider_department",
                               **MATRIX_COUNTS}),
        "internal-matrix",
        caption="created: requests created in the period; targets met and breached, and adherence: decided in it.",
    )
