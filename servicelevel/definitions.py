"""The metric dictionary: one definition per number, shown in the app and the README."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Metric:
    key: str
    name: str
    definition: str


METRICS: tuple[Metric, ...] = (
    Metric("volume", "Volume",
           "Requests created in the period (by created_at, in the organisation's time zone)."),
    Metric("fr_adherence", "First-response adherence",
           "Met / (met + breached) among first-response targets decided in the period: met when the "
           "first response came within the policy's target in business time, breached when the deadline "
           "passed without one (decided at the deadline). Running and n/a requests are not counted."),
    Metric("res_adherence", "Resolution adherence",
           "Met / (met + breached) among resolution targets decided in the period, in business time, "
           "excluding time paused in waiting statuses (pending, on hold) where status history exists."),
    Metric("adherence", "SLA adherence (combined)",
           "Met / (met + breached) over first-response and resolution targets together."),
    Metric("goal", "Goal",
           "Each SLA policy's goal (e.g. 95 %). Where several policies apply, the goal shown is the average "
           "of the decided targets' own goals: the adherence you would see if every policy met its goal exactly."),
    Metric("frt", "First response time (FRT)",
           "From created_at to the first response (a resolution without a reply counts as the first "
           "response), in business hours of the policy's calendar and in calendar hours; median and p90."),
    Metric("resolution_time", "Resolution time",
           "From created_at to resolved_at (or closed_at), business and calendar; median and p90."),
    Metric("breach", "Breach",
           "A target whose deadline passed before the response/resolution; overrun = business time past the target."),
    Metric("at_risk", "At risk",
           "Running requests whose deadline falls within the next N business hours of the as-of instant."),
    Metric("backlog", "Backlog",
           "Requests open at the end of the period (created before it, not resolved or closed before it); "
           "ageing buckets by calendar age at that moment."),
    Metric("promises_kept", "Promises kept",
           "Among requests with a due date (a promise) falling in the period and already decided: "
           "resolved on or before the due date / all decided (late or still open past due)."),
    Metric("reopen_rate", "Reopen rate",
           "Resolved requests with reopen_count > 0 / resolved requests."),
    Metric("csat", "CSAT %",
           "Share of survey answers scoring 4-5 on the 1-5 scale (other scales normalised first: "
           "1-10 and NPS 0-10 linearly, good = 5, bad = 1), by the week the answer was submitted."),
    Metric("mean_score", "Mean score", "Average normalised score (1-5) of the answers."),
    Metric("response_rate", "Response rate", "Survey answers / requests resolved in the period."),
    Metric("as_of", "As of",
           "Running SLAs are judged at the earlier of now and the newest timestamp in the data, so an "
           "export viewed later does not turn every then-open request into a breach."),
    Metric("week", "Week",
           "ISO week, Monday to Sunday, in the organisation's time zone; 'last week' is the last complete week."),
    Metric("small_counts", "Too few to trust",
           "A rate from fewer than the configured minimum (30) is flagged and shown with its 95 % Wilson interval."),
)

BY_KEY = {m.key: m for m in METRICS}


def definition(key: str) -> str:
    """The definition text of one metric."""
    return BY_KEY[key].definition
