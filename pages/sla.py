"""SLA adherence: where targets are met, how long things take, what breached and what is at risk."""

import pandas as pd
import streamlit as st

from servicelevel import attention, breakdown, charts, promises, scorecard, weekly
from servicelevel.definitions import OVERRUN, definition
from servicelevel.kpis import with_totals
from servicelevel.rounding import half_up
from servicelevel.settings import organisation
from servicelevel.ui import frame, links
from servicelevel.ui.data import info, run_query
from servicelevel.ui.link_values import bound_choice, bound_slider
from servicelevel.ui.widgets import (
    MATRIX_COUNTS, chart, explain_empty, good_news, good_news_about_open_work, local_time, movers_columns,
    nothing_recorded, scroll_to_linked_section, spelled_out, table, tile_metric,
)
from servicelevel.viewlinks import BACKLOG_ANCHOR, BREACHES_ANCHOR, PROMISES_ANCHOR, WHAT_MOVED_ANCHOR
from servicelevel.wording import all_of

METRICS = {"first_response": "First response", "resolution": "Resolution"}
AS_ADJECTIVE = {"first_response": "First-response", "resolution": "Resolution"}  # as the overview's tiles spell it
MAX_ROWS = 5000
ALL_PRIORITIES = "all priorities"  # the heatmap's column per department, over its priorities together
SHIFT_CHART_VALUES = 12  # the values with the most extra breaches; the table lists every one
HISTOGRAM = {"first_response": (0.5, 24.0), "resolution": (4.0, 160.0)}  # bin width, last bin (hours)
STOPPED = {"first_response": "answered", "resolution": "resolved"}  # what stops the clock the histogram shows

selection = frame.selection()
params = selection.params()
st.title("SLA adherence")
st.caption(f"{selection.period.label()} · {selection.filters.describe()}")


def request_list(frame: pd.DataFrame) -> pd.DataFrame:
    """A list of requests with links to each, without the provider column when the sidebar names
    one provider department (every row's): at 1280 pixels, who to chase stays in view."""
    one_provider = len(selection.filters.provider_departments) == 1
    return links.with_request_links(frame.drop(columns="provider_department") if one_provider else frame)


def open_past_deadline(title: str, query: str, late_column: str, late_label: str, said: str, none: str,
                       note: str) -> None:
    """One of the backlog's lists of open requests past a deadline (overdue, no_reply): 'All 9
    requests open at … {said}, longest overdue first. {note}', with how many there are in all,
    though the list stops at MAX_ROWS; without any, 'None of the 10 requests open at … {none}.'
    `note` names the instant the lateness runs to as {at}: the broken promises' hours late run to
    the newest data, and beside them these read as counted to the same instant."""
    st.markdown(f"**{title}**")
    rows = run_query(query, {**params, "end_at": backlog_end, "max_rows": MAX_ROWS})
    at = local_time(backlog_at)
    if rows.empty:
        st.caption(f"None of the {n_open:,} requests open at {at} {none}.")
        return
    count_column = f"n_{query}"
    n = int(rows[count_column].iloc[0])
    listed = (all_of(n, "request", "requests") if n <= MAX_ROWS
              else f"The {MAX_ROWS:,} longest overdue of the {n:,} requests")
    table(request_list(rows.drop(columns=count_column)), f"sla-{query.replace('_', '-')}",
          column_config={**links.LINK_COLUMN, late_column: st.column_config.NumberColumn(late_label, format="%.1f")},
          caption=f"{listed} open at {at} {said}{', longest overdue first' if n > 1 else ''}. {note.format(at=at)}"
                  + (f" Status now: a request listed may have been resolved since. {counted_now(query)}"
                     if backlog_at < selection.as_of else ""),
          caption_links=True)  # counted_now's link; the rest is our words and numbers


def counted_now(query: str) -> str:
    """How many such requests there are at the data's newest instant, the count the overview's
    "Needs attention now" gives beside this period's (one click apart, 293 against 288 read as a
    mistake), with a link to the week that lists them."""
    n_now = dict(zip(("overdue", "no_reply"), attention.past_deadline_now(run_query, selection)))[query]
    week = links.sla_page_now_url(selection.as_of, organisation().zone, BACKLOG_ANCHOR)
    there = "there is 1" if n_now == 1 else f"there are {n_now:,}"
    return (f"At the data's newest timestamp, {local_time(selection.as_of)}, {there}, as the weekly "
            f"overview's \"Needs attention now\" counts them: {links.same_tab('listed on the week holding it', week)}.")


def adherence_matrix(metric: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One target's adherence by provider department x priority, every row and those decided."""
    matrix = run_query(
        "adherence_matrix",
        {**params, "row_dimension": "provider_department", "column_dimension": "priority", "metric": metric},
    )
    # Requests without a department or priority are a group of their own (a blank breaks the heatmap).
    matrix = matrix.fillna({"row_value": weekly.no_value("provider_department"),
                            "column_value": weekly.no_value("priority")})
    # The table lists priorities in the heatmap's order (urgent first, others after), not alphabetically.
    priority_rank = {priority: i for i, priority in enumerate(charts.PRIORITY_ORDER)}
    matrix = matrix.sort_values(
        ["row_value", "column_value"],
        key=lambda c: c.map(lambda v: priority_rank.get(v, len(priority_rank))) if c.name == "column_value" else c,
        kind="stable",
    )
    return matrix, matrix[matrix["n_met"] + matrix["n_breached"] > 0]


# Both targets' headlines first, whichever the sections below show: the overview's brief may flag
# either, and the page opens on resolution. Each is the number its heatmap's cells add up to (the
# overview's tile, for a week), with its change from the period of the same length before.
earlier = selection.period.previous()
reaches_back = info().reaches_into(earlier)
# Without a period before in the data, its span is empty: nothing is counted for it.
before_start = (earlier if reaches_back else selection.period).params()["start_at"]
totals = run_query("target_totals", {**params, "before_start_at": before_start})
headlines, headlines_before = (scorecard.target_headlines(totals, period) for period in ("now", "before"))
if headlines:  # else the heatmap's section says why
    min_count = organisation().min_count
    for column, target in zip(st.columns(len(METRICS)), METRICS):
        label = f"{AS_ADJECTIVE[target]} adherence"
        now, before = headlines.get(target), headlines_before.get(target)
        if now is None:
            column.metric(label, "–", border=True)
            column.caption(f"No {METRICS[target].lower()} target decided in the period.")
            continue
        tile = scorecard.headline_tile(
            label, now, before, None, min_count,
            f"Every department and priority the filters keep: {now.met:,} targets met and "
            f"{now.decided - now.met:,} breached among those decided in the period; the change is from the period "
            "of the same length before.", so_far=selection.period_running,
            no_change_note="nothing decided the period before" if reaches_back else "no period before in the data")
        with column:
            tile_metric(tile, sparkline=False)
        against = f"change from {earlier.label()}" if before is not None else tile.no_change_note
        column.caption(" · ".join([f"{now.met:,} met of {now.decided:,} decided",
                                   *scorecard.headline_notes(tile, now, min_count, against)]))

metric = bound_choice(
    st.segmented_control, "Target", list(METRICS), format_func=METRICS.get, default="resolution", required=True,
    key="metric",
    help="The target the heatmap and the time distribution show. The breach and at-risk lists below show both.",
)

st.subheader(f"{AS_ADJECTIVE[metric]} adherence by provider department and priority")
matrix, decided = adherence_matrix(metric)
if decided.empty:
    explain_empty(selection, "SLA targets decided")
else:
    chart(charts.goal_heatmap(
        with_totals(decided, keep="row_value", across="column_value", label=ALL_PRIORITIES),
        "column_value", "row_value", f"{AS_ADJECTIVE[metric]} adherence", "Priority", "Provider department",
        min_count=organisation().min_count, x_order=charts.PRIORITY_ORDER, total=ALL_PRIORITIES,
    ))
    table(matrix.rename(columns={"row_value": "provider_department", "column_value": "priority", **MATRIX_COUNTS}),
          f"adherence-{metric}-department-priority",
          caption="created: requests created in the period; targets met and breached: decided in it (a request "
                  "created earlier may be decided now), so they need not add up to the requests created.")

st.subheader(f"What moved adherence: the last {weekly.RECENT_WEEKS} weeks against the {weekly.BASELINE_WEEKS} before",
             anchor=WHAT_MOVED_ANCHOR)
split = bound_choice(
    st.segmented_control, "Split by", list(breakdown.SPLITS), format_func=lambda d: breakdown.SPLITS[d][0].capitalize(),
    default="category", required=True, key="split",
    help="Which values a change in adherence comes from, both targets together. The weeks end with the "
         "period's last whole week, as the overview's slipping table counts them.",
)
shift = breakdown.breakdown(run_query, selection, weekly.focus_week(selection), split)
named = breakdown.SPLITS[split][0]
if not shift.comparable:  # when the filters exclude every request of the 12 weeks, says that instead
    nothing_recorded(selection.over(shift.baseline.through(shift.recent)), shift.verdict(), "SLA targets decided")
else:
    st.text(shift.verdict())  # plain text: a category or agent may hold Markdown's $, * or _
    compared = shift.chart_rows(SHIFT_CHART_VALUES)
    if compared.empty:
        st.caption(f"No {named} has {shift.min_decided} decided targets or more in both spans: the table lists "
                   "them all, none compared.")
    else:
        chart(charts.paired_rates(spelled_out(compared), named, shift.chart_title(SHIFT_CHART_VALUES),
                                  None, organisation().min_count, list(shift.span_labels)))
if not shift.rows.empty:
    table(shift.rows.rename(columns={"value": split}), f"adherence-shift-by-{split}",
          column_config={**movers_columns(*shift.span_labels),
                         "extra_breaches": st.column_config.NumberColumn("extra breaches", format="%+.0f",
                                                                         help=definition("extra_breaches")),
                         "too_few": st.column_config.CheckboxColumn("too few to compare")},
          caption=shift.note())

st.subheader(f"How long {METRICS[metric].lower()} takes")
clock = bound_choice(
    st.segmented_control, "Clock", ["business", "calendar"], format_func=lambda c: f"{c.title()} hours",
    default="business", required=True, key="clock",
)
bin_hours, max_hours = HISTOGRAM[metric]
if clock == "calendar":
    bin_hours, max_hours = bin_hours * 2, max_hours * 2
bins = run_query("duration_histogram", {**params, "metric": metric, "clock": clock,
                                        "bin_hours": bin_hours, "max_hours": max_hours})
if bins.empty:
    nothing_recorded(selection, f"No {METRICS[metric].lower()}s recorded in this period for this selection "
                     "(or the sources lack that timestamp: see Data & definitions).", f"{METRICS[metric].lower()}s")
else:
    summary = bins.iloc[0]
    target = summary["target_hours"] if clock == "business" and pd.notna(summary["target_hours"]) else None
    st.caption(f"{int(summary['n_total']):,} requests {STOPPED[metric]} in the period · median "
               f"{half_up(summary['median_hours'], 1):.1f} h · 9 in 10 within "
               f"{half_up(summary['p90_hours'], 1):.1f} h ({clock} hours)"
               + ("" if clock == "business" else " · targets are business time, so they are marked on business hours only")
               # Why the count differs from the tile's decided targets above.
               + f". The adherence above counts the targets decided in the period instead: a breach counts once its "
                 f"deadline passes, {STOPPED[metric]} or not, and a request no policy covers has no target.")
    chart(charts.duration_histogram(bins, f"{AS_ADJECTIVE[metric]} time, {clock} hours", f"{clock} hours", bin_hours,
                                    target))

st.subheader("Breaches of either target", anchor=BREACHES_ANCHOR)
breaches = run_query("breaches", {**params, "max_rows": MAX_ROWS})
if breaches.empty:
    good_news(selection, "No breaches decided in this period for this selection.", "breaches")
else:
    # The count first: the overview sends readers here for "all of them".
    listed = (all_of(len(breaches), "SLA target", "SLA targets") + " breached in the period"
              if len(breaches) < MAX_ROWS else
              f"The {MAX_ROWS:,} largest breaches (narrow the filters to see the rest)")
    table(request_list(breaches), "sla-breaches", column_config=links.LINK_COLUMN,
          caption=f"{listed}, first response and resolution (the metric column), largest overrun first. Overrun = "
                  f"{OVERRUN}; for a request not stopped yet, up to {local_time(selection.as_of)}.")

st.subheader("Promises: requests due in the period", anchor=PROMISES_ANCHOR)
per_department = run_query("promises_kept", {**params, "dimension": "provider_department"})
if per_department.empty:
    nothing_recorded(selection, "No request in this selection has a due date (a promised date) in this period. "
                     "Exports without a due-date column have none: see Data & definitions.", "due dates")
else:
    st.text(promises.summary(per_department, organisation().promises_kept_goal, organisation().min_count,
                             so_far=selection.period_running))
    not_due_yet = " Not due yet: open, due later." if per_department["n_pending"].any() else ""
    st.caption("Kept: resolved on or before the due date, among those resolved or past due. Broken: resolved late, "
               f"or still open past the due date at {local_time(selection.as_of)}.{not_due_yet} "
               "A request whose status says resolved or closed but whose export gives no time is left out.")
    if len(per_department) > 1:
        table(promises.by_department(per_department), "promises-by-department",
              column_config={"kept_rate": st.column_config.NumberColumn("promises kept", format="percent"),
                             "n_pending": st.column_config.NumberColumn("not due yet")},
              caption="Per provider department, most broken promises first: the one that let the most requesters "
                      "down heads the list, whatever its rate.")
    broken = run_query("broken_promises", {**params, "max_rows": MAX_ROWS})
    if not broken.empty:
        n_broken = int(broken["n_broken"].iloc[0])  # all of them, though the list stops at MAX_ROWS
        listed = (all_of(n_broken, "broken promise", "broken promises") if n_broken <= MAX_ROWS
                  else f"The first {MAX_ROWS:,} of the {n_broken:,} broken promises")
        table(request_list(broken.drop(columns="n_broken")), "broken-promises",
              column_config={**links.LINK_COLUMN,
                             "is_open": st.column_config.CheckboxColumn("still open"),
                             "hours_late": st.column_config.NumberColumn("hours late", format="%.1f")},
              caption=f"{listed}: still open first (work someone can still finish), then most "
                      f"hours late. Hours late: calendar hours from the due date to the resolution, or to "
                      f"{local_time(selection.as_of)} while open.")

st.subheader("At risk: open requests close to either deadline")
as_of_choice = bound_choice(
    st.segmented_control, "As of", ["Now", "End of period"], default="Now", required=True, key="risk_as_of",
    help="Now: the data's newest timestamp. End of period: what was about to breach when the chosen period ended.",
)
within_hours = bound_slider("Deadline within the next … business hours", 1, 40, 8, key="risk_hours",
                            unit="business hours")
risk_params = {**params, "within_secs": within_hours * 3600, "max_rows": MAX_ROWS}
period_end = selection.period.bounds()[1]
if as_of_choice == "Now" or period_end >= selection.as_of:
    as_of = selection.as_of
    at_risk = run_query("at_risk_now", risk_params)
else:  # an earlier instant: judged from the SLA clocks themselves
    as_of = period_end
    at_risk = run_query("sla_at_risk", {**risk_params, "as_of": as_of})
if at_risk.empty:
    good_news_about_open_work(selection, f"No running request is due within {within_hours} business hours of "
                              f"{local_time(as_of)}.", "requests at risk", as_of)
else:
    past = f" 'Now' is the data's newest timestamp, {local_time(as_of)}." if as_of == selection.as_of else (
        f" Looking back from {local_time(as_of)}: a pause that began later already moves a deadline, and "
        "'paused' says whether the request is paused now.")
    listed = (all_of(len(at_risk), "SLA target", "SLA targets") + f" falling due within {within_hours} business hours"
              if len(at_risk) < MAX_ROWS else
              f"The {MAX_ROWS:,} SLA targets due soonest (narrow the filters to see the rest)")
    table(request_list(at_risk), "sla-at-risk", column_config=links.LINK_COLUMN, as_of=as_of,
          caption=f"{listed}, first response and resolution (the metric column), least business time left first: an "
          "office-hours request due tomorrow morning can come before a 24x7 one due tonight." + past)

st.subheader("Backlog at the period's end, by age", anchor=BACKLOG_ANCHOR)
# A period not over in the data (the current week) ends at the data's newest instant: ages
# counted to a later midnight would grow by days nothing is known about.
backlog_at = min(period_end, selection.as_of)
backlog_end = period_end if period_end <= selection.as_of else selection.open_work_at
backlog = run_query("backlog", {**params, "end_at": backlog_end})
n_open = int(backlog["n_open"].sum())
if n_open == 0:
    good_news_about_open_work(selection, f"No request was open at {local_time(backlog_at)} for this selection.",
                              "open requests", backlog_at)
else:
    table(backlog.drop(columns="bucket_order"), "sla-backlog-by-age",
          column_config={"bucket": st.column_config.TextColumn("age"),
                         "n_past_deadline": st.column_config.NumberColumn("past their resolution deadline")},
          caption=f"{n_open:,} requests open at {local_time(backlog_at)}, by calendar age then"
                  f"{' (the newest data: the period is not over)' if backlog_at < period_end else ''}. A request "
                  "whose status says resolved or closed but whose export gives no resolution time is left out.")

    open_past_deadline(
        "Open past their resolution deadline", "overdue", "days_overdue", "days overdue",
        said="past the resolution deadline (the table above counts them by age)",
        none="was past its resolution deadline",
        note="Days overdue: calendar days from the deadline to {at}. Paused time already moved each deadline.")
    open_past_deadline(
        "Open with no reply past their first-response deadline", "no_reply", "hours_overdue", "hours overdue",
        said="with no first response although the first-response deadline had passed",
        none="was waiting for a first response past its deadline",
        note="A request past both deadlines is in both lists. Hours overdue: calendar hours from the first-response "
             "deadline to {at}.")

scroll_to_linked_section()  # the overview's tiles and tables link to sections of this page
