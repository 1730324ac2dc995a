"""A plain-Python business clock, slow and obvious, that the SQL engine is checked against.

It walks day by day through a calendar's local opening intervals, turns each into UTC instants
with zoneinfo, and intersects them with the times asked about. Used only by tests (and by the
benchmark, as the per-request baseline).

DST rule (the same promise the product makes): an interval runs from the first instant the
local clock shows its start to the last instant it shows its end; a wall time the clock skips
(spring forward) is reached at the moment of the change.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import holidays as holidays_lib

UTC = timezone.utc
ONE_MINUTE = timedelta(minutes=1)


@dataclass(frozen=True)
class RefCalendar:
    timezone: str
    week: tuple[tuple[tuple[int, int], ...], ...]  # Monday .. Sunday: (start, end) seconds of the local day
    holiday_country: str | None = None
    holiday_subdivision: str | None = None
    closed_dates: frozenset[date] = field(default_factory=frozenset)

    def is_closed(self, day: date) -> bool:
        if day in self.closed_dates:
            return True
        if self.holiday_country:
            return day in holidays_lib.country_holidays(
                self.holiday_country, subdiv=self.holiday_subdivision, years=day.year
            )
        return False


def wall_to_utc(day: date, secs: int, zone: ZoneInfo, earliest: bool) -> datetime:
    """The UTC instant at which the local clock shows `secs` after `day`'s midnight."""
    wall = datetime.combine(day, time()) + timedelta(seconds=secs)
    shown = []
    for fold in (0, 1):
        instant = wall.replace(tzinfo=zone, fold=fold).astimezone(UTC)
        if instant.astimezone(zone).replace(tzinfo=None) == wall:
            shown.append(instant)
    if shown:
        return min(shown) if earliest else max(shown)
    # The clock skips this wall time: step a minute at a time to the first instant past it.
    instant = min(wall.replace(tzinfo=zone, fold=f).astimezone(UTC) for f in (0, 1))
    while instant.astimezone(zone).replace(tzinfo=None) < wall:
        instant += ONE_MINUTE
    while (instant - timedelta(seconds=1)).astimezone(zone).replace(tzinfo=None) >= wall:
        instant -= timedelta(seconds=1)
    return instant


def open_intervals(calendar: RefCalendar, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    """The calendar's open intervals (UTC, merged) for every local day touching [start, end]."""
    zone = ZoneInfo(calendar.timezone)
    day = start.astimezone(zone).date() - timedelta(days=1)
    last = end.astimezone(zone).date() + timedelta(days=1)
    found = []
    while day <= last:
        if not calendar.is_closed(day):
            for open_secs, close_secs in calendar.week[day.weekday()]:
                a = wall_to_utc(day, open_secs, zone, earliest=True)
                b = wall_to_utc(day, close_secs, zone, earliest=False)
                if b > a:
                    found.append((a, b))
        day += timedelta(days=1)
    found.sort()
    merged: list[tuple[datetime, datetime]] = []
    for a, b in found:
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def _overlap(a1: datetime, b1: datetime, a2: datetime, b2: datetime) -> int:
    return max(0, int((min(b1, b2) - max(a1, a2)).total_seconds()))


def business_seconds(calendar: RefCalendar, start: datetime, end: datetime) -> int:
    """Open seconds between start and end (0 when end <= start)."""
    if end <= start:
        return 0
    return sum(_overlap(a, b, start, end) for a, b in open_intervals(calendar, start, end))


def paused_business_seconds(
    calendar: RefCalendar, pauses: list[tuple[datetime, datetime]], start: datetime, end: datetime
) -> int:
    """Open seconds inside the pauses, counting only [start, end]."""
    total = 0
    for a, b in pauses:
        total += business_seconds(calendar, max(a, start), min(b, end))
    return total


def deadline(
    calendar: RefCalendar,
    start: datetime,
    target_secs: int,
    pauses: list[tuple[datetime, datetime]] = (),
    horizon_days: int = 500,
) -> datetime | None:
    """The first instant at which open, unpaused time since start reaches target_secs."""
    left = target_secs
    cursor = start
    for _ in range(horizon_days // 7 + 1):
        week_end = cursor + timedelta(days=7)
        for a, b in open_intervals(calendar, cursor, week_end):
            a, b = max(a, cursor), min(b, week_end)
            if b <= a:
                continue
            for piece_start, piece_end in _minus(a, b, pauses):
                length = int((piece_end - piece_start).total_seconds())
                if length >= left:
                    return piece_start + timedelta(seconds=left)
                left -= length
        cursor = week_end
    return None


def _minus(a: datetime, b: datetime, pauses) -> list[tuple[datetime, datetime]]:
    """[a, b) without the pauses, in order."""
    pieces = [(a, b)]
    for p_start, p_end in pauses:
        next_pieces = []
        for x, y in pieces:
            if p_end <= x or p_start >= y:
                next_pieces.append((x, y))
                continue
            if x < p_start:
                next_pieces.append((x, p_start))
            if p_end < y:
                next_pieces.append((p_end, y))
        pieces = next_pieces
    return sorted(pieces)
