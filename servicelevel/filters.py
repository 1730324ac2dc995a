"""The shared filters (sidebar, URL, CLI) and the periods they apply to, as bound parameters."""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from servicelevel.fields import VALUE_LABELS

# The named arguments of the filtered_requests() macro, in order.
FILTER_PARAMS = (
    "requester_type",
    "requester_departments",
    "provider_departments",
    "provider_types",
    "priorities",
    "channels",
)


@dataclass(frozen=True)
class Filters:
    """Which requests a view is about; empty means all."""

    requester_type: str = ""  # '' | internal | external
    requester_departments: tuple[str, ...] = ()
    provider_departments: tuple[str, ...] = ()
    provider_types: tuple[str, ...] = ()
    priorities: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()

    def params(self) -> dict:
        """The filtered_requests() arguments as bound parameters."""
        out = {}
        for f in fields(self):
            value = getattr(self, f.name)
            out[f.name] = list(value) if isinstance(value, tuple) else value
        return out

    def is_empty(self) -> bool:
        """True when nothing is filtered."""
        return self == Filters()

    def contradiction(self) -> str | None:
        """Why these filters match no request, whatever the data; None when they can match some.
        Only internal requesters have a requester department (mapping.py leaves it empty for the
        others), so External with requester departments matches nothing."""
        if self.requester_type == "external" and self.requester_departments:
            return ("Requester departments are those of internal requesters, so with External they match nothing. "
                    "Choose All or Internal under Requester, or clear the requester departments.")
        return None

    def describe(self) -> str:
        """A short human summary, e.g. 'internal requesters; provider Finance'."""
        parts = []
        if self.requester_type:
            parts.append(f"{self.requester_type} requesters")
        labels = {
            "requester_departments": "requester",
            "provider_departments": "provider",
            "provider_types": "provider type",
            "priorities": "priority",
            "channels": "channel",
        }
        for name, label in labels.items():
            values = getattr(self, name)
            if values:
                parts.append(f"{label} {', '.join(VALUE_LABELS.get(v, v) for v in values)}")
        return "; ".join(parts) or "all requests"


@dataclass(frozen=True)
class Period:
    """Local calendar dates [start, end) in the organisation's time zone."""

    start: date
    end: date  # exclusive
    timezone: str

    def bounds(self) -> tuple[datetime, datetime]:
        """(start_at, end_at) as aware datetimes: local midnights of start and end."""
        zone = ZoneInfo(self.timezone)
        return (
            datetime.combine(self.start, time(), zone),
            datetime.combine(self.end, time(), zone),
        )

    def params(self) -> dict:
        """$start_at and $end_at for queries."""
        start_at, end_at = self.bounds()
        return {"start_at": start_at, "end_at": end_at}

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    @property
    def is_iso_week(self) -> bool:
        return self.days == 7 and self.start.weekday() == 0

    def previous(self) -> "Period":
        """The period of the same length just before this one."""
        length = timedelta(days=self.days)
        return Period(self.start - length, self.start, self.timezone)

    def length_words(self) -> str:
        """How long the period is, as 'the … before' says it: 'week', 'day' or '30 days'."""
        return "week" if self.is_iso_week else "day" if self.days == 1 else f"{self.days} days"

    def unfinished_week(self, as_of: datetime) -> date | None:
        """The Monday of the ISO week within this period that `as_of` (the data's newest instant)
        falls inside, before its end: that week's counts cover part of a week. None if none."""
        local = as_of.astimezone(ZoneInfo(self.timezone))
        monday = local.date() - timedelta(days=local.weekday())
        week_began = datetime.combine(monday, time(), ZoneInfo(self.timezone))
        if not self.start <= monday < self.end or local == week_began:
            return None
        return monday

    def code(self) -> str:
        """The period in a file name: '2026-W46' for an ISO week, '2026-11-10' for a day, else
        '2026-10-01-to-2026-10-31' (the last day inclusive, as the sidebar picks it)."""
        last = self.end - timedelta(days=1)
        if self.is_iso_week:
            return iso_week_code(self.start)
        return f"{self.start}" if self.days == 1 else f"{self.start}-to-{last}"

    def through(self, later: "Period") -> "Period":
        """From this period's start to the end of `later` (a baseline through the recent weeks)."""
        return Period(self.start, later.end, self.timezone)

    def label(self) -> str:
        """'2026-W46 (9-15 Nov 2026)' for an ISO week, '10 Nov 2026' for a day, else 'start – end'."""
        last = self.end - timedelta(days=1)
        if self.is_iso_week:
            return f"{iso_week_code(self.start)} ({self.start:%d %b} – {last:%d %b %Y})"
        if self.days == 1:
            return f"{self.start:%d %b %Y}"
        return f"{self.start:%d %b %Y} – {last:%d %b %Y}"


def iso_week(year: int, week: int, timezone: str) -> Period:
    """The ISO week (Monday to Sunday) as a period."""
    start = date.fromisocalendar(year, week, 1)
    return Period(start, start + timedelta(days=7), timezone)


def filter_slugs(filters: Filters) -> list[str]:
    """The filters in a file name, so that downloads for different views do not share one: the
    provider departments, the requester type, and "filtered" for any other filter."""
    parts = list(filters.provider_departments)
    if filters.requester_type:
        parts.append(filters.requester_type)
    if filters.requester_departments or filters.provider_types or filters.priorities or filters.channels:
        parts.append("filtered")
    slugs = (re.sub(r"[^a-z0-9]+", "-", part.lower()).strip("-") for part in parts)
    return [s for s in slugs if s]


def iso_week_code(day: date) -> str:
    """The ISO week holding `day` as links, the sidebar and the CLI name it: '2026-W46'."""
    iso = day.isocalendar()
    return f"{iso.year}-W{iso.week:02d}"


def parse_iso_week(text: str, timezone: str) -> Period:
    """'2026-W46' -> Period; ValueError with a clear message otherwise."""
    cleaned = text.strip().upper()
    try:
        year_text, week_text = cleaned.split("-W")
        year, week = int(year_text), int(week_text)
        return iso_week(year, week, timezone)
    except ValueError:
        raise ValueError(
            f"'{text}' is not an ISO week: write it as YYYY-Www, e.g. 2026-W46 "
            "(weeks run Monday to Sunday; a year has 52 or 53)"
        ) from None


def last_complete_week(today: date, timezone: str) -> Period:
    """The last ISO week that ended before `today`'s week began."""
    monday = today - timedelta(days=today.weekday())
    return Period(monday - timedelta(days=7), monday, timezone)


@dataclass(frozen=True)
class Selection:
    """What the user is looking at: the period, the filters and when running SLAs are judged."""

    period: Period
    filters: Filters
    as_of: datetime  # min(now, the data's newest instant)

    def over(self, period: Period) -> "Selection":
        """The same filters over another period: a section counting its own window (the last 12
        weeks, say) says why it is empty in that window's terms, not the page's week's."""
        return Selection(period=period, filters=self.filters, as_of=self.as_of)

    @property
    def open_work_at(self) -> datetime:
        """The instant work open "now" is counted at: just after as_of, so that a request resolved
        at as_of itself (often the data's newest timestamp) is done and one created then is open,
        as the KPI tiles count a week's flows."""
        return self.as_of + timedelta(microseconds=1)

    @property
    def newest_day(self) -> date:
        """The local date (the period's time zone) of the as-of instant: the data's last day."""
        return self.as_of.astimezone(ZoneInfo(self.period.timezone)).date()

    @property
    def period_running(self) -> bool:
        """Whether the period is not over in the data (it holds the as-of instant): its targets,
        promises and answers are still coming in, so a goal met or missed is met or missed so far."""
        start_at, end_at = self.period.bounds()
        return start_at < self.as_of < end_at

    def params(self) -> dict:
        """Bound parameters shared by every page query."""
        params = {**self.filters.params(), **self.period.params()}
        params["as_of"] = self.as_of
        params["timezone"] = self.period.timezone
        return params


def whole_weeks_trend(period: Period, weeks: int = 12, data_from: date | None = None) -> Period:
    """Whole ISO weeks covering the period, and at least `weeks` of them ending with it, but none
    before the week of `data_from` (the first request loaded) unless the period itself is."""
    start = period.start - timedelta(days=period.start.weekday())
    end = period.end + timedelta(days=(7 - period.end.weekday()) % 7)
    trend_start = min(start, end - timedelta(weeks=weeks))
    if data_from is not None:
        trend_start = min(max(trend_start, data_from - timedelta(days=data_from.weekday())), start)
    return Period(trend_start, end, period.timezone)
