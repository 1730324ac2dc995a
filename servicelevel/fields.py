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
