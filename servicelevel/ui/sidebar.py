"""The shared sidebar filters. Every widget is bound to a URL query parameter, so any view is a
link (e.g. ?dept=Finance for a department head) and filters survive page switches."""

from __future__ import annotations

from datetime import datetime, timedelta

import streamlit as st

from servicelevel.datainfo import DataInfo
from servicelevel.filters import Filters, Period, Selection, iso_week_code, parse_iso_week
from servicelevel.settings import Organisation
from servicelevel.ui.link_values import begin_link_notices, unknown_link_values
from servicelevel.viewlinks import KEYS, PROVIDER_TYPES, REQUESTER_TYPES, value_label

PERIOD_MODES = ("Week", "Range")
# Session key of this run's slot under the Filters heading, for a page to say it does not use them
# (frame.filters_not_used_here): said at the bottom, it sat below the fold on a laptop.
FILTERS_NOTE_SLOT = "_filters_note_slot"
LATEST_WEEK = "latest"  # the week picker's default: the last complete week (DataInfo.default_week)


def week_code(period: Period) -> str:
    return iso_week_code(period.start)


def render_sidebar(info: DataInfo, org: Organisation, now: datetime) -> Selection:
    """Draw the filters and return the selection they describe (and, in the run's link notices,
    what a link asked for that the data cannot show, for the page to say above its content)."""
    sidebar = st.sidebar
    notices = begin_link_notices()
    sidebar.header("Filters")
    st.session_state[FILTERS_NOTE_SLOT] = sidebar.empty()
    said, stale = info.freshness(now, org.zone)
    sidebar.caption(f":material/warning: **{said}**" if stale else said)
    linked_period = st.query_params.get_all(KEYS["period"])  # before the widget drops a misspelt one
    notices.extend(unknown_link_values(KEYS["period"], "Period", PERIOD_MODES, among="its choices",
                                       outcome="showing a week"))
    mode = sidebar.segmented_control(
        "Period",
        PERIOD_MODES,
        default="Week",
        required=True,
        key=KEYS["period"],
        bind="query-params",
    )
    default_week = info.default_week(now, org.timezone)
    weeks = [week_code(p) for p in info.weeks(org.timezone)] or [week_code(default_week)]
    if week_code(default_week) not in weeks:
        weeks.insert(0, week_code(default_week))
    if mode == "Range":
        requested_range = st.query_params.get_all(KEYS["range"])
        end_default = default_week.end - timedelta(days=1)
        first_date = info.first_date(org.timezone)
        # Twelve weeks by default, or fewer when the data is younger (Streamlit refuses a value
        # before min_value).
        chosen = sidebar.date_input(
            "From – to (inclusive)",
            value=(max(default_week.start - timedelta(days=7 * 11), first_date), end_default),
            min_value=first_date,
            key=KEYS["range"],
            bind="query-params",
            format="YYYY-MM-DD",
        )
        # A one-day range is written to the link as the same date twice and read back as one.
        if requested_range and set(requested_range) != {str(d) for d in chosen}:
            notices.append(f"The link asks for {' – '.join(requested_range)}, which is not a range of the data "
                           f"(it starts on {first_date}): showing the range in the sidebar.")
        if isinstance(chosen, (tuple, list)) and len(chosen) == 2:
            first, last = sorted(chosen)  # a link may give the dates the wrong way round
            period = Period(first, last + timedelta(days=1), org.timezone)
            newest = info.as_of(now).astimezone(org.zone).date()
            if first > newest:
                notices.append(f"The range starts after the data ends ({newest:%d %b %Y}): nothing to show.")
        else:  # the user has picked only the first date so far
            start = chosen[0] if isinstance(chosen, (tuple, list)) and chosen else default_week.start
            period = Period(start, start + timedelta(days=1), org.timezone)
    else:
        requested = st.query_params.get(KEYS["week"])
        # Until the data holds a whole week, the latest is the week it has.
        latest_label = "Last complete week" if default_week.bounds()[1] <= info.as_of(now) else "Latest week"
        # The options are the bare codes, so links read ?week=2026-W46, as the report command takes it.
        # The default is not a week but "the latest": a bound widget leaves its default out of the
        # URL, so a link without a week follows the data, and one to a week picked by name, even
        # the latest, stays on it.
        code = sidebar.selectbox(
            "ISO week (Monday – Sunday)",
            [LATEST_WEEK, *weeks],
            # A label that names no week: the browser keeps a selected option's label through
            # reruns, so one naming the week went stale once an import moved the last complete
            # week on. The caption below names it.
            format_func=lambda option: latest_label if option == LATEST_WEEK else option,
            help=f"A link to '{latest_label}' moves on as new data arrives; a week picked by name stays in the link.",
            key=KEYS["week"],
            bind="query-params",
        )
        period = default_week if code == LATEST_WEEK else parse_iso_week(code, org.timezone)
        note = _week_note(period, default_week, info.as_of(now))
        sidebar.caption(f"{week_code(period)}: {note}" if code == LATEST_WEEK else note)
        # (A misspelt period, ?period=range, has its own notice above.)
        linked_range = st.query_params.get_all(KEYS["range"])
        if linked_range and set(linked_period) <= set(PERIOD_MODES):
            notices.append(f"The link gives a range ({' – '.join(linked_range)}) without {KEYS['period']}=Range, "
                           f"so it shows a week; add {KEYS['period']}=Range to the link to show the range.")
        if requested and requested not in (LATEST_WEEK, *weeks):
            notices.append(f"The link asks for week '{requested}', which is not a week of the data "
                           f"({weeks[-1]} to {weeks[0]}): showing {week_code(period)}.")

    notices.extend(unknown_link_values(KEYS["requester_type"], "Requester", REQUESTER_TYPES, among="its choices"))
    requester_label = sidebar.segmented_control(
        "Requester",
        list(REQUESTER_TYPES),
        default="All",
        required=True,
        key=KEYS["requester_type"],
        bind="query-params",
    )
    filters = Filters(
        requester_type=REQUESTER_TYPES[requester_label],
        requester_departments=_multiselect(
            "Requester departments (internal)", info.options.get("requester_department", ()), "requester_departments",
            notices,
        ),
        provider_departments=_multiselect(
            "Provider departments", info.options.get("provider_department", ()), "provider_departments", notices
        ),
        provider_types=_multiselect(
            "Provider type", info.options.get("provider_type", ()), "provider_types", notices, PROVIDER_TYPES.get
        ),
        priorities=_multiselect("Priority", info.options.get("priority", ()), "priorities", notices),
        channels=_multiselect("Channel", info.options.get("channel", ()), "channels", notices, value_label),
    )
    sidebar.caption(
        f"Times in {org.timezone}. Running SLAs judged as of {info.as_of(now).astimezone(org.zone):%d %b %Y %H:%M}"
        " (the data's newest timestamp, or now if earlier). The URL holds these filters: bookmark or share it."
    )
    return Selection(period=period, filters=filters, as_of=info.as_of(now))


def _multiselect(label: str, options, name: str, notices: list[str], format_func=None) -> tuple[str, ...]:
    notices.extend(unknown_link_values(KEYS[name], label, options, format_func))
    kwargs = {"format_func": format_func} if format_func else {}
    chosen = st.sidebar.multiselect(
        label,
        list(options),
        default=[],
        key=KEYS[name],
        bind="query-params",
        placeholder="All",
        **kwargs,
    )
    return tuple(chosen)


def _week_note(period: Period, default_week: Period, as_of: datetime) -> str:
    """The chosen week's dates, and whether it is the last complete week or still running."""
    last = period.end - timedelta(days=1)
    note = f"{period.start:%d %b} – {last:%d %b %Y}"
    if period.bounds()[1] > as_of:
        return note + " · not over yet in the data" + (": no whole week of data yet" if period == default_week else "")
    if period == default_week:
        return note + " · the last complete week"
    return note
