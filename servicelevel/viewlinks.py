"""Links to the dashboard's views, spelled as its sidebar writes them into the URL: the same
names (?dept=Finance&week=2026-W46) and values spelled as the page shows them (Internal,
Third-party, walk-in). The sidebar binds its widgets to these names; the weekly report uses them
to link back to the dashboard from a forwarded file."""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import urlencode

from servicelevel.fields import VALUE_LABELS
from servicelevel.filters import Filters

# URL parameter names (the sidebar's widget keys): short, so links stay readable.
KEYS = {
    "period": "period",
    "week": "week",
    "range": "range",
    "requester_type": "requester",
    "requester_departments": "requester_dept",
    "provider_departments": "dept",
    "provider_types": "provider_type",
    "priorities": "priority",
    "channels": "channel",
}
# Bound widgets put the option's label in the URL, so the options are the labels themselves.
REQUESTER_TYPES = {"All": "", "Internal": "internal", "External": "external"}
PROVIDER_TYPES = {"in_house": "In-house", "third_party": "Third-party", "independent": "Independent"}

# The SLA page's section on where a department's change in adherence comes from; the sections
# behind two of the overview's tiles (and the report's lists); the section listing every breach.
WHAT_MOVED_ANCHOR = "what-moved-adherence"
PROMISES_ANCHOR = "promises"
BACKLOG_ANCHOR = "backlog-by-age"
BREACHES_ANCHOR = "breaches"


def value_label(code: str) -> str:
    """A code as the tables spell it (walk_in reads walk-in)."""
    return VALUE_LABELS.get(code, code)


def filter_params(filters: Filters) -> list[tuple[str, str]]:
    """The filters as the sidebar writes them into the URL, (parameter, value) pairs."""
    labels = {"provider_types": lambda v: PROVIDER_TYPES.get(v, v), "channels": value_label}
    pairs = []
    if filters.requester_type:
        label = next(label for label, code in REQUESTER_TYPES.items() if code == filters.requester_type)
        pairs.append((KEYS["requester_type"], label))
    for name in ("requester_departments", "provider_departments", "provider_types", "priorities", "channels"):
        pairs += [(KEYS[name], labels.get(name, str)(value)) for value in getattr(filters, name)]
    return pairs


def view_url(base: str, page: str, week: str, filters: Filters, anchor: str = "") -> str:
    """The dashboard page `page` ('' for the weekly overview, 'sla') under `base` (the dashboard's
    address) on ISO week `week` (2026-W46) with these filters, at the section `anchor` names."""
    query = urlencode([(KEYS["week"], week), *filter_params(filters)])
    return f"{base.rstrip('/')}/{page}?{query}" + (f"#{anchor}" if anchor else "")


def what_moved_url(base: str, week: str, filters: Filters, provider_department: str) -> str:
    """The SLA page's "What moved adherence" for one provider department, the other filters kept."""
    return view_url(base, "sla", week, replace(filters, provider_departments=(provider_department,)),
                    anchor=WHAT_MOVED_ANCHOR)


def request_url(base: str, source: str, request_id: str) -> str:
    """The request page for one request (its timeline and SLA details)."""
    return f"{base.rstrip('/')}/request?" + urlencode({"source": source, "id": request_id})

