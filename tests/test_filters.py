"""Periods: which week of a trend window is not over in the data (hand-checked instants); filters
that match nothing together."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from servicelevel.filters import Filters, Period, filter_slugs, iso_week_code, parse_iso_week

# Twelve ISO weeks, Monday 31 Aug to Sunday 22 Nov 2026, in São Paulo (UTC-3 all year).
TREND = Period(date(2026, 8, 31), date(2026, 11, 23), "America/Sao_Paulo")


@pytest.mark.parametrize("as_of, unfinished", [
    (datetime(2026, 11, 18, 15, 0, tzinfo=timezone.utc), date(2026, 11, 16)),  # Wednesday noon local
    (datetime(2026, 11, 16, 2, 30, tzinfo=timezone.utc), date(2026, 11, 9)),  # Sunday 23:30 local, Monday in UTC
    (datetime(2026, 11, 16, 3, 0, tzinfo=timezone.utc), None),  # Monday 00:00 local: the week before is whole
    (datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc), None),  # after the window
    (datetime(2026, 8, 20, 12, 0, tzinfo=timezone.utc), None),  # before it
])
def test_the_unfinished_week_is_the_local_week_of_the_newest_instant(as_of, unfinished):
    assert TREND.unfinished_week(as_of) == unfinished


@pytest.mark.parametrize("day, code", [
    (date(2026, 11, 9), "2026-W46"),   # a Monday
    (date(2026, 12, 31), "2026-W53"),  # 2026 starts on a Thursday: it has 53 ISO weeks
    (date(2027, 1, 3), "2026-W53"),    # a Sunday of January still in the year before's last week
    (date(2024, 12, 30), "2025-W01"),  # a Monday of December already in the next year's first week
])
def test_a_day_is_named_by_its_iso_week_as_links_and_the_cli_read_it(day, code):
    assert iso_week_code(day) == code
    assert parse_iso_week(code, "UTC").start <= day < parse_iso_week(code, "UTC").end



@pytest.mark.parametrize("start, end, words", [
    (date(2026, 11, 9), date(2026, 11, 16), "week"),  # Monday to Sunday
    (date(2026, 11, 11), date(2026, 11, 18), "7 days"),  # Wednesday to Tuesday: no ISO week
    (date(2026, 11, 10), date(2026, 11, 11), "day"),
    (date(2026, 10, 1), date(2026, 11, 1), "31 days"),
])
def test_a_period_says_how_long_it_is_as_the_period_before_is_named(start, end, words):
    assert Period(start, end, "Europe/Lisbon").length_words() == words


def test_a_period_and_filters_name_a_download():
    zone = "America/Sao_Paulo"
    assert Period(date(2026, 11, 9), date(2026, 11, 16), zone).code() == "2026-W46"
    assert Period(date(2026, 11, 10), date(2026, 11, 11), zone).code() == "2026-11-10"
    # Seven days not starting on a Monday are a range, named by its first and last day.
    assert Period(date(2026, 10, 1), date(2026, 11, 1), zone).code() == "2026-10-01-to-2026-10-31"
    assert Period(date(2026, 11, 10), date(2026, 11, 17), zone).code() == "2026-11-10-to-2026-11-16"
    assert filter_slugs(Filters()) == []
    assert filter_slugs(Filters(requester_type="internal", provider_departments=("Customer Support", "IT"),
                                priorities=("high",))) == ["customer-support", "it", "internal", "filtered"]


def test_filters_matching_nothing_together_say_what_each_matches_alone(con, tmp_path):
    from servicelevel import queries
    from servicelevel.weekly import filters_matching_nothing
    from tests.handmade import import_requests

    # Two internal requests for IT, one for Legal; no external requester at all.
    import_requests(con, tmp_path, [
        {"request_id": "R1", "created_at": "2026-03-02T10:00:00Z", "requester_type": "internal",
         "requester_department": "Sales", "provider_department": "IT", "priority": "high"},
        {"request_id": "R2", "created_at": "2026-03-03T10:00:00Z", "requester_type": "internal",
         "requester_department": "Sales", "provider_department": "IT", "priority": "low"},
        {"request_id": "R3", "created_at": "2026-03-04T10:00:00Z", "requester_type": "internal",
         "requester_department": "Sales", "provider_department": "Legal", "priority": "high"},
    ])

    def run(name, params):
        return queries.run(con, name, params)

    assert filters_matching_nothing(run, Filters()) is None
    assert filters_matching_nothing(run, Filters(provider_departments=("IT",), priorities=("high",))) is None
    assert filters_matching_nothing(run, Filters(provider_departments=("Legal",), priorities=("low",))) == (
        "No request in the data matches all of these filters at once (provider Legal; priority low), in any "
        "period. Requests each filter matches on its own: provider Legal, 1; priority low, 1. Widen or clear one "
        "of them in the sidebar.")
    assert filters_matching_nothing(run, Filters(requester_type="external")) == (
        "No request in the data matches external requesters, in any period. Clear it in the sidebar.")
