"""Business calendars and the business-clock tables DuckDB computes every SLA with.

A calendar is a time zone, weekly opening hours (several intervals a day) and closed dates
(public holidays from the `holidays` package plus extra dates). Its business clock counts the
open seconds since an origin; elapsed business time is clock(end) - clock(start) and a deadline
is the first instant the clock reaches clock(start) + target.

The clock is tabulated per UTC hour (table calendar_hours): the open seconds before the hour
(cum_secs) and at most two open spans inside it, as second offsets. clock(ts) is then one
integer hash join plus arithmetic, for any number of requests at once. Its inverse (table
calendar_inverse) cuts the clock into equal buckets that each lie inside one open stretch,
where the clock runs with UTC time: the instant the clock reaches C is C plus its bucket's
shift, one equality join and an addition.

Opening hours are local wall-clock times converted to UTC per local date, so a 09:00-18:00 day
stays nine hours long on the days clocks change. An interval runs from the first instant the
local clock shows its start to the last instant it shows its end: a start or end inside the hour
skipped in spring moves to the moment of the change, and an end inside the hour repeated in
autumn includes the repeat.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

import duckdb

from servicelevel.sqlfiles import pipeline_sql

DAY_SECS = 86_400
HOUR_SECS = 3_600
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
TWENTY_FOUR_SEVEN = "24x7"

Interval = tuple[int, int]  # (start, end) in seconds after local midnight; end may be 86400


class CalendarError(ValueError):
    """A calendar cannot be turned into a business clock; the message says why."""


@dataclass(frozen=True)
class Calendar:
    """A business calendar: opening hours per weekday (Monday first) in a time zone."""

    name: str
    timezone: str
    week: tuple[tuple[Interval, ...], ...]  # 7 entries, Monday .. Sunday, sorted, not overlapping
    holiday_country: str | None = None
    holiday_subdivision: str | None = None
    closed_dates: frozenset[date] = field(default_factory=frozenset)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def day_length_secs(self) -> int | None:
        """Seconds in a working day when every working day is equally long, else None."""
        lengths = {sum(end - start for start, end in day) for day in self.week if day}
        return lengths.pop() if len(lengths) == 1 else None

    def weekly_secs(self) -> int:
        """Open seconds in a week without holidays."""
        return sum(end - start for day in self.week for start, end in day)

    def closed_on(self, first: date, last: date) -> set[date]:
        """Holidays and extra closed dates between first and last (inclusive)."""
        closed = {d for d in self.closed_dates if first <= d <= last}
        if self.holiday_country:
            closed.update(
                d for d in holiday_dates(
                    self.holiday_country, self.holiday_subdivision, first.year, last.year
                ) if first <= d <= last
            )
        return closed


def always_open() -> Calendar:
    """The built-in '24x7' calendar: every second of every day counts."""
    return Calendar(TWENTY_FOUR_SEVEN, "UTC", tuple(((0, DAY_SECS),) for _ in WEEKDAYS))


@lru_cache(maxsize=64)
def holiday_dates(country: str, subdivision: str | None, first_year: int, last_year: int) -> frozenset[date]:
    """Public holidays of a country (and subdivision) from the `holidays` package."""
    import holidays

    found = holidays.country_holidays(
        country, subdiv=subdivision, years=range(first_year, last_year + 1)
    )
    return frozenset(found.keys())


def local_to_utc(day: date, secs: int, zone: ZoneInfo, earliest: bool) -> int:
    """Epoch seconds of the local wall time `secs` after `day`'s midnight.

    Ambiguous (repeated) times give the earliest or the latest instant; a time the clock skips
    gives the instant of the change (the first instant whose wall time is past it).
    """
    wall = datetime.combine(day, time()) + timedelta(seconds=secs)
    found = []
    for fold in (0, 1):
        instant = wall.replace(tzinfo=zone, fold=fold).astimezone(timezone.utc)
        if instant.astimezone(zone).replace(tzinfo=None) == wall:
            found.append(int(instant.timestamp()))
    if found:
        return min(found) if earliest else max(found)
    # In a gap: bisect between the two candidate instants for the moment the wall clock passes it.
    candidates = [int(wall.replace(tzinfo=zone, fold=f).astimezone(timezone.utc).timestamp()) for f in (0, 1)]
    lo, hi = min(candidates), max(candidates)
    while lo < hi:
        mid = (lo + hi) // 2
        shown = datetime.fromtimestamp(mid, timezone.utc).astimezone(zone).replace(tzinfo=None)
        if shown >= wall:
            hi = mid
        else:
            lo = mid + 1
    return lo


@dataclass(frozen=True)
class Span:
    """An open period in UTC epoch seconds [start, end), and the local date it belongs to."""

    start: int
    end: int
    day: date


def open_spans(calendar: Calendar, first: date, last: date) -> list[Span]:
    """The calendar's open periods for local dates first..last, merged where they touch."""
    zone = calendar.zone
    closed = calendar.closed_on(first, last)
    spans: list[Span] = []
    day = first
    while day <= last:
        if day not in closed:
            for start, end in calendar.week[day.weekday()]:
                a = local_to_utc(day, start, zone, earliest=True)
                b = local_to_utc(day, end, zone, earliest=False)
                if b > a:
                    spans.append(Span(a, b, day))
        day += timedelta(days=1)
    spans.sort(key=lambda s: s.start)
    merged: list[Span] = []
    for span in spans:
        if merged and span.start <= merged[-1].end:
            last_span = merged[-1]
            merged[-1] = Span(last_span.start, max(last_span.end, span.end), last_span.day)
        else:
            merged.append(span)
    return merged


def check_spans_per_hour(calendar: Calendar, spans: Sequence[Span]) -> None:
    """Raise CalendarError when more than two open periods fall inside one UTC hour."""
    per_hour: Counter[int] = Counter()
    first_day: dict[int, date] = {}
    for span in spans:
        for hour in (span.start // HOUR_SECS, (span.end - 1) // HOUR_SECS):
            per_hour[hour] += 1
            first_day.setdefault(hour, span.day)
        if span.start // HOUR_SECS == (span.end - 1) // HOUR_SECS:
            per_hour[span.start // HOUR_SECS] -= 1  # counted twice above
    crowded = [hour for hour, n in per_hour.items() if n > 2]
    if crowded:
        hour = min(crowded)
        at = datetime.fromtimestamp(hour * HOUR_SECS, timezone.utc)
        raise CalendarError(
            f"calendar '{calendar.name}': on {first_day[hour]:%Y-%m-%d} more than two opening "
            f"intervals fall within one hour (the hour starting {at:%H:%M} UTC); the business "
            "clock allows at most two per hour, so make breaks and intervals at least 30 minutes long"
        )


def validate_calendar(calendar: Calendar, year: int = 2026) -> None:
    """Raise CalendarError if the calendar cannot be tabulated (checked over one year)."""
    spans = open_spans(calendar, date(year, 1, 1), date(year, 12, 31))
    check_spans_per_hour(calendar, spans)


def build_clock_tables(
    con: duckdb.DuckDBPyConnection, calendars: Sequence[Calendar], first: date, last: date
) -> None:
    """(Re)create calendar_hours and calendar_inverse for local dates first..last.

    Calendar ids are positions in `calendars`. The clock's origin (0) is the start of the UTC
    day before `first`.
    """
    ids: list[int] = []
    starts: list[int] = []
    ends: list[int] = []
    for calendar_id, calendar in enumerate(calendars):
        spans = open_spans(calendar, first - timedelta(days=1), last + timedelta(days=1))
        check_spans_per_hour(calendar, spans)
        for span in spans:
            ids.append(calendar_id)
            starts.append(span.start)
            ends.append(span.end)
    origin = datetime.combine(first - timedelta(days=1), time(), timezone.utc)
    end = datetime.combine(last + timedelta(days=2), time(), timezone.utc)
    params = {
        "calendar_ids": ids,
        "span_starts": starts,
        "span_ends": ends,
        "n_calendars": len(calendars),
        "first_hour": int(origin.timestamp()) // HOUR_SECS,
        "end_hour": int(end.timestamp()) // HOUR_SECS,
    }
    for statement, wanted in (
        (pipeline_sql("calendar_hours"), params),
        (pipeline_sql("calendar_inverse"), {}),
    ):
        con.execute(statement, wanted)