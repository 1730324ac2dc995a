"""The business clock in DuckDB against hand-checked examples and the plain-Python reference."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from servicelevel import queries, store
from servicelevel.calendars import Calendar, CalendarError, always_open, build_clock_tables, local_to_utc
from servicelevel.policies import Policy, PolicySet, Target
from servicelevel.sla import refresh_sla
from tests.reference_clock import (
    RefCalendar,
    business_seconds,
    deadline,
    paused_business_seconds,
    wall_to_utc,
)

UTC = timezone.utc
NOW = datetime(2030, 1, 1, tzinfo=UTC)
H = 3600
WEEKDAYS_9_TO_18 = tuple([((9 * H, 18 * H),)] * 5 + [(), ()])


def policy_set(calendar: Calendar, fr_secs: int = 4 * H, res_secs: int = 20 * H) -> PolicySet:
    """One catch-all policy on `calendar`."""
    policy = Policy("all", calendar.name, {}, Target(fr_secs, 0.9, "fr"), Target(res_secs, 0.9, "res"))
    return PolicySet((policy,), {"24x7": always_open(), calendar.name: calendar}, ("pending", "on_hold"))


def add_request(con, request_id: str, created: datetime, first_response=None, resolved=None, status=None,
                updated=None) -> None:
    con.execute(
        """insert into requests (source, request_id, created_at, first_response_at, resolved_at,
                                 updated_at, status, import_id, row_hash)
           values ('test', $id, $created, $fr, $res, $updated, $status, 0, 0)""",
        {"id": request_id, "created": created, "fr": first_response, "res": resolved, "updated": updated,
         "status": status or ("resolved" if resolved else "open")},
    )


def add_status(con, request_id: str, at: datetime, to_status: str, from_status: str | None = None) -> None:
    con.execute(
        """insert into events (source, request_id, event_at, kind, from_status, to_status, import_id)
           values ('test', $id, $at, 'status_change', $from, $to, 0)""",
        {"id": request_id, "at": at, "from": from_status, "to": to_status},
    )


def sla_rows(con, policies: PolicySet, now: datetime = NOW) -> dict[str, dict]:
    refresh_sla(con, policies, now=now)
    cursor = con.execute("select * from request_sla")
    names = [d[0] for d in cursor.description]
    return {row[names.index("request_id")]: dict(zip(names, row)) for row in cursor.fetchall()}


def local(zone: str, *args) -> datetime:
    return datetime(*args, tzinfo=ZoneInfo(zone))


# -- hand-checked examples -----------------------------------------------------------------------

SP = "America/Sao_Paulo"


def weekday_calendar(zone: str = SP, country: str | None = None, week=WEEKDAYS_9_TO_18) -> Calendar:
    return Calendar("office", zone, week, country, None)


def test_friday_evening_to_monday_morning_is_one_business_hour(con):
    # Fri 17:30 -> 18:00 is 30 min, Mon 09:00 -> 09:30 is 30 min: 1 h; the weekend does not count.
    add_request(con, "r1", local(SP, 2026, 3, 6, 17, 30), first_response=local(SP, 2026, 3, 9, 9, 30))
    row = sla_rows(con, policy_set(weekday_calendar()))["r1"]
    assert row["fr_elapsed_business_secs"] == H
    assert row["fr_elapsed_calendar_secs"] == (2 * 24 + 16) * H


def test_created_on_saturday_answered_monday_ten_is_one_hour(con):
    add_request(con, "r1", local(SP, 2026, 3, 7, 11, 0), first_response=local(SP, 2026, 3, 9, 10, 0))
    assert sla_rows(con, policy_set(weekday_calendar()))["r1"]["fr_elapsed_business_secs"] == H


def test_brazilian_holiday_midweek_is_closed(con):
    # Tiradentes, Tuesday 2026-04-21: Mon 17:00-18:00 (1 h) + Wed 09:00-10:00 (1 h) = 2 h.
    add_request(con, "r1", local(SP, 2026, 4, 20, 17, 0), first_response=local(SP, 2026, 4, 22, 10, 0))
    rows = sla_rows(con, policy_set(weekday_calendar(country="BR")))
    assert rows["r1"]["fr_elapsed_business_secs"] == 2 * H


def test_brazilian_holiday_pushes_the_deadline(con):
    # 4 h target from Mon 2026-04-20 16:00: 2 h on Monday, Tuesday is Tiradentes, 2 h on Wednesday.
    add_request(con, "r1", local(SP, 2026, 4, 20, 16, 0))
    row = sla_rows(con, policy_set(weekday_calendar(country="BR")))["r1"]
    assert row["fr_deadline_at"] == local(SP, 2026, 4, 22, 11, 0)


def test_lunch_break_is_not_business_time(con):
    week = tuple([((9 * H, 12 * H), (13 * H, 18 * H))] * 5 + [(), ()])
    add_request(con, "r1", local(SP, 2026, 3, 10, 11, 30), first_response=local(SP, 2026, 3, 10, 13, 30))
    rows = sla_rows(con, policy_set(weekday_calendar(week=week)))
    assert rows["r1"]["fr_elapsed_business_secs"] == H


def test_friday_afternoon_deadline_lands_on_monday(con):
    # 4 h from Fri 17:00: 1 h on Friday, 3 h on Monday -> Monday 12:00.
    add_request(con, "r1", local(SP, 2026, 3, 6, 17, 0))
    row = sla_rows(con, policy_set(weekday_calendar()))["r1"]
    assert row["fr_deadline_at"] == local(SP, 2026, 3, 9, 12, 0)


def test_deadlines_inside_quarter_hour_openings(con):
    # Open 08:30-12:15 and 13:00-17:45. From Fri 17:30, 1 h is 15 min on Friday and 45 min on
    # Monday (-> 09:15); 5 h is 15 min Friday, 3 h 45 min Monday morning, 1 h after lunch (-> 14:00).
    week = tuple([((8 * H + 1800, 12 * H + 900), (13 * H, 17 * H + 2700))] * 5 + [(), ()])
    add_request(con, "r1", local(SP, 2026, 3, 6, 17, 30))
    row = sla_rows(con, policy_set(weekday_calendar(week=week), fr_secs=H, res_secs=5 * H))["r1"]
    assert row["fr_deadline_at"] == local(SP, 2026, 3, 9, 9, 15)
    assert row["res_deadline_at"] == local(SP, 2026, 3, 9, 14, 0)
    # The inverse table cuts the clock into quarter hours, the longest step every opening keeps to.
    assert con.execute("select distinct bucket_secs from calendar_inverse").fetchall() == [(900,)]


def test_dst_change_day_keeps_its_opening_hours_in_local_time(con):
    # New York springs forward on Sunday 2026-03-08 at 02:00 (UTC-5 -> UTC-4). Open 09:00-18:00
    # every day: that Sunday opens at 09:00 EDT = 13:00 UTC, not 14:00 UTC as the night's offset
    # would have it. Created 01:00 EST (06:00 UTC), answered 17:30 EDT (21:30 UTC): 8.5 business
    # hours (7.5 with the night's offset), 15.5 real hours; the 4 h deadline is 13:00 EDT.
    ny = "America/New_York"
    every_day = tuple([((9 * H, 18 * H),)] * 7)
    add_request(con, "r1", local(ny, 2026, 3, 8, 1, 0), first_response=local(ny, 2026, 3, 8, 17, 30))
    row = sla_rows(con, policy_set(weekday_calendar(ny, week=every_day)))["r1"]
    assert row["fr_elapsed_business_secs"] == 8 * H + 30 * 60
    assert row["fr_elapsed_calendar_secs"] == 15 * H + 30 * 60
    assert row["fr_deadline_at"] == datetime(2026, 3, 8, 17, 0, tzinfo=UTC)


def test_sao_paulo_historic_dst_start_at_midnight(con):
    # Sao Paulo sprang forward at 00:00 on Sunday 2018-11-04 (UTC-3 -> UTC-2): that midnight did
    # not exist, so a Sunday opening 00:00-12:00 opens at the change (03:00 UTC) and closes at
    # 12:00 UTC-2 = 14:00 UTC: 11 hours, not 12. From Saturday 12:00 (15:00 UTC) to Monday 12:00
    # (14:00 UTC) the only open time is that morning; 47 real hours pass.
    sunday_mornings = tuple([()] * 6 + [((0, 12 * H),)])
    add_request(con, "r1", local(SP, 2018, 11, 3, 12, 0), first_response=local(SP, 2018, 11, 5, 12, 0))
    row = sla_rows(con, policy_set(weekday_calendar(SP, week=sunday_mornings)))["r1"]
    assert row["fr_elapsed_business_secs"] == 11 * H
    assert row["fr_elapsed_calendar_secs"] == 47 * H


def test_paused_time_leaves_resolution_but_not_first_response(con):
    # Mon 09:00 created, pending 10:00-12:00, open again, resolved 14:00: 5 h elapsed, 2 h paused.
    add_request(con, "r1", local(SP, 2026, 3, 9, 9, 0), first_response=local(SP, 2026, 3, 9, 11, 0),
                resolved=local(SP, 2026, 3, 9, 14, 0))
    add_status(con, "r1", local(SP, 2026, 3, 9, 10, 0), "pending")
    add_status(con, "r1", local(SP, 2026, 3, 9, 12, 0), "open")
    row = sla_rows(con, policy_set(weekday_calendar()))["r1"]
    assert row["fr_elapsed_business_secs"] == 2 * H
    assert row["res_paused_business_secs"] == 2 * H
    assert row["res_elapsed_business_secs"] == 3 * H
    # 20 h target + 2 h paused from Mon 09:00: Mon 9 h, Tue 9 h, Wed 4 h -> Wed 13:00.
    assert row["res_deadline_at"] == local(SP, 2026, 3, 11, 13, 0)


def test_a_pause_after_the_deadline_does_not_move_it(con):
    # 4 h first-response irrelevant here; resolution target 2 h from Mon 09:00 -> 11:00. The pause
    # starts at 15:00, after the deadline, so the deadline stays 11:00.
    add_request(con, "r1", local(SP, 2026, 3, 9, 9, 0), resolved=local(SP, 2026, 3, 10, 12, 0))
    add_status(con, "r1", local(SP, 2026, 3, 9, 15, 0), "on_hold")
    add_status(con, "r1", local(SP, 2026, 3, 10, 10, 0), "open")
    row = sla_rows(con, policy_set(weekday_calendar(), res_secs=2 * H))["r1"]
    assert row["res_deadline_at"] == local(SP, 2026, 3, 9, 11, 0)
    assert row["res_paused_business_secs"] == 4 * H  # Mon 15-18 (3 h) + Tue 09-10 (1 h)


def test_of_two_pauses_only_the_one_before_the_deadline_moves_it(con):
    # Resolution target 2 h from Mon 09:00. Pending 09:30-10:00 comes first: the deadline moves
    # to 11:30. On hold from 15:00 to Tue 10:00 comes after it: 4 h more paused (Mon 15-18, Tue
    # 09-10), deadline unchanged. Resolved Tue 12:00: 12 business hours, 4.5 of them paused.
    add_request(con, "r1", local(SP, 2026, 3, 9, 9, 0), resolved=local(SP, 2026, 3, 10, 12, 0))
    add_status(con, "r1", local(SP, 2026, 3, 9, 9, 30), "pending")
    add_status(con, "r1", local(SP, 2026, 3, 9, 10, 0), "open")
    add_status(con, "r1", local(SP, 2026, 3, 9, 15, 0), "on_hold")
    add_status(con, "r1", local(SP, 2026, 3, 10, 10, 0), "open")
    row = sla_rows(con, policy_set(weekday_calendar(), res_secs=2 * H))["r1"]
    assert row["res_deadline_at"] == local(SP, 2026, 3, 9, 11, 30)
    assert row["res_paused_business_secs"] == 4 * H + 30 * 60
    assert row["res_elapsed_business_secs"] == 7 * H + 30 * 60


@pytest.mark.parametrize("newest_first", [True, False], ids=["stored newest first", "stored oldest first"])
def test_changes_at_one_instant_are_taken_from_the_status_before_it(con, newest_first):
    # Put on hold and taken off it within 10:00 (an export whose times stop at the minute). Taken
    # as stored newest first, "pending -> open" then "open -> pending", the request would wait from
    # 10:00 to its resolution at 14:00: 4 h paused. The change from the status it had before
    # 10:00 (open since 09:30) goes first: nothing is paused, 5 business hours elapse.
    add_request(con, "r1", local(SP, 2026, 3, 9, 9, 0), resolved=local(SP, 2026, 3, 9, 14, 0))
    add_status(con, "r1", local(SP, 2026, 3, 9, 9, 30), "open", from_status="new")
    changes = [("open", "pending"), ("pending", "open")]  # (from, to), oldest first
    for from_status, to_status in reversed(changes) if newest_first else changes:
        add_status(con, "r1", local(SP, 2026, 3, 9, 10, 0), to_status, from_status=from_status)
    # A second request, untied, keeps its one real pause: pending 10:00-11:00.
    add_request(con, "r2", local(SP, 2026, 3, 9, 9, 0), resolved=local(SP, 2026, 3, 9, 14, 0))
    add_status(con, "r2", local(SP, 2026, 3, 9, 10, 0), "pending", from_status="open")
    add_status(con, "r2", local(SP, 2026, 3, 9, 11, 0), "open", from_status="pending")
    rows = sla_rows(con, policy_set(weekday_calendar()))
    assert (rows["r1"]["res_paused_business_secs"], rows["r1"]["res_elapsed_business_secs"]) == (0, 5 * H)
    assert (rows["r2"]["res_paused_business_secs"], rows["r2"]["res_elapsed_business_secs"]) == (H, 4 * H)
    # The request page's history lists them in the same order.
    history = queries.run(con, "request_events", {"source": "test", "request_id": "r1"})
    assert history["to_status"].tolist() == ["open", "pending", "open"]


def test_24x7_counts_every_second(con):
    add_request(con, "r1", datetime(2026, 3, 7, 22, 15, tzinfo=UTC), first_response=datetime(2026, 3, 9, 1, 0, 5, tzinfo=UTC))
    rows = sla_rows(con, policy_set(always_open()))
    assert rows["r1"]["fr_elapsed_business_secs"] == rows["r1"]["fr_elapsed_calendar_secs"] == 26 * H + 45 * 60 + 5


def test_local_to_utc_in_the_spring_gap_is_the_change():
    ny = ZoneInfo("America/New_York")
    instant = local_to_utc(date(2026, 3, 8), 2 * H + 30 * 60, ny, earliest=True)
    assert datetime.fromtimestamp(instant, UTC) == datetime(2026, 3, 8, 7, 0, tzinfo=UTC)


def test_local_to_utc_in_the_repeated_hour_takes_earliest_or_latest():
    ny = ZoneInfo("America/New_York")
    secs = 1 * H + 30 * 60  # 01:30 happens twice on 2026-11-01
    assert local_to_utc(date(2026, 11, 1), secs, ny, earliest=True) == int(datetime(2026, 11, 1, 5, 30, tzinfo=UTC).timestamp())
    assert local_to_utc(date(2026, 11, 1), secs, ny, earliest=False) == int(datetime(2026, 11, 1, 6, 30, tzinfo=UTC).timestamp())


def test_more_than_two_spans_in_one_hour_is_refused(con):
    crowded = tuple([((9 * H, 9 * H + 600), (9 * H + 1200, 9 * H + 1800), (9 * H + 2400, 10 * H))] + [()] * 6)
    calendar = Calendar("crowded", "UTC", crowded)
    with pytest.raises(CalendarError, match="more than two opening intervals fall within one hour"):
        build_clock_tables(con, [calendar], date(2026, 1, 1), date(2026, 1, 31))


# -- random calendars against the reference ------------------------------------------------------

ZONES = {
    "America/New_York": ("US", "NY"),
    "Europe/London": ("GB", None),
    "America/Sao_Paulo": ("BR", "SP"),
    "Asia/Kolkata": ("IN", None),
    "UTC": (None, None),
}
# Days to start from: DST changes (New York, London, Sao Paulo's historic ones), a Brazilian
# holiday, a year end.
ANCHORS = (
    date(2026, 3, 8), date(2026, 11, 1), date(2026, 3, 29), date(2026, 10, 25),
    date(2018, 11, 4), date(2019, 2, 17), date(2026, 4, 21), date(2025, 12, 31),
)
QUARTER = 15 * 60


@st.composite
def day_intervals(draw):
    """0-3 intervals on a 15-minute grid, each at least 30 min long, 30 min apart (so at most
    two fall in any UTC hour, whatever the zone's offset)."""
    n = draw(st.integers(0, 3))
    cuts = sorted(draw(st.lists(st.integers(0, 96), min_size=2 * n, max_size=2 * n, unique=True)))
    intervals = []
    for i in range(n):
        start, end = cuts[2 * i] * QUARTER, cuts[2 * i + 1] * QUARTER
        if end - start < 2 * QUARTER or (intervals and start - intervals[-1][1] < 2 * QUARTER):
            continue
        intervals.append((start, end))
    return tuple(intervals)


@st.composite
def calendars(draw):
    zone = draw(st.sampled_from(sorted(ZONES)))
    week = tuple(draw(day_intervals()) for _ in range(7))
    if not any(week):
        week = WEEKDAYS_9_TO_18
    country, subdivision = ZONES[zone] if draw(st.booleans()) else (None, None)
    anchor = draw(st.sampled_from(ANCHORS))
    closed = frozenset(draw(st.lists(
        st.integers(-5, 10).map(lambda d: anchor + timedelta(days=d)), max_size=2)))
    calendar = Calendar("random", zone, week, country, subdivision, closed)
    return calendar, anchor


def instants(anchor: date):
    """Whole seconds within a few days of the anchor, biased to quarter hours (interval edges)."""
    origin = datetime.combine(anchor, datetime.min.time(), UTC) - timedelta(days=3)
    return st.one_of(
        st.integers(0, 7 * 96).map(lambda q: origin + timedelta(seconds=q * QUARTER)),
        st.integers(0, 7 * 86400).map(lambda s: origin + timedelta(seconds=s)),
    )


def reference_of(calendar: Calendar) -> RefCalendar:
    return RefCalendar(calendar.timezone, calendar.week, calendar.holiday_country,
                       calendar.holiday_subdivision, calendar.closed_dates)


@pytest.fixture(scope="module")
def shared_con(tmp_path_factory):
    connection = store.connect(tmp_path_factory.mktemp("clock") / "clock.duckdb")
    yield connection
    connection.close()


def fresh(con):
    con.execute("delete from requests")
    con.execute("delete from events")
    return con


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), cal=calendars())
def test_sql_clock_matches_reference(shared_con, data, cal):
    calendar, anchor = cal
    con = fresh(shared_con)
    ref = reference_of(calendar)
    points = sorted(data.draw(st.lists(instants(anchor), min_size=3, max_size=3)))
    a, b, c = points
    fr_target = data.draw(st.integers(1, 40)) * QUARTER + data.draw(st.integers(0, 59))
    # Three requests to check additivity: a->b, b->c and a->c.
    add_request(con, "ab", a, first_response=b)
    add_request(con, "bc", b, first_response=c)
    add_request(con, "ac", a, first_response=c)
    rows = sla_rows(con, policy_set(calendar, fr_secs=fr_target))

    for name, start, end in (("ab", a, b), ("bc", b, c), ("ac", a, c)):
        row = rows[name]
        expected = business_seconds(ref, start, end)
        assert row["fr_elapsed_business_secs"] == expected, name
        assert 0 <= row["fr_elapsed_business_secs"] <= row["fr_elapsed_calendar_secs"]
        assert row["fr_deadline_at"] == deadline(ref, start, fr_target), name
    assert rows["ac"]["fr_elapsed_business_secs"] == (
        rows["ab"]["fr_elapsed_business_secs"] + rows["bc"]["fr_elapsed_business_secs"]
    )
    # The deadline is exactly `target` business seconds after the start, and the first such instant.
    due = rows["ab"]["fr_deadline_at"]
    assert business_seconds(ref, a, due) == fr_target
    assert business_seconds(ref, a, due - timedelta(seconds=1)) < fr_target


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), cal=calendars())
def test_sql_pauses_match_reference(shared_con, data, cal):
    calendar, anchor = cal
    con = fresh(shared_con)
    ref = reference_of(calendar)
    created, *marks = sorted(data.draw(st.lists(instants(anchor), min_size=5, max_size=5, unique=True)))
    resolved = data.draw(st.one_of(st.none(), instants(anchor).filter(lambda t: t > created)))
    res_target = data.draw(st.integers(1, 60)) * QUARTER
    now = datetime.combine(anchor, datetime.min.time(), UTC) + timedelta(days=6)
    # Exported at `now` (the request's updated_at): an ongoing pause runs to that instant, the
    # data's newest, where running SLAs are judged.
    add_request(con, "r", created, resolved=resolved, status="resolved" if resolved else "pending", updated=now)
    # One pause or two from the marks: pending [m0, m1), on hold [m2, m3); a resolution cuts them
    # short. (A request's only pause is read from its own row, several from the events.)
    n_pauses = data.draw(st.sampled_from([1, 2]))
    marks, statuses = marks[:2 * n_pauses], ["pending", "open", "on_hold", "open"][:2 * n_pauses]
    ongoing = resolved is None and data.draw(st.booleans())
    if ongoing:
        marks, statuses = marks[:-1], statuses[:-1]
    for mark, status in zip(marks, statuses):
        add_status(con, "r", mark, status)
    row = sla_rows(con, policy_set(calendar, res_secs=res_target), now=now)["r"]

    stop = resolved or now
    ends = marks[1::2] + ([now] if ongoing else [])
    pauses = list(zip(marks[0::2], ends))
    clipped = [(max(p, created), min(q, stop)) for p, q in pauses if min(q, stop) > max(p, created)]
    paused = paused_business_seconds(ref, clipped, created, stop)
    assert row["res_paused_business_secs"] == paused
    assert row["res_is_paused"] == (ongoing and marks[-1] < now)
    if resolved is not None:
        assert row["res_elapsed_business_secs"] == business_seconds(ref, created, resolved) - paused
    assert row["res_deadline_at"] == deadline(ref, created, res_target, clipped)


def test_reference_gap_rule_agrees_with_product():
    ny = ZoneInfo("America/New_York")
    for secs in (2 * H, 2 * H + 30 * 60, 1 * H + 30 * 60, 9 * H):
        for day in (date(2026, 3, 8), date(2026, 11, 1)):
            for earliest in (True, False):
                expected = int(wall_to_utc(day, secs, ny, earliest).timestamp())
                assert local_to_utc(day, secs, ny, earliest) == expected
