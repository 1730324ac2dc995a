"""What the database holds, in the terms the pages need: extent, as-of instant, filter options."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import duckdb

from servicelevel import queries
from servicelevel.fields import CODES
from servicelevel.filters import Period, last_complete_week
from servicelevel.wording import counted

# Data older than this gets a warning: a weekly review on it would miss the latest week.
STALE_AFTER = timedelta(days=7)

FILTER_FIELDS = ("requester_department", "provider_department", "provider_type", "priority", "channel")


def lagging_rows(sources, data_as_of: datetime | None):
    """The rows of queries/sources.sql whose data ends more than STALE_AFTER before `data_as_of`
    while requests are open in them (lagging_sources says why that matters)."""
    if data_as_of is None:
        return sources.iloc[0:0]
    return sources[(sources["n_open"] > 0) & (sources["newest_at"] < data_as_of - STALE_AFTER)]


def _ends_before(row, data_as_of: datetime, zone) -> str:
    """'05 Mar 2024, 971 days before': when a lagging source's data (a sources.sql row) ends."""
    return f"{row.newest_at.astimezone(zone):%d %b %Y}, {(data_as_of - row.newest_at).days:,} days before"


def lagging_request_note(sources, source: str, data_as_of: datetime | None, zone) -> str:
    """For a request open in `source`: why its clocks show years when the source lags (else '')."""
    lagging = lagging_rows(sources, data_as_of)
    row = next(lagging[lagging["source"] == source].itertuples(), None)
    if row is None:
        return ""
    return (f"Source {source}'s data ends on {_ends_before(row, data_as_of, zone)} the newest data "
            f"({data_as_of.astimezone(zone):%d %b %Y %H:%M}). This request was open in that export, so its clocks run "
            "on to the newest data: their time and any breach are the export's age, not news. Import a newer export "
            f"of {source} to update it.")


def lagging_sources(sources, data_as_of: datetime | None, zone) -> str:
    """A warning (Markdown, a line per source) naming each source (a row of queries/sources.sql)
    whose data ends more than STALE_AFTER before the newest data of all, while requests are open
    in it: those are judged as of that newest instant, like every other, so the backlog counts them
    and their clocks run on into breaches that are only the export's age (a 2024 trial export
    beside this year's). '' when there is none."""
    lagging = lagging_rows(sources, data_as_of)
    if lagging.empty:
        return ""
    lines = [
        f"- {row.source}: its data ends on {_ends_before(row, data_as_of, zone)}; "
        f"{counted(row.n_open, 'request')} open in it."
        for row in lagging.itertuples()
    ]
    these, where = ("this source", "it") if len(lines) == 1 else (f"these {len(lines)} sources", "each")
    return "\n".join([
        f"The data of {these} ends more than {STALE_AFTER.days} days before the newest data "
        f"({data_as_of.astimezone(zone):%d %b %Y %H:%M}), with requests still open in {where}. Every page takes those "
        "requests as open still: the backlog counts them, and their SLA clocks run to the newest data, breached "
        "by the export's age alone. Import a newer export of each, or remove a source that was a trial.",
        "", *lines])


@dataclass(frozen=True)
class DataInfo:
    """A summary of the loaded data."""

    n_requests: int
    n_sources: int
    first_created_at: datetime | None
    last_created_at: datetime | None
    data_as_of: datetime | None
    options: dict[str, tuple[str, ...]] = field(default_factory=dict)
    only_sample: bool = False  # every source is the bundled sample's, as built into this file

    @property
    def is_empty(self) -> bool:
        return self.n_requests == 0

    def as_of(self, now: datetime) -> datetime:
        """When running SLAs are judged: now, or the data's newest instant if that is earlier.

        An export is a snapshot; judging it against a later clock would turn every request
        that was open at export time into a breach.
        """
        if self.data_as_of is None:
            return now
        return min(now, self.data_as_of)

    def freshness(self, now: datetime, zone) -> tuple[str, bool]:
        """How old the data is, as the sidebar says it, and whether that is older than STALE_AFTER:
        ('Data up to 18 Nov 2026 11:58, 5 days old.', False)."""
        if self.data_as_of is None:
            return "", False
        newest = f"Data up to {self.data_as_of.astimezone(zone):%d %b %Y %H:%M}"
        age = now - self.data_as_of
        if age < timedelta(0):
            return f"{newest}, later than now: running SLAs are judged as of now.", False
        days = age.days
        old = "less than a day old" if days == 0 else f"{days} day{'s' if days > 1 else ''} old"
        if age <= STALE_AFTER:
            return f"{newest}, {old}.", False
        if self.only_sample:  # no newer export exists: the sample ends where it was generated
            return (f"{newest}, {old}: the bundled sample, generated up to then. On a new database file the "
                    "dashboard generates it up to this week (README: Quick start); or import your own exports on "
                    "the Data & definitions page."), True
        return (f"{newest}, {old}: whatever happened since is not in these numbers. Import a newer export "
                "on the Data & definitions page."), True

    def default_week(self, now: datetime, timezone: str) -> Period:
        """The last complete ISO week before the as-of instant (local time); the as-of instant's own
        week when no complete week holds data yet (a first export covering a few days)."""
        from zoneinfo import ZoneInfo

        local = self.as_of(now).astimezone(ZoneInfo(timezone)).date()
        week = last_complete_week(local, timezone)
        first = self.first_date(timezone)
        if first is not None and first >= week.end:
            return Period(week.end, week.end + timedelta(days=7), timezone)
        return week

    def weeks(self, timezone: str) -> list[Period]:
        """Every ISO week from the first request's week to the as-of week, newest first."""
        from zoneinfo import ZoneInfo

        if self.first_created_at is None or self.data_as_of is None:
            return []
        zone = ZoneInfo(timezone)
        first = self.first_created_at.astimezone(zone).date()
        last = self.data_as_of.astimezone(zone).date()
        monday = first - timedelta(days=first.weekday())
        out = []
        while monday <= last:
            out.append(Period(monday, monday + timedelta(days=7), timezone))
            monday += timedelta(days=7)
        return out[::-1]

    def first_date(self, timezone: str) -> date | None:
        from zoneinfo import ZoneInfo

        return None if self.first_created_at is None else self.first_created_at.astimezone(ZoneInfo(timezone)).date()

    def reaches_into(self, period: Period) -> bool:
        """Whether the data starts before `period` ends: a period before it all is nothing to compare with."""
        first = self.first_date(period.timezone)
        return first is not None and period.end > first


def data_info(con: duckdb.DuckDBPyConnection) -> DataInfo:
    """Summarise the requests table (two small aggregate queries)."""
    extent = queries.run(con, "data_extent").iloc[0]
    options_frame = queries.run(con, "filter_options")
    options = {
        f: tuple(options_frame.loc[options_frame["field"] == f, "value"].tolist()) for f in FILTER_FIELDS
    }
    # Priorities by severity, as the heatmaps order them; departments by name, to be found in a
    # long list; provider types and channels most common first.
    severity = {code: i for i, code in enumerate(CODES["priority"])}
    options["priority"] = tuple(sorted(options["priority"], key=lambda v: severity.get(v, len(severity))))
    for name in ("requester_department", "provider_department"):
        options[name] = tuple(sorted(options[name], key=str.casefold))
    as_datetime = lambda v: None if v is None or v != v else v.to_pydatetime()  # noqa: E731
    return DataInfo(
        n_requests=int(extent["n_requests"]),
        n_sources=int(extent["n_sources"]),
        first_created_at=as_datetime(extent["first_created_at"]),
        last_created_at=as_datetime(extent["last_created_at"]),
        data_as_of=as_datetime(extent["data_as_of"]),
        options=options,
        only_sample=_only_sample(con),
    )


def _only_sample(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether every source is the bundled sample's, built into this file. The sources are read
    only where the sample was built: listing them scans every table (up to 0.2 s a page at 10
    million requests)."""
    from servicelevel.sample import sample_sources_held
    from servicelevel.store import get_meta

    if not get_meta(con, "sample_anchor"):
        return False
    held = set(queries.run(con, "source_names")["source"])
    return bool(held) and set(sample_sources_held(con, held)) == held
