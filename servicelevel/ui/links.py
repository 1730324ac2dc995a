"""Links between the pages: from tables to the request page (drill-down to the request ids), and
from captions to the sections listing what lies behind a number."""

from __future__ import annotations

from datetime import date, datetime
from html import escape
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pandas as pd
import streamlit as st

from servicelevel.filters import iso_week_code
from servicelevel.viewlinks import BACKLOG_ANCHOR, KEYS, PROMISES_ANCHOR, WHAT_MOVED_ANCHOR

LINK_COLUMN = {
    "request": st.column_config.LinkColumn(
        "request", display_text=r"id=([^&]*)", help="Open the request's timeline and SLA details"
    )
}


def same_tab(text: str, url: str) -> str:
    """A link to another page of the dashboard, as HTML to show with unsafe_allow_html: Streamlit
    opens a Markdown link in a new tab, so following a few in a meeting left a row of tabs and the
    browser's Back did nothing. Its text is escaped (a department's name is data)."""
    return f'<a href="{escape(url)}" target="_self">{escape(text)}</a>'


def request_url(source: str, request_id: str, filters: str = "") -> str:
    """The request page's URL for one request; `filters` (already URL-encoded) follow its id."""
    return "request?" + urlencode({"source": source, "id": request_id}) + (f"&{filters}" if filters else "")


def sidebar_filters(exclude: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    """The sidebar's filters as the current URL holds them, (parameter, value) pairs, but for the
    filters named in `exclude` (KEYS' names)."""
    return [(key, value) for name, key in KEYS.items() if name not in exclude
            for value in st.query_params.get_all(key)]


def sidebar_filters_in_url() -> str:
    """The sidebar's filters as the current URL holds them, URL-encoded: a request opened from a
    table keeps them, so going on from the request page returns to the same view."""
    return urlencode(sidebar_filters())


def behind_tiles(tiles, week: date) -> dict[str, str]:
    """Links from the overview's tiles (kpis.Tile) for the week of Monday `week` to the SLA page's
    sections listing what lies behind them, for that week (a custom range's tiles show its last
    whole week) and the same filters: the broken promises, the backlog by age."""
    by_key = {tile.key: tile for tile in tiles}
    out = {}
    promised = by_key.get("promises_kept")
    if promised is not None and promised.count and promised.value is not None and promised.value < 1:
        out["promises_kept"] = same_tab("the broken ones", sla_page_week_url(week, PROMISES_ANCHOR))
    backlog = by_key.get("backlog")
    if backlog is not None and backlog.value:
        out["backlog"] = same_tab("by age", sla_page_week_url(week, BACKLOG_ANCHOR))
    return out


def sla_page_week_url(week: date, anchor: str = "") -> str:
    """The SLA page on the ISO week of `week`, whatever period the sidebar holds, its other filters
    kept; at the section `anchor` names, if any."""
    kept = sidebar_filters(exclude=("period", "week", "range"))
    return "sla?" + urlencode([*kept, (KEYS["week"], iso_week_code(week))]) + (f"#{anchor}" if anchor else "")


def sla_page_now_url(as_of: datetime, zone: ZoneInfo, anchor: str = "") -> str:
    """The SLA page on the week holding `as_of` (the data's newest instant), the sidebar's other
    filters kept: its backlog, counted then, is the one "now" (not at an earlier week's end)."""
    return sla_page_week_url(as_of.astimezone(zone).date(), anchor)


def sla_url(provider_department: str) -> str:
    """The SLA page narrowed to one provider department's internal work, for the sidebar's period
    and other filters."""
    kept = sidebar_filters(exclude=("provider_departments", "requester_departments", "requester_type"))
    return "sla?" + urlencode([*kept, (KEYS["provider_departments"], provider_department),
                               (KEYS["requester_type"], "Internal")])


def what_moved_url(provider_department: str) -> str:
    """The SLA page's "What moved adherence" for one provider department, the sidebar's other
    filters kept."""
    kept = sidebar_filters(exclude=("provider_departments",))
    return "sla?" + urlencode([*kept, (KEYS["provider_departments"], provider_department)]) + f"#{WHAT_MOVED_ANCHOR}"


def with_what_moved_links(frame: pd.DataFrame) -> pd.DataFrame:
    """A departments table (column 'department') with, next to it, a link to what moved each one's
    adherence (where a wide table's scrolling cannot hide it)."""
    out = frame.copy()
    out.insert(out.columns.get_loc("department") + 1, "what_moved", [what_moved_url(d) for d in out["department"]])
    return out


WHAT_MOVED_COLUMN = {
    "what_moved": st.column_config.LinkColumn(
        "drill down", display_text="what moved it", help="The SLA adherence page for this department: where its "
        "change in adherence comes from, by category, agent, requester department…")
}


def with_request_links(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with a first column 'request' linking each row's (source, request_id)."""
    out = frame.copy()
    filters = sidebar_filters_in_url()
    out.insert(0, "request", [request_url(s, r, filters) for s, r in zip(out["source"], out["request_id"])])
    return out
