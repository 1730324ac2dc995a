"""What every page shares: the database being ready, the sidebar, and the current selection."""

from __future__ import annotations

import threading
from collections.abc import Callable

import streamlit as st

from servicelevel import store
from servicelevel.policies import PolicyError
from servicelevel.refresh import ensure_fresh
from servicelevel.settings import SettingsError, organisation
from servicelevel.themes import ThemeError
from servicelevel.weekly import filters_matching_nothing, unfinished_note
from servicelevel.ui import data
from servicelevel.filters import Period, Selection, filter_slugs
from servicelevel.ui.link_values import link_notices, rerun_keeping_link_notices
from servicelevel.ui.sidebar import FILTERS_NOTE_SLOT, render_sidebar
from servicelevel.ui.widgets import DOWNLOAD_FILTERS_KEY, DOWNLOAD_SCOPE_KEY

SELECTION_KEY = "_selection"
PAGE_TITLE_KEY = "_page_title"
REROUTED_KEY = "_rerouted_through_dashboard"  # routed_by_dashboard() has rerun this session


@st.cache_resource(show_spinner=False)
def _build_lock() -> threading.Lock:
    return threading.Lock()


def _needs_sample(cur) -> bool:
    """A brand-new database (no request, no import ever attempted) gets the bundled sample."""
    return cur.execute(
        "select (select count(*) from imports) + (select count(*) from requests) = 0"
    ).fetchall()[0][0]


def _build_sample(cur, label: str) -> None:
    from servicelevel.sample import build_sample

    with st.status(label, expanded=True) as status:
        build_sample(cur, progress=status.write)
        status.update(label="Sample database ready", state="complete", expanded=False)


def ensure_database() -> None:
    """Build the bundled sample on first start (or finish a build that was stopped part way), and
    the SLA states whenever data or policies changed."""
    from servicelevel.sample import unfinished_build

    with _build_lock():
        cur = data.cursor()
        try:
            if _needs_sample(cur):
                _build_sample(cur, "First start: building the sample database…")
            elif unfinished_build(cur) is not None:  # else the pages would show part of the sample as all of it
                _build_sample(cur, "Finishing the sample database, whose build was stopped part way…")
                st.cache_data.clear()
            elif ensure_fresh(cur):
                st.cache_data.clear()  # results cached before the recomputation are stale
        finally:
            cur.close()


def prepare(page_title: str = "") -> Selection | None:
    """Ready the database and draw the sidebar; returns (and stores) the selection, None when empty.
    `page_title`: the page about to run, headed by selection() when it stops the page early."""
    st.session_state[PAGE_TITLE_KEY] = page_title
    try:
        org = organisation()
        ensure_database()
    except store.StoreError as exc:
        st.error(f"The database cannot be opened: {exc}")
        st.stop()
    except (PolicyError, ThemeError, SettingsError) as exc:
        st.error(f"A settings file is invalid, so the numbers cannot be computed: {exc}")
        st.stop()
    info = data.info()
    selection = None if info.is_empty else render_sidebar(info, org, data.now_utc())
    st.session_state[SELECTION_KEY] = selection
    return selection


def routed_by_dashboard() -> None:
    """Make sure this run went through dashboard.py (sidebar, navigation) before the page draws.

    Streamlit 1.67 starts a server in its legacy multipage mode whenever a pages/ folder sits
    next to the main script, and leaves it only once st.navigation has run. If a fresh server's
    first visitor opens a bookmark (e.g. /sla?dept=Finance), the page file runs on its own, with
    no sidebar and no filters. Switching the mode off and rerunning routes that visit through
    dashboard.py like every other; the URL, and so the filters, stay as they are.

    The mode is the server's, the run is the session's: visitors arriving together at a fresh
    server each run a page file on its own, and only the first finds the mode still on. So a
    session that has not been through prepare() reruns too, once (a second rerun would loop).
    """
    from streamlit.runtime.pages_manager import PagesManager

    routed = PAGE_TITLE_KEY in st.session_state
    if PagesManager.uses_pages_directory or (not routed and not st.session_state.get(REROUTED_KEY)):
        PagesManager.uses_pages_directory = False
        st.session_state[REROUTED_KEY] = True
        rerun_keeping_link_notices()


def selection(period_notes: bool = True, shown_period: Callable[[Selection], Period] | None = None,
              requester_type_used: bool = True) -> Selection:
    """The current selection; on an empty database, explain and stop the page. With period_notes,
    say above the page what of the linked period the data cannot show, or that the period the page
    shows is not over: the selected one, or `shown_period` of it (the weekly overview's ISO week
    of a custom range, which may be over while the range is not). Filters that can match nothing
    (Filters.contradiction) stop the page with one notice instead of one per section, unless the
    page sets its own requester type (requester_type_used=False)."""
    routed_by_dashboard()
    current = st.session_state.get(SELECTION_KEY)
    if current is None:
        _stopped_page_title()
        st.info(
            "No requests are loaded yet. Import an export on the **Data & definitions** page, or load the "
            "bundled sample (twelve months of fictional requests) to look around."
        )
        # A button, not the CLI's `sample`: the running dashboard holds the database file open.
        if st.button("Load the bundled sample", key="load_sample"):
            with _build_lock():
                cur = data.cursor()
                try:
                    _build_sample(cur, "Building the bundled sample into this database…")
                finally:
                    cur.close()
            st.cache_data.clear()
            st.rerun()
        st.stop()
    shown = current.period if shown_period is None else shown_period(current)
    filters = "-".join(filter_slugs(current.filters))
    st.session_state[DOWNLOAD_FILTERS_KEY] = filters
    st.session_state[DOWNLOAD_SCOPE_KEY] = "-".join(part for part in (shown.code(), filters) if part)
    if period_notes:
        unfinished = unfinished_note(current, shown)
        after_the_data = current.period.bounds()[0] > current.as_of
        if after_the_data:
            _stopped_page_title()
        for notice in link_notices() + ([unfinished] if unfinished else []):
            st.warning(notice)
        if after_the_data:
            st.stop()  # a range after the data: the notice above says so; each section would repeat it
    if requester_type_used:
        # Filters that can match nothing whatever the data, or that match nothing in this data (a
        # department serving internal requesters only, with External): once, not in every section.
        nothing = current.filters.contradiction() or filters_matching_nothing(data.run_query, current.filters)
        if nothing:
            _stopped_page_title()
            st.info(nothing)
            st.stop()
    return current


def _stopped_page_title() -> None:
    """The page's heading, drawn here when the page stops before drawing its own: a notice alone
    would not say which page it stands for."""
    title = st.session_state.get(PAGE_TITLE_KEY)
    if title:
        st.title(title)


def filters_not_used_here() -> None:
    """On a page the sidebar's filters do not narrow, say so under their heading (they stay, bound
    to the URL, so that the other pages keep them). No filters are drawn on an empty database."""
    st.session_state[DOWNLOAD_SCOPE_KEY] = ""  # its downloads do not depend on the period or filters
    st.session_state[DOWNLOAD_FILTERS_KEY] = ""
    if st.session_state.get(SELECTION_KEY) is not None:
        st.session_state[FILTERS_NOTE_SLOT].caption("This page does not use these filters; the other pages do.")
