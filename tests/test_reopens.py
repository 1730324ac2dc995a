"""Reopen rate and one-touch resolution: the query on a hand-built export (worked out by hand),
the tiles, and the Recurring problems page on the bundled sample against an independent count."""

from __future__ import annotations

import re
from datetime import datetime, timezone

import pandas as pd
import pytest

from servicelevel import queries, reopens, store
from servicelevel.derived import refresh_derived
from servicelevel.settings import Organisation
from tests.apptest_support import rendered
from tests.handmade import filters, import_requests

UTC = timezone.utc
MARCH = {"start_at": datetime(2026, 3, 1, tzinfo=UTC), "end_at": datetime(2026, 4, 1, tzinfo=UTC)}


@pytest.fixture
def reopens_db(con, tmp_path):
    created = "2026-02-20T10:00:00Z"
    import_requests(con, tmp_path, [
        # Access, resolved in March: reopened twice and reassigned; never reopened, one touch;
        # reopened once, one touch.
        {"request_id": "A1", "created_at": created, "resolved_at": "2026-03-02T10:00:00Z", "status": "resolved",
         "reopen_count": "2", "reassignment_count": "1"},
        {"request_id": "A2", "created_at": created, "resolved_at": "2026-03-03T10:00:00Z", "status": "resolved",
         "reopen_count": "0", "reassignment_count": "0"},
        {"request_id": "A3", "created_at": created, "closed_at": "2026-03-04T10:00:00Z", "status": "closed",
         "reopen_count": "1", "reassignment_count": "0"},  # no resolution time: closed_at stands in
        # Access, resolved in March, its export gave neither count: counted as resolved, in no rate.
        {"request_id": "A4", "created_at": created, "resolved_at": "2026-03-05T10:00:00Z", "status": "resolved"},
        # Printer, resolved in March, reopened, reassignment count unknown.
        {"request_id": "P1", "created_at": created, "resolved_at": "2026-03-06T10:00:00Z", "status": "resolved",
         "category": "Printer", "reopen_count": "1"},
        # Outside the period: resolved in February, in April, or not at all.
        {"request_id": "X1", "created_at": created, "resolved_at": "2026-02-27T10:00:00Z", "status": "resolved",
         "reopen_count": "3", "reassignment_count": "2"},
        {"request_id": "X2", "created_at": created, "resolved_at": "2026-04-01T00:00:00Z", "status": "resolved",
         "reopen_count": "1", "reassignment_count": "0"},
        {"request_id": "X3", "created_at": created, "reopen_count": "1", "reassignment_count": "0"},
    ])
    refresh_derived(con)
    return con


def test_reopens_count_what_was_resolved_in_the_period_by_hand(reopens_db):
    result = queries.run(reopens_db, "reopens", {**filters(), **MARCH})
    everything = reopens.total(result)
    # Resolved in March: A1, A2, A3, A4, P1. Reopen counts known for A1, A2, A3, P1; reopened: A1, A3, P1.
    # Reassignment counts known for A1, A2, A3; one touch: A2, A3.
    assert everything[["n_resolved", "n_reopen_known", "n_reopened", "n_touch_known", "n_one_touch"]].tolist() == [
        5, 4, 3, 3, 2]
    assert everything["reopen_rate"] == pytest.approx(3 / 4)
    assert everything["one_touch_rate"] == pytest.approx(2 / 3)
    per_category = reopens.by_category(result).set_index("category")
    assert list(per_category.index) == ["Access", "Printer"]  # most reopened first
    assert per_category.loc["Access", ["n_resolved", "n_reopened", "n_one_touch"]].tolist() == [4, 2, 2]
    assert per_category.loc["Access", "reopen_rate"] == pytest.approx(2 / 3)
    # Printer's only request has no reassignment count: no one-touch rate, rather than 0 %.
    assert per_category.loc["Printer", "n_touch_known"] == 0 and pd.isna(per_category.loc["Printer", "one_touch_rate"])
    assert pd.isna(per_category.loc["Printer", "n_one_touch"])  # blank, not "one-touch 0": nobody counted


def test_reopens_follow_the_filters(reopens_db):
    result = queries.run(reopens_db, "reopens", {**filters(provider_departments=["Facilities"]), **MARCH})
    assert reopens.total(result) is None and reopens.by_category(result).empty


def test_tiles_compare_with_the_period_before_and_skip_a_rate_nobody_counts():
    org = Organisation("Example Org", "UTC", min_count=2)
    now = pd.Series({"n_reopened": 30, "n_reopen_known": 40, "n_one_touch": 2, "n_touch_known": 3})
    before = pd.Series({"n_reopened": 10, "n_reopen_known": 40, "n_one_touch": 3, "n_touch_known": 3})
    reopen, one_touch = reopens.tiles(now, before, org)
    assert (reopen.format_value(), reopen.format_delta()) == ("75.0%", "+50.0 pp")
    assert reopen.higher_is_better is False and reopen.change_is_news  # a rise in reopens is bad news
    # The same rates on a tenth of the requests (3 of 4 against 1 of 4): Fisher's exact test gives
    # p = 0.49 (tests/independent_counts.fisher_two_sided), a change chance could make: not news.
    few = reopens.tiles(pd.Series({**now.to_dict(), "n_reopened": 3, "n_reopen_known": 4}),
                        pd.Series({**before.to_dict(), "n_reopened": 1, "n_reopen_known": 4}), org)[0]
    assert few.format_delta() == "+50.0 pp" and not few.change_is_news and few.change_said() == "change could be chance"
    assert (one_touch.format_value(), one_touch.format_delta()) == ("66.7%", "-33.3 pp")
    assert one_touch.higher_is_better is True
    # A rate resting on part of the requests resolved says so.
    partly = reopens.tiles(pd.Series(now.to_dict() | {"n_resolved": 41}), before, org)
    assert [tile.count_label for tile in partly] == ["resolved where counted"] * 2
    assert [tile.count_label for tile in reopens.tiles(pd.Series(now.to_dict() | {"n_resolved": 40}), before, org)] == [
        "resolved", "resolved where counted"]
    # No period before; one-touch unknown for every request: only the reopen rate, with no change.
    only = reopens.tiles(now.to_dict() | {"n_touch_known": 0, "n_one_touch": 0}, None, org)
    assert [tile.key for tile in only] == ["reopen_rate"] and only[0].format_delta() is None
    assert only[0].no_change_note == "no period before to compare"
    # A period not over: the change is shown but not coloured as news.
    assert not reopens.tiles(now, before, org, so_far=True)[0].change_is_news


def independent_counts(path, start_at, end_at) -> tuple[int, int, int, int]:
    """(resolved with a reopen count, reopened, resolved with a reassignment count, one touch) in
    [start_at, end_at), counted in Python over the rows the period holds."""
    con = store.connect(path)
    try:
        rows = con.execute(
            "select resolved_at, closed_at, reopen_count, reassignment_count from requests "
            "where coalesce(resolved_at, closed_at) between $a - interval 1 day and $b + interval 1 day",
            {"a": start_at, "b": end_at},
        ).fetchall()
    finally:
        con.close()
    inside = [r for r in rows if start_at <= (r[0] or r[1]) < end_at]
    reopen_known = [r[2] for r in inside if r[2] is not None]
    touch_known = [r[3] for r in inside if r[3] is not None]
    return (len(reopen_known), sum(1 for n in reopen_known if n > 0),
            len(touch_known), sum(1 for n in touch_known if n == 0))


def test_a_rate_no_resolved_request_has_the_count_for_is_said_to_be_missing(dashboard):
    # Internal requesters' requests are all Jira's, which has no reassignment counts: no one-touch
    # tile, and a line saying why instead of a tile gone without a word.
    dashboard.query_params["requester"] = "Internal"
    at = rendered(dashboard, "pages/recurring.py")
    assert {m.label for m in at.metric} == {"Reopen rate", "Repeat rate"}
    resolved = next(re.search(r"resolved ([\d,]+)", c.value).group(1) for c in at.caption
                    if c.value.startswith("goal") or re.match(r"resolved [\d,]+", c.value))
    assert any(c.value == f"No one-touch rate: none of the {resolved} requests resolved has a reassignment count "
               "(source jira has none)." for c in at.caption), [c.value for c in at.caption]


def test_recurring_page_shows_reopens_that_match_an_independent_count(dashboard, sample_db_path):
    at = rendered(dashboard, "pages/recurring.py")
    week = (datetime(2026, 11, 9, 3, tzinfo=UTC), datetime(2026, 11, 16, 3, tzinfo=UTC))  # 2026-W46, UTC-3
    n_reopen, n_reopened, n_touch, n_one_touch = independent_counts(sample_db_path, *week)
    shown = {m.label: m.value for m in at.metric}
    assert shown["Reopen rate"] == f"{round(1000 * n_reopened / n_reopen) / 10:.1f}%"
    assert shown["One-touch"] == f"{round(1000 * n_one_touch / n_touch) / 10:.1f}%"
    captions = " ".join(c.value for c in at.caption)
    assert f"resolved {n_reopen:,}" in captions
    # One-touch rests on fewer requests (Jira's lack the count), and its basis says so.
    assert f"resolved where counted {n_touch:,}" in captions and n_touch < n_reopen
    # The sample's Jira export has no reassignment counts: the page says what one-touch rests on, so
    # that zendesk's rate does not read as the organisation's (every request has a reopen count).
    assert (f"The one-touch rate rests on {n_touch:,} of the {n_reopen:,} requests resolved: source jira has no "
            "reassignment counts.") in captions
    table = next(df.value for df in at.dataframe if "n_reopen_known" in df.value.columns)
    assert table["n_reopened"].sum() == n_reopened and table["n_reopen_known"].sum() == n_reopen
    assert table["n_reopened"].is_monotonic_decreasing
    # Each rate beside its count, before the columns of what they rest on (cut off on a laptop).
    assert list(table.columns[:6]) == ["category", "n_resolved", "n_reopened", "reopen_rate", "n_one_touch",
                                       "one_touch_rate"]
