"""Weekly overview for leadership: KPIs against goals, 12-week trends, slipping departments, movers, breaches."""

from html import escape

import streamlit as st

from servicelevel import attention, charts, weekly
from servicelevel.definitions import OVERRUN
from servicelevel.movers import CHANCE_NOTE
from servicelevel.settings import organisation
from servicelevel.ui import frame, links
from servicelevel.ui.data import run_query
from servicelevel.ui.report_download import report_buttons
from servicelevel.ui.widgets import (
    chart, explain_empty, good_news_about_open_work, kpi_tiles, local_time, movers_columns, nothing_recorded, table,
)
from servicelevel.viewlinks import BACKLOG_ANCHOR, BREACHES_ANCHOR
from servicelevel.wording import all_of, the_first

# The departments ranked here are those serving the requests: said, where internal customers
# are departments too.
PROVIDER = {"department": st.column_config.TextColumn("provider department")}

selection = frame.selection(shown_period=weekly.focus_week)  # a range's last whole week may be over, the range not
org = organisation()
kpis = weekly.weekly_kpis(run_query, selection, org)
week = kpis.week
st.title("Weekly overview")
compared = ("compared with the week before" if len(kpis.overall) > 1
            else "the first week of the data: none before it to compare with")
st.caption(f"{week.label()} · {selection.filters.describe()} · {compared}")
range_note = weekly.custom_range_note(selection, week)
if range_note:
    st.info(range_note)
report_buttons(selection)

slipping = weekly.slipping(run_query, selection, week, min_count=org.min_count)
if kpis.is_empty:
    explain_empty(selection, "requests this week")
else:
    with st.container(border=True):  # the weekly report opens with the same sentences
        st.markdown("**In brief**\n\n" + "\n".join(f"- {line}" for line in weekly.brief(kpis.tiles, slipping)))
    kpi_tiles(list(kpis.tiles), more=links.behind_tiles(kpis.tiles, week.start))
    for note in kpis.mix_notes:
        st.caption(note)

n_weeks = kpis.overall["week_start"].nunique()
who = " and ".join(kpis.segments) + " customers" if len(kpis.segments) > 1 else f"{kpis.segments[0]} customers only"
st.subheader(f"{n_weeks}-week trends: {who}" if n_weeks > 1 else f"Trends: {who} (the data starts this week)")
if one_segment := kpis.one_segment_note(selection.filters):
    st.caption(one_segment)
if kpis.trend_is_empty:
    span = f"the {n_weeks} weeks ending with {week.label()}" if n_weeks > 1 else week.label()
    st.caption(f"Nothing was created, decided or answered for this selection in {span} either, so there are no "
               "trends to draw.")
else:
    trends = weekly.trend_charts(kpis)
    # Side by side, each pair's plots level (charts.levelled).
    fr_adherence, res_adherence = charts.levelled(trends["fr_adherence"], trends["res_adherence"])
    n_created, csat = charts.levelled(trends["n_created"], trends["csat"])
    left, right = st.columns(2)
    with left:
        chart(fr_adherence)
        chart(n_created)
    with right:
        chart(res_adherence)
        chart(csat)
    table(
        kpis.table_rows,
        "weekly-kpis",
        # The tiles' headings, short enough to show the tiles' values side by side on a laptop.
        column_config={"fr_adherence": st.column_config.NumberColumn("response adherence", format="percent"),
                       "median_frt_business_hours": st.column_config.NumberColumn(
                           "median first response (h)", format="%.1f", help="In business hours, as the tile"),
                       "backlog_at_end": st.column_config.NumberColumn("backlog at week end", format="localized")},
        caption="The numbers behind the tiles and charts, per week and segment: 'all' is every request the "
        + ("filters keep, which internal and external split." if len(kpis.segments) > 1 else
           f"filters keep, all of them {kpis.only_segment}." if kpis.only_segment else
           f"filters keep ({kpis.segments[0]} and some without a requester type), '{kpis.segments[0]}' those of "
           f"{kpis.segments[0]} requesters."),
    )

st.subheader(f"Slipping: the last {weekly.RECENT_WEEKS} weeks against the {weekly.BASELINE_WEEKS} before")
said = f"{slipping.verdict()} {slipping.note()}"
if slipping.compared.empty:
    nothing_recorded(selection.over(slipping.baseline.through(slipping.recent)), said, "SLA targets decided")
elif slipping.all_clear:
    st.success(said)
elif slipping.departments.empty:
    st.info(said)
else:
    table(links.with_what_moved_links(slipping.departments), "slipping", caption=f"{said} {CHANCE_NOTE}",
          column_config={**movers_columns(f"last {weekly.RECENT_WEEKS} weeks", f"{weekly.BASELINE_WEEKS} weeks before"),
                         **links.WHAT_MOVED_COLUMN, **PROVIDER})

st.subheader(f"Every department against its goal: the last {weekly.RECENT_WEEKS} weeks")
standings = slipping.every_department
if standings.empty:
    nothing_recorded(selection.over(slipping.recent),
                     f"No provider department has {weekly.MOVERS_MIN_DECIDED} decided SLA targets and a goal over "
                     f"the last {weekly.RECENT_WEEKS} weeks for this selection.", "SLA targets decided")
else:
    number = st.column_config.NumberColumn
    table(links.with_what_moved_links(standings), "every-department-against-goal",
          column_config={"adherence": number(f"adherence, last {weekly.RECENT_WEEKS} weeks", format="percent"),
                         "goal": number("goal", format="percent"),
                         "gap_pp": number("against goal (pp)", format="%+.1f"),
                         "too_few": st.column_config.CheckboxColumn("too few to trust"),
                         # A short header: a long one widened the column until its right-aligned
                         # figures fell outside a 1280-pixel page's view, and it looked empty.
                         "change_pp": number("change (pp)", format="%+.1f",
                                             help=f"Against the department's own adherence over the "
                                                  f"{weekly.BASELINE_WEEKS} weeks before the last "
                                                  f"{weekly.RECENT_WEEKS}; blank where those hold fewer than "
                                                  f"{weekly.MOVERS_MIN_DECIDED} decided targets."),
                         "n_decided": number("decided", format="localized"), **links.WHAT_MOVED_COLUMN, **PROVIDER},
          caption=slipping.every_department_note())

st.subheader("Movers: departments whose adherence changed most since the week before")
movers = weekly.movers(run_query, selection, week)
if movers.empty and len(kpis.overall) == 1:
    st.info("The data starts this week: there is no week before it to compare departments with.")
elif movers.empty:
    nothing_recorded(selection, f"Not enough decided SLA targets in both weeks to compare departments "
                     f"(at least {weekly.MOVERS_MIN_DECIDED} each).", "SLA targets decided")
else:
    table(
        movers,
        "movers",
        column_config={**movers_columns("this week", "week before"), **PROVIDER},
        # Named: the scorecard's rate for the same department, internal requesters only, differs.
        caption=f"First-response and resolution targets together, of every requester the filters keep (the Internal "
        f"departments page's scorecard counts internal requesters only); departments with fewer than "
        f"{weekly.MOVERS_MIN_DECIDED} decided targets in either week are left out."
        f"{weekly.running_span_note(week, selection.as_of)} {CHANCE_NOTE}",
    )

st.subheader("The week's largest breaches")
breaches = weekly.top_breaches(run_query, selection, week)
if breaches.empty and kpis.n_decided == 0:
    nothing_recorded(selection, "No SLA targets were decided this week for this selection, so there are no breaches "
                     "to list.", "SLA targets decided")
elif breaches.empty:
    st.success(f"None of the {kpis.n_decided:,} SLA targets decided this week for this selection breached.")
else:
    all_breaches = links.sla_page_week_url(week.start, BREACHES_ANCHOR)
    table(
        links.with_request_links(breaches),
        "breaches-this-week",
        column_config=links.LINK_COLUMN,
        caption=(f"{all_of(kpis.n_breaches, 'SLA target', 'SLA targets')} breached this week, largest overrun first"
                 if len(breaches) >= kpis.n_breaches else
                 f"The {len(breaches)} largest overruns of the {kpis.n_breaches:,} SLA targets breached this week (all "
                 f"of them: {links.same_tab('SLA adherence page', all_breaches)})")
        + f"; for a request not stopped yet, counted up to {local_time(selection.as_of)}, not to the week's end. "
        f"Overrun = {OVERRUN}. Click an id for its timeline.",
        caption_links=True,
    )

st.subheader("Needs attention now")
now = attention.attention(run_query, selection)
if now.all_clear:
    good_news_about_open_work(selection, now.sentence(org.zone), "open requests", now.as_of)
else:
    st.text(now.sentence(org.zone))  # plain text: a department's name is not Markdown
    every_one = links.sla_page_now_url(now.as_of, org.zone, BACKLOG_ANCHOR)
    table(now.named_groups(), f"attention-by-{now.split_name}", as_of=now.as_of,
          # Headers short enough for the five columns to fit 1280 px; the caption says each in full.
          column_config={"n_overdue": st.column_config.NumberColumn("past resolution deadline", format="localized"),
                         "n_long_overdue": st.column_config.NumberColumn(
                             f"of them, over {now.long_overdue_days} days", format="localized"),
                         "n_no_reply": st.column_config.NumberColumn(
                             "no reply, past deadline", format="localized",
                             help="Open with no first response yet, past the first-response deadline"),
                         "n_due_soon": st.column_config.NumberColumn(f"due within {now.within_hours} business h",
                                                                     format="localized")},
          caption=f"Per {now.split_name}" + (f" {escape(now.provider)} serves" if now.provider else "") + ": open "
                  "requests past their resolution deadline (those over "
                  f"{now.long_overdue_days} days past it are often work done but never closed in the tool: worth "
                  "a clean-up), open requests with no reply past their first-response deadline (a request can "
                  "count in both), and SLA targets falling due soon (first response and resolution apart). "
                  "Counted now, whichever week the page shows. Every one is listed on the "
                  f"{links.same_tab('SLA adherence page', every_one)}, on the week of the newest data: its backlog's "
                  "overdue and no-reply lists, and its at-risk list just above them.", caption_links=True)
    if not now.due_soonest.empty:
        # Headed: under the table above, with only a caption below, it read as part of that table.
        st.markdown(f"**{the_first(len(now.due_soonest), 'target', 'targets')} due soonest**")
        table(links.with_request_links(now.due_soonest), "due-soonest", column_config=links.LINK_COLUMN,
              as_of=now.as_of, caption="Least business time left first, counted now.")
