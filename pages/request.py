"""One request: its fields, SLA clocks, status history and feedback (the drill-down target)."""

import pandas as pd
import streamlit as st

from servicelevel.ui import frame, links
from servicelevel.ui.data import run_query
from servicelevel.ui.widgets import table

selection = frame.selection()
st.title("Request")
left, right = st.columns([1, 2])
source = left.text_input("Source", key="source", bind="query-params", placeholder="e.g. jira")
request_id = right.text_input("Request id", key="id", bind="query-params", placeholder="e.g. FIN-1234")

if not request_id:
    st.info("Enter a request id, or click an id in any breaches or at-risk table.")
    st.stop()

detail = run_query("request_detail", {"source": source, "request_id": request_id, "as_of": selection.as_of})
if detail.empty:
    matches = run_query("request_search", {"prefix": request_id})
    if matches.empty:
        st.warning(f"No request '{request_id}' in source '{source}', and no id starts with '{request_id}'.")
    else:
        st.caption("No exact match in that source; requests whose id starts with what you typed:")
        table(links.with_request_links(matches), "request-search", column_config=links.LINK_COLUMN)
    st.stop()

row = detail.iloc[0]
st.subheader(f"{row['request_id']} · {row['subject'] or '(no subject)'}")
st.caption(
    f"{row['source']} · {row['requester_type']} requester "
    f"{row['requester_department'] or row['requester_org'] or ''} → {row['provider_department'] or '?'} "
    f"({row['provider_type']}) · {row['priority'] or 'no priority'} · {row['channel'] or 'no channel'} · "
    f"status {row['status']} (raw: {row['status_raw']})"
)
clocks = pd.DataFrame(
    [
        {
            "metric": label,
            "policy": row["policy_name"],
            "state": row[f"{prefix}_state"],
            "target (business h)": None if pd.isna(row[f"{prefix}_target_secs"]) else row[f"{prefix}_target_secs"] / 3600,
            "elapsed (business h)": None if pd.isna(row[f"{prefix}_elapsed_business_secs"]) else row[f"{prefix}_elapsed_business_secs"] / 3600,
            "elapsed (calendar h)": None if pd.isna(row[f"{prefix}_elapsed_calendar_secs"]) else row[f"{prefix}_elapsed_calendar_secs"] / 3600,
            "deadline": row[f"{prefix}_deadline_at"],
            "stopped at": row[f"{prefix}_stopped_at"],
            "n/a because": row[f"{prefix}_na_reason"],
        }
        for prefix, label in (("fr", "first response"), ("res", "resolution"))
    ]
)
table(clocks, f"request-{request_id}-sla")
if pd.notna(row.get("res_paused_business_secs")) and row["res_paused_business_secs"]:
    st.caption(f"Resolution clock paused for {row['res_paused_business_secs'] / 3600:.1f} business hours (waiting statuses).")

timeline = pd.DataFrame(
    [(name, row[column]) for name, column in (
        ("created", "created_at"), ("first response", "first_response_at"), ("due (promise)", "due_at"),
        ("resolved", "resolved_at"), ("closed", "closed_at"), ("last updated", "updated_at"),
    ) if pd.notna(row[column])],
    columns=["moment", "at (UTC)"],
).sort_values("at (UTC)")
st.markdown("**Timeline**")
st.dataframe(timeline, hide_index=True)
events = run_query("request_events", {"source": source, "request_id": request_id})
if not events.empty:
    st.markdown("**Status history**")
    table(events, f"request-{request_id}-events")
answers = run_query("request_feedback", {"source": source, "request_id": request_id})
if not answers.empty:
    st.markdown("**Feedback**")
    table(answers, f"request-{request_id}-feedback")
