"""One request: its fields, SLA clocks, status history and feedback (the drill-down target)."""

import pandas as pd
import streamlit as st

from servicelevel.calendars import TWENTY_FOUR_SEVEN
from servicelevel.datainfo import lagging_request_note
from servicelevel.fields import VALUE_LABELS
from servicelevel.settings import organisation
from servicelevel.ui import frame, links
from servicelevel.ui.data import info, run_query
from servicelevel.ui.widgets import as_typed, field_text, hours_text, local_time, table, table_time
from servicelevel.wording import counted

# The request's promise (request_detail.promise_outcome), as Promises kept counts it; a broken one
# by whether it is resolved by now.
PROMISE_SAID = {"kept": "kept (resolved by its due date)", ("broken", True): "broken (resolved after its due date)",
                ("broken", False): "broken (still open past its due date)", "pending": "not due yet (open)",
                "unknown": "neither kept nor broken (its status says resolved or closed, but the export gives "
                           "no time)"}

MAX_MATCHES = 50  # requests listed for an id not found, whose id starts with what was typed

selection = frame.selection(period_notes=False)  # one request: the period is not the subject
frame.filters_not_used_here()
st.title("Request lookup")
left, right = st.columns([1, 2])
source = left.text_input("Source", key="source", bind="query-params", placeholder="e.g. jira")
request_id = right.text_input("Request id", key="id", bind="query-params", placeholder="e.g. FIN-1234")

source, request_id = (source or "").strip(), (request_id or "").strip()  # as pasted, spaces and all
if not request_id:
    st.info("Enter a request id, or click a request id in any table of the other pages.")
    st.stop()

# Ids are matched in any letter case, as typed or pasted; an id is usually unique across sources,
# so without a source the one source that has it is taken.
held = run_query("request_by_id", {"request_id": request_id})
exact = held[held["source"].str.lower() == source.lower()] if source else held
if len(exact) == 1:
    source, request_id = exact.iloc[0]["source"], exact.iloc[0]["request_id"]
elif len(exact) > 1:  # the same id in several sources: which one is the reader's to say
    st.info(f"Request id '{as_typed(request_id)}' is in {len(exact)} sources ({', '.join(sorted(exact['source']))}): "
            "click the one you mean, or enter its source above.")
    table(links.with_request_links(exact), "request-in-sources", column_config=links.LINK_COLUMN)
    st.stop()

detail = run_query("request_detail", {"source": source, "request_id": request_id, "as_of": selection.as_of})
if detail.empty:
    where = f"in source '{as_typed(source)}'" if source else "in any source"
    if not held.empty:  # the id itself held by another source (a link that named the wrong one)
        st.warning(f"No request '{as_typed(request_id)}' {where}; it is in source "
                   f"{', '.join(sorted(held['source']))}: click it below.")
        table(links.with_request_links(held), "request-elsewhere", column_config=links.LINK_COLUMN)
        st.stop()
    matches = run_query("request_search", {"prefix": request_id, "max_rows": MAX_MATCHES})
    if matches.empty:
        st.warning(f"No request '{as_typed(request_id)}' {where}, and no id starts with '{as_typed(request_id)}'.")
    else:
        n_matching = int(matches["n_matching"].iloc[0])
        listed = ("requests whose id starts with what you typed" if n_matching <= MAX_MATCHES else
                  f"the {MAX_MATCHES} newest of the {n_matching:,} requests whose id starts with what you typed "
                  "(type more of it to narrow them)")
        st.caption(f"No request '{as_typed(request_id)}' {where}; {listed}:")
        table(links.with_request_links(matches.drop(columns="n_matching")), "request-search",
              column_config=links.LINK_COLUMN)
    st.stop()

row = detail.iloc[0]
# A requester or provider type the source never recorded is the import's default, not data.
unrecorded = run_query("source_fields", {})
unrecorded = set(unrecorded.loc[unrecorded["source"] == row["source"], "field"])
requester = field_text(row["requester_department"]) or field_text(row["requester_org"]) or field_text(row["requester_id"])
requester_type = field_text(row["requester_type"], "unknown")
if "requester_type" in unrecorded:
    requester = f"requester {requester} ({requester_type} by default: source {row['source']} records no requester type)"
else:
    requester = f"{requester_type} requester {requester}"
provider_type = VALUE_LABELS.get(row["provider_type"], field_text(row["provider_type"], "provider type unknown"))
if "provider_type" in unrecorded:
    provider_type += f" by default: source {row['source']} records no provider type"
# The export's own text, shown as it is rather than read as formatting.
st.subheader(as_typed(f"{row['request_id']} · {field_text(row['subject'], '(no subject)')}"))
# Each field named, coded ones in words ("walk-in", "on hold"), and what the export left empty
# said as such, as the heatmaps name a request without a provider department.
coded = {field: VALUE_LABELS.get(row[field], field_text(row[field], "none"))
         for field in ("priority", "channel", "status")}
st.caption(as_typed(
    f"{row['source']} · {requester} → {field_text(row['provider_department'], '(no provider department)')} "
    f"({provider_type}) · priority {coded['priority']} · channel {coded['channel']} · "
    f"category {field_text(row['category'], 'none')} · agent {field_text(row['agent'], 'none recorded')} · "
    f"status {coded['status']} (raw: {field_text(row['status_raw'], 'none')})"
))
# Where the values above come from, to trace one that looks wrong back to its file.
if pd.notna(row["imported_at"]):
    st.caption(as_typed(f"Last changed by import #{row['import_id']}, {row['import_file_name']}, on "
                        f"{local_time(row['imported_at'])} (Data & definitions, Import history)."))
# A 2024 export's open request beside this year's data: years on its clocks. Only an open
# request's clocks run on, so only for one are the sources looked up.
if row["is_open"] and (lagging := lagging_request_note(run_query("sources", {}), row["source"],
                                                        info().data_as_of, organisation().zone)):
    st.warning(as_typed(lagging))
paused_now = bool(row.get("res_is_paused")) and row["res_state"] == "running"
# One column per clock, a line per fact: two clocks of ten facts read down a narrow screen, where
# a row per clock ran off its right edge.
clock_names = {"fr": "first response", "res": "resolution"}
# A 24x7 policy's clock counts every hour: "business h" would misname it.
around_the_clock = row["calendar_name"] == TWENTY_FOUR_SEVEN
policy_hours = "24x7 h" if around_the_clock else "business h"
facts = {
    "state": lambda m: field_text(row[f"{m}_state"], "none") + (", paused" if paused_now and m == "res" else ""),
    "deadline": lambda m: table_time(row[f"{m}_deadline_at"]),
    "stopped at": lambda m: table_time(row[f"{m}_stopped_at"]),
    f"target ({policy_hours})": lambda m: hours_text(row[f"{m}_target_secs"]),
    f"elapsed ({policy_hours})": lambda m: hours_text(row[f"{m}_business_secs_so_far"]),
    "elapsed (calendar h)": lambda m: hours_text(row[f"{m}_calendar_secs_so_far"]),
}

def clock_fact(fact: str, m: str) -> str:
    """A clock's fact; for a clock that does not apply, its state alone: the policy's deadline and
    target beside "n/a" read as ones the request missed."""
    return facts[fact](m) if fact == "state" or row[f"{m}_state"] != "n/a" else ""


clocks = pd.DataFrame([{"SLA clock": fact, **{name: clock_fact(fact, m) for m, name in clock_names.items()}}
                       for fact in facts])
source_has_history = bool(run_query("source_has_events", {"source": row["source"]}).iloc[0]["has_events"])
# Pauses are read from the status history: without one, a request waiting on its customer now
# ("pending") runs on, and "less any time paused" read as if it had been left out.
paused_said = (", less any time paused in a waiting status." if source_has_history else
               f". Source {row['source']} has no status history, so no time in a waiting status is known, nor left "
               "out: its clocks run through them.")
st.markdown("**SLA clocks**")
table(clocks, f"request-{request_id}-sla",
      caption=f"Policy {field_text(row['policy_name'], 'none')} · calendar {field_text(row['calendar_name'], 'none')}. "
              f"Elapsed = until the clock stopped, or so far (as of {local_time(selection.as_of)}) while it runs. "
              + ("24x7 h: every hour counts, day and night" if around_the_clock
                 else "Business h: the hours the policy's calendar is open")
              + paused_said)
# Why a clock is n/a, in a sentence: the reasons run longer than a table cell shows.
not_applicable = [f"{name}, because {row[f'{m}_na_reason']}" for m, name in clock_names.items()
                  if field_text(row[f"{m}_na_reason"])]
if not_applicable:
    st.caption(as_typed("Not applicable (n/a): " + "; ".join(not_applicable) + "."))
if paused_now:
    st.caption("The resolution clock is paused now (the request waits in a paused status): it cannot breach "
               "while paused, and its deadline is where it would fall if work resumed now.")
if pd.notna(row.get("res_paused_business_secs")) and row["res_paused_business_secs"]:
    st.caption(f"Resolution clock paused for {row['res_paused_business_secs'] / 3600:.1f} "
               f"{'hours' if around_the_clock else 'business hours'} "
               "(waiting statuses): left out of the elapsed time on the policy's clock, not of the calendar time, "
               "which counts every hour since creation.")

# A reopened request's export keeps only its last resolution: the timeline says so, and where
# the earlier ones are (or that nothing here holds them).
reopens = int(row["reopen_count"]) if pd.notna(row["reopen_count"]) else 0
resolved = "resolved (the last time)" if reopens and pd.notna(row["resolved_at"]) else "resolved"
timeline = pd.DataFrame(
    [(name, row[column]) for name, column in (
        ("created", "created_at"), ("first response", "first_response_at"), ("due (promise)", "due_at"),
        (resolved, "resolved_at"), ("closed", "closed_at"), ("last updated", "updated_at"),
    ) if pd.notna(row[column])],
    columns=["moment", "at"],
).sort_values("at")
events = run_query("request_events", {"source": row["source"], "request_id": row["request_id"]})
timeline_notes = []
if pd.notna(row["due_at"]):
    promise = row["promise_outcome"]
    if promise == "broken":
        promise = (promise, pd.notna(row["resolved_at"]) or pd.notna(row["closed_at"]))
    timeline_notes.append(
        "due (promise): the date the request was promised for in the export, counted by Promises kept; the SLA "
        f"deadlines above come from the policy's targets. This promise: {PROMISE_SAID[promise]}.")
if reopens:
    earlier = ("in the status history below, where recorded" if not events.empty
               else "no status change of this request is recorded" if source_has_history
               else f"not known (source {row['source']} has no status history)")
    times = "once" if reopens == 1 else counted(reopens, "time")
    last = "the export gives its last resolution only" if pd.notna(row["resolved_at"]) else "not resolved since"
    timeline_notes.append(f"Reopened {times}: {last}. Earlier resolutions: {earlier}.")
st.markdown("**Timeline**")
table(timeline, f"request-{request_id}-timeline", caption=" ".join(timeline_notes) or None)
st.markdown("**Status history**")
if not events.empty:
    table(events, f"request-{request_id}-events")
elif source_has_history:
    st.caption("No status change of this request is recorded.")
else:
    st.caption(f"Source {row['source']} has no status history (no status-change export was imported for it): "
               "only the request's current status is known.")
answers = run_query("request_feedback", {"source": row["source"], "request_id": row["request_id"]})
if not answers.empty:
    st.markdown("**Feedback**")
    table(answers, f"request-{request_id}-feedback", column_config={"score": st.column_config.NumberColumn(
        "score (1-5)", format="%.1f", help="The answer put on 1-5 whatever its survey's scale, as CSAT counts it: "
        "4 or more is satisfied.")})
