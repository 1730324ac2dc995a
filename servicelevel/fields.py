"""The canonical fields of each import kind, and the values the coded fields may take."""

from __future__ import annotations

REQUEST_TIMESTAMPS = (
    "created_at",
    "first_response_at",
    "resolved_at",
    "closed_at",
    "due_at",
    "updated_at",
)
REQUEST_TEXTS = (
    "request_id",
    "status",
    "priority",
    "requester_type",
    "requester_id",
    "requester_department",
    "requester_org",
    "provider_department",
    "provider_type",
    "agent",
    "channel",
    "category",
    "subcategory",
    "subject",
)
REQUEST_COUNTS = ("reopen_count", "reassignment_count")
REQUEST_FIELDS = ("request_id",) + REQUEST_TIMESTAMPS + REQUEST_TEXTS[1:] + REQUEST_COUNTS

FEEDBACK_FIELDS = ("request_id", "submitted_at", "score", "scale", "comment", "language")
FEEDBACK_TIMESTAMPS = ("submitted_at",)

EVENT_FIELDS = (
    "request_id",
    "event_at",
    "kind",
    "from_status",
    "to_status",
    "provider_department",
    "agent",
)
EVENT_TIMESTAMPS = ("event_at",)

FIELDS_BY_KIND = {
    "requests": REQUEST_FIELDS,
    "event_log": REQUEST_FIELDS,
    "feedback": FEEDBACK_FIELDS,
    "events": EVENT_FIELDS,
}
TIMESTAMPS_BY_KIND = {
    "requests": REQUEST_TIMESTAMPS,
    "event_log": REQUEST_TIMESTAMPS,
    "feedback": FEEDBACK_TIMESTAMPS,
    "events": EVENT_TIMESTAMPS,
}
REQUIRED_BY_KIND = {
    "requests": ("request_id", "created_at"),
    "event_log": ("request_id", "created_at"),
    "feedback": ("request_id", "submitted_at", "score"),
    "events": ("request_id", "event_at"),
}

# What the pages do with the requests of a source whose exports lack a field: the Data page
# lists it beside each field a source lacks, for the reader who asks why a number is missing.
WITHOUT_FIELD = {
    "first_response_at": "No first-response times: first-response targets do not apply to its requests.",
    "resolved_at": "No resolution times: a request's close time stands for its resolution (without either, "
                   "resolution targets do not apply).",
    "closed_at": "No closing times: the resolution time alone marks a request done.",
    "due_at": "No due dates: its requests make no promises, and Promises kept leaves them out.",
    "updated_at": "No update times: where exports of the same requests overlap, the later import wins "
                  "(within a file, the later line).",
    "status": "No status: it is read from the times (closed, resolved, else open).",
    "priority": "No priority: '(no priority)' in breakdowns; SLA policies that match on a priority do not apply.",
    "requester_type": "No requester type: its requesters count as external.",
    "requester_id": "No requester ids: repeat contacts cannot be judged for its requests.",
    "requester_department": "No requester department: internal requesters show as '(external, or not recorded)'.",
    "requester_org": "No requester organisation: external customers are named by their requester id, if any.",
    "provider_department": "No provider department: '(no provider department)' in breakdowns; department "
                           "filters leave its requests out.",
    "provider_type": "No provider type: its requests count as in-house.",
    "agent": "No agent: '(unassigned)' in breakdowns and lists.",
    "channel": "No channel: '(none)' in CSAT and SLA adherence by channel.",
    "category": "No category: '(no category)' in recurring problems; repeat contacts cannot be judged.",
    "subcategory": "No subcategory: no page shows subcategories, so nothing is missing.",
    "subject": "No subjects: FAQ candidates leave its requests out.",
    "reopen_count": "No reopen counts: the reopen rate leaves its requests out; Feedback counts their answers as "
                    "'not recorded'.",
    "reassignment_count": "No reassignment counts: one-touch resolution leaves its requests out; Feedback counts "
                          "their answers as 'not recorded'.",
}


def mid_sentence(title: str) -> str:
    """A heading for use inside a sentence: 'Provider department' -> 'provider department', but
    'SLA met or breached' and 'CSAT' keep their acronyms."""
    first = title.split(" ", 1)[0]
    return title if first.isupper() else title[:1].lower() + title[1:]


# The codes the data keeps that read differently in tables and sentences.
VALUE_LABELS = {
    "first_response": "first response",
    "in_house": "in-house",
    "third_party": "third-party",
    "on_hold": "on hold",
    "walk_in": "walk-in",
    "status_change": "status change",
}

# Coded fields: the canonical values each may take.
CODES = {
    "status": ("open", "pending", "on_hold", "resolved", "closed"),
    "priority": ("urgent", "high", "normal", "low"),
    "channel": ("email", "phone", "chat", "portal", "walk_in", "social", "other"),
    "requester_type": ("internal", "external"),
    "provider_type": ("in_house", "third_party", "independent"),
    "kind": ("status_change", "reply", "reassign", "reopen"),
    "to_status": ("open", "pending", "on_hold", "resolved", "closed"),
    "from_status": ("open", "pending", "on_hold", "resolved", "closed"),
}
# Where a coded field's raw text is kept next to the canonical value.
RAW_KEPT = ("status", "priority", "channel")

FEEDBACK_SCALES = ("1-5", "1-10", "nps", "good_bad")
