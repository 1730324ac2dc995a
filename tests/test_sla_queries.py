"""The SLA queries on a small hand-built week, with every expected number worked out by hand.

Calendar 'office': UTC, Monday-Friday 09:00-17:00 (8-hour days). Policies, first match wins:
  Urgent    priority urgent       24x7    first response 1h (goal 0.90), resolution 4h  (0.80)
  Internal  requester internal    office  first response 2h (0.95),      resolution 1d = 8h (0.90)
  External  requester external    office  first response 4h (0.90),      resolution 16h (0.85)
No catch-all: a request without a requester type gets no policy. Paused status: pending.

The week is ISO 2026-W10, Monday 2026-03-02 .. Sunday 03-08 (all times UTC); "now" (as_of) is
Monday 03-09 09:30. Source 'desk' exports everything; source 'chat' has no first-response column.

  A internal, IT, created Mon 09:00, reply Mon 10:00 (1h: met), resolved Mon 15:00 (6h: met),
    due Mon 18:00 (kept).
  B internal high, IT, created Mon 16:00, reply Tue 11:00 (Mon 16-17 + Tue 9-11 = 3h > 2h:
    breached at the deadline Tue 10:00, overrun 1h), resolved Wed 12:00 (1 + 8 + 3 = 12h > 8h:
    breached at Tue 16:00, overrun 4h), due Tue 17:00 (broken).
  C external, Support, created Tue 09:00, reply Tue 12:00 (3h: met), pending Tue 13:00 - Wed
    13:00 (4h + 4h = 8h paused), resolved Thu 10:00 (8 + 8 + 1 = 17h - 8h = 9h <= 16h: met);
    deadline 16h + 8h paused = 24h of office time = Thu 17:00. Due Fri 12:00 (kept).
  D urgent external, Support, created Sat 10:00, reply Sat 10:30 (met), never resolved: the 4h
    (24x7) deadline Sat 14:00 passed, breached; overrun at as_of Sat 14:00 -> Mon 09:30 = 43.5h.
    Due Sun 20:00 (broken: still open).
  E external, Support, source 'chat', created Thu 09:00, resolved Thu 11:00 (2h: met); first
    response n/a: "source 'chat' has no first-response times".
  F internal, HR, created Fri 16:00, no reply, pending since Fri 16:30 (still paused). First
    response deadline: Fri 16-17 + Mon 9-10 -> Mon 10:00; 30 min left at as_of. Resolution: 8h
    + 1h paused so far (Fri 16:30-17:00, Mon 09:00-09:30) -> Mon 17:00; 7.5h left. Due Fri 18:00.
  G no requester type: no policy (n/a); created Wed 09:00, resolved Wed 10:00.
  H internal, IT, created Mon 03-09 09:00 (next week), reply 09:15.
  I internal, IT, created 2026-01-15 09:00, still open (backlog 30+ days, past its deadline).
  J internal, IT, created 2026-02-02 09:00, status closed but no resolution time: n/a.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pandas as pd
import pytest

from servicelevel import derived, queries
from servicelevel.filters import Filters
from servicelevel.policies import parse_policies
from servicelevel.sla import DIMENSIONS, refresh_sla
from servicelevel.sqlfiles import pipeline_sql, query_sql

UTC = timezone.utc
H = 3600

POLICIES = """
paused_statuses = ["pending"]

[calendars.office]
timezone = "UTC"
[calendars.office.hours]
mon = ["09:00-17:00"]
tue = ["09:00-17:00"]
wed = ["09:00-17:00"]
thu = ["09:00-17:00"]
fri = ["09:00-17:00"]

[[policies]]
name = "Urgent"
match = { priority = "urgent" }
first_response = { target = "1h", goal = 0.90 }
resolution = { target = "4h", goal = 0.80 }

[[policies]]
name = "Internal"
calendar = "office"
match = { requester_type = "internal" }
first_response = { target = "2h", goal = 0.95 }
resolution = { target = "1d", goal = 0.90 }

[[policies]]
name = "External"
calendar = "office"
match = { requester_type = "external" }
first_response = { target = "4h", goal = 0.90 }
resolution = { target = "16h", goal = 0.85 }
"""


def at(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


WEEK_START, WEEK_END = at(2, 0), at(9, 0)
AS_OF = at(9, 9, 30)

REQUESTS = [
    # id, source, requester_type, priority, provider, created, first_response, resolved, status, due
    ("A", "desk", "internal", "normal", "IT", at(2, 9), at(2, 10), at(2, 15), "resolved", at(2, 18)),
    ("B", "desk", "internal", "high", "IT", at(2, 16), at(3, 11), at(4, 12), "resolved", at(3, 17)),
    ("C", "desk", "external", "normal", "Support", at(3, 9), at(3, 12), at(5, 10), "resolved", at(6, 12)),
    ("D", "desk", "external", "urgent", "Support", at(7, 10), at(7, 10, 30), None, "open", at(8, 20)),
    ("E", "chat", "external", "normal", "Support", at(5, 9), None, at(5, 11), "resolved", None),
    ("F", "desk", "internal", "normal", "HR", at(6, 16), None, None, "pending", at(6, 18)),
    ("G", "desk", None, "normal", "IT", at(4, 9), None, at(4, 10), "resolved", None),
    ("H", "desk", "internal", "normal", "IT", at(9, 9), at(9, 9, 15), None, "open", None),
    ("I", "desk", "internal", "normal", "IT", at(15, 9, month=1), None, None, "open", None),
    ("J", "desk", "internal", "normal", "IT", at(2, 9, month=2), None, None, "closed", None),
]
EVENTS = [("C", at(3, 13), "pending"), ("C", at(4, 13), "open"), ("F", at(6, 16, 30), "pending")]


@pytest.fixture
def week(con):
    """The hand-built week above, with its SLA states refreshed as of AS_OF."""
    con.execute(
        """insert into imports (import_id, source, kind, file_name, started_at, status, mapped_fields, missing_fields)
           values (1, 'desk', 'requests', 'desk.csv', $t, 'ok', [], []),
                  (2, 'chat', 'requests', 'chat.csv', $t, 'ok', [], ['first_response_at', 'closed_at'])""",
        {"t": AS_OF},
    )
    for rid, source, rtype, priority, provider, created, reply, resolved, status, due in REQUESTS:
        con.execute(
            """insert into requests (source, request_id, created_at, first_response_at, resolved_at, due_at,
                                     updated_at, status, priority, requester_type, requester_id,
                                     provider_department, category, import_id, row_hash)
               values ($source, $id, $created, $reply, $resolved, $due, $updated, $status, $priority, $rtype,
                       'person-' || $id, $provider, 'General', $import_id, 0)""",
            {"source": source, "id": rid, "created": created, "reply": reply, "resolved": resolved,
             "due": due, "status": status, "priority": priority, "rtype": rtype, "provider": provider,
             "import_id": 2 if source == "chat" else 1,
             # The export was taken at AS_OF: H, touched last, carries that instant, so the data's
             # newest instant (where running SLAs and ongoing pauses are judged) is AS_OF.
             "updated": AS_OF if rid == "H" else None},
        )
    for rid, when, status in EVENTS:
        con.execute(
            """insert into events (source, request_id, event_at, kind, to_status, import_id)
               values ('desk', $id, $at, 'status_change', $status, 3)""",
            {"id": rid, "at": when, "status": status},
        )
    refresh_sla(con, parse_policies(POLICIES, "test.toml"), now=AS_OF)
    derived.refresh_derived(con)  # request_facts, which the page queries read
    return con


def run(con, name: str, **params):
    base = {**Filters().params(), "start_at": WEEK_START, "end_at": WEEK_END, "as_of": AS_OF,
            "timezone": "UTC", "dimension": "", "max_rows": 100, "within_secs": 4 * H}
    base.update(params)
    return queries.run(con, name, base)


def records(frame) -> list[dict]:
    return frame.to_dict("records")


def test_states_as_of_now(week):
    rows = {r[0]: r[1:] for r in week.execute(
        """select request_id, fr_state, res_state, fr_decided_at, res_decided_at, fr_na_reason, res_na_reason
           from sla_states($as_of)""", {"as_of": AS_OF}).fetchall()}
    assert rows["A"][:2] == ("met", "met")
    assert rows["B"][:4] == ("breached", "breached", at(3, 10), at(3, 16))
    assert rows["C"][:2] == ("met", "met")
    assert rows["D"][:4] == ("met", "breached", at(7, 10, 30), at(7, 14))
    assert rows["E"][0] == "n/a" and rows["E"][4] == "source 'chat' has no first-response times"
    assert rows["F"][:2] == ("running", "running")
    assert rows["G"][:2] == ("n/a", "n/a") and rows["G"][4] == "no SLA policy matches this request"
    assert rows["J"][:2] == ("n/a", "n/a")
    assert rows["J"][5] == "status is closed but the export has no resolution time"


def test_states_depend_on_as_of(week):
    def b_first_response(as_of):
        return week.execute(
            """select fr_state, fr_overrun_business_secs, fr_remaining_business_secs
               from sla_states($as_of) where request_id = 'B'""", {"as_of": as_of}).fetchall()[0]
    # Tue 09:30: the reply (Tue 11:00) has not come yet and the deadline (Tue 10:00) is ahead.
    assert b_first_response(at(3, 9, 30)) == ("running", None, 30 * 60)
    # Tue 10:30: still no reply, deadline passed half an hour ago.
    assert b_first_response(at(3, 10, 30)) == ("breached", 30 * 60, None)
    # Requests created after as_of do not exist yet.
    assert week.execute("select count(*) from sla_states($t)", {"t": at(2, 12)}).fetchall()[0][0] == 3  # A, I, J


def test_request_sla_measures_pauses_and_deadlines(week):
    c, f = (week.execute(
        """select res_elapsed_business_secs, res_paused_business_secs, res_deadline_at, res_is_paused
           from request_sla where request_id = $id""", {"id": rid}).fetchall()[0] for rid in ("C", "F"))
    assert c == (9 * H, 8 * H, at(5, 17), False)
    assert f == (None, H, at(9, 17), True)


def test_a_refresh_days_after_the_export_ends_ongoing_pauses_at_the_export(week):
    # F has been pending since Fri 16:30; the data ends at AS_OF (Mon 09:30). Whenever the
    # refresh runs, F's pause is the 1 business hour up to AS_OF, where the pages judge running
    # SLAs, and its deadline stays Mon 17:00 (as in test_request_sla_measures_pauses_and_deadlines).
    refresh_sla(week, parse_policies(POLICIES, "test.toml"), now=AS_OF + timedelta(days=4))
    f = week.execute(
        """select res_paused_business_secs, res_deadline_at, res_is_paused
           from request_sla where request_id = 'F'""").fetchall()[0]
    assert f == (H, at(9, 17), True)


def test_adherence_by_week(week):
    # First response decided in W10: met A, C, D; breached B -> 3/4. Goals .95, .95, .90, .90.
    # Resolution: met A, C, E; breached B, D -> 3/5. Goals .90, .90, .85, .80, .85 -> 0.86.
    got = {r["metric"]: r for r in records(run(week, "adherence_by_week"))}
    assert set(got) == {"first_response", "resolution"}
    fr, res = got["first_response"], got["resolution"]
    assert str(fr["week_start"])[:10] == "2026-03-02" and fr["group_value"] == "all"
    assert (fr["n_met"], fr["n_breached"]) == (3, 1)
    assert fr["adherence"] == pytest.approx(0.75) and fr["goal"] == pytest.approx(0.925)
    assert (res["n_met"], res["n_breached"]) == (3, 2)
    assert res["adherence"] == pytest.approx(0.6) and res["goal"] == pytest.approx(0.86)


def test_adherence_by_requester_type_and_filters(week):
    got = {(r["group_value"], r["metric"]): r for r in records(
        run(week, "adherence_by_week", dimension="requester_type"))}
    assert got["internal", "first_response"]["adherence"] == pytest.approx(0.5)  # A met, B breached
    assert got["external", "first_response"]["adherence"] == pytest.approx(1.0)  # C, D met
    assert got["external", "resolution"]["adherence"] == pytest.approx(2 / 3)  # C, E met; D breached
    assert got["external", "resolution"]["goal"] == pytest.approx((0.85 + 0.80 + 0.85) / 3)
    only_hr = run(week, "adherence_by_week", provider_departments=["HR"])
    assert only_hr.empty  # F is still running


def test_adherence_weeks_follow_the_organisation_time_zone(week):
    # In Pago Pago (UTC-11, no DST) A's reply at Mon 03-02 10:00 UTC is Sunday 23:00 local, so it
    # counts in the week before (from 2026-02-23). Every other decision stays in W10: B's reply
    # deadline Tue 10:00 UTC is Mon 23:00 local, C's reply Tue 01:00, D's Fri 23:30; the
    # resolutions A Mon 04:00, B Tue 05:00, C Wed 23:00, D Sat 03:00, E Thu 00:00. In UTC
    # (test_adherence_by_week) all of them fall in W10.
    frame = run(week, "adherence_by_week", timezone="Pacific/Pago_Pago")
    got = {(str(r["week_start"])[:10], r["metric"]): (r["n_met"], r["n_breached"]) for r in records(frame)}
    assert got == {
        ("2026-02-23", "first_response"): (1, 0),  # A
        ("2026-03-02", "first_response"): (2, 1),  # C, D met; B breached
        ("2026-03-02", "resolution"): (3, 2),  # A, C, E met; B, D breached
    }


def test_sla_breaches_largest_overrun_first(week):
    got = records(run(week, "sla_breaches"))
    assert [(r["request_id"], r["metric"]) for r in got] == [
        ("D", "resolution"), ("B", "resolution"), ("B", "first_response")]
    d, b_res, b_fr = got
    assert d["overrun_business_secs"] == 43 * H + 30 * 60 and not d["is_stopped"]
    assert d["elapsed_business_secs"] == 4 * H + 43 * H + 30 * 60
    assert (b_res["target_secs"], b_res["elapsed_business_secs"], b_res["overrun_business_secs"]) == (8 * H, 12 * H, 4 * H)
    assert (b_fr["overrun_business_secs"], b_fr["deadline_at"].to_pydatetime()) == (H, at(3, 10))
    assert b_fr["requester"] == "requester person-B" and b_fr["provider_department"] == "IT"
    assert len(run(week, "sla_breaches", max_rows=1)) == 1


def test_sla_at_risk(week):
    # As of Mon 09:30: F's first response is due in 30 min; its resolution in 7.5 h (paused);
    # H's resolution (created 09:00, 8 h) in 7.5 h.
    assert [(r["request_id"], r["metric"], r["remaining_business_secs"]) for r in records(
        run(week, "sla_at_risk"))] == [("F", "first_response", 1800)]
    wider = records(run(week, "sla_at_risk", within_secs=8 * H))
    assert [(r["request_id"], r["metric"], r["remaining_business_secs"], r["is_paused"]) for r in wider] == [
        ("F", "first_response", 1800, False),
        ("F", "resolution", 27000, True),
        ("H", "resolution", 27000, False),
    ]


def test_response_times(week):
    # First responses stopped in W10: A 1h, B 3h (19h calendar), C 3h, D 30m (24x7), G (no policy:
    # resolution counts as reply, 1h calendar, no business time). E has no reply column.
    # Business 1800, 3600, 10800, 10800: median 7200, p90 at position 2.7 -> 10800.
    # Calendar 1800, 3600, 3600, 10800, 68400: median 3600, p90 at 3.6 -> 10800 + 0.6 * 57600.
    # Resolutions: A 6h, B 12h (44h calendar), C 9h (49h calendar), E 2h, G (1h calendar only).
    # Business 7200, 21600, 32400, 43200: median 27000, p90 -> 32400 + 0.7 * 10800.
    # Calendar 3600, 7200, 21600, 158400, 176400: median 21600, p90 -> 158400 + 0.6 * 18000.
    got = {r["metric"]: r for r in records(run(week, "response_times"))}
    fr, res = got["first_response"], got["resolution"]
    assert (fr["n_stopped"], fr["n_business"]) == (5, 4)
    assert (fr["median_business_secs"], fr["p90_business_secs"]) == pytest.approx((7200, 10800))
    assert (fr["median_calendar_secs"], fr["p90_calendar_secs"]) == pytest.approx((3600, 45360))
    assert (res["n_stopped"], res["n_business"]) == (5, 4)
    assert (res["median_business_secs"], res["p90_business_secs"]) == pytest.approx((27000, 39960))
    assert (res["median_calendar_secs"], res["p90_calendar_secs"]) == pytest.approx((21600, 169200))


def test_backlog_at_period_end(week):
    # Open at Mon 03-09 00:00: D (38 h old, past its Sat 14:00 deadline), F (56 h, deadline Mon
    # 17:00 ahead) -> '1-3 days'; I (since Jan 15) -> '30+ days', long past its deadline.
    # J is closed without a time (left out); H is created later.
    got = {r["bucket"]: r for r in records(run(week, "backlog"))}
    assert list(got) == ["< 1 day", "1-3 days", "3-7 days", "7-30 days", "30+ days"]
    assert [got[b]["n_open"] for b in got] == [0, 2, 0, 0, 1]
    assert [got[b]["n_past_deadline"] for b in got] == [0, 1, 0, 0, 1]


def test_the_weekly_backlog_counts_what_the_backlog_by_age_counts(week):
    # The overview's tile (weekly_kpis.sql, by flows) and the SLA page's ages (backlog.sql) agree:
    # D, F and I are open at the week's end; J, closed without a time, is in neither.
    rows = run(week, "weekly_kpis")
    assert rows.loc[rows["segment"] == "all", "backlog_at_end"].tolist() == [3]
    assert int(run(week, "backlog")["n_open"].sum()) == 3


def test_promises_kept(week):
    # Due in W10: A (kept), B (resolved a day late), C (kept), D and F (still open past due).
    (row,) = records(run(week, "promises_kept"))
    assert (row["n_promises"], row["n_kept"], row["n_broken"], row["n_pending"]) == (5, 2, 3, 0)
    assert row["kept_rate"] == pytest.approx(0.4)
    # As of Fri 17:00, F (due 18:00) and D (due Sunday) are not yet decided.
    (earlier,) = records(run(week, "promises_kept", as_of=at(6, 17)))
    assert (earlier["n_kept"], earlier["n_broken"], earlier["n_pending"]) == (2, 1, 2)
    by_team = {r["group_value"]: r for r in records(run(week, "promises_kept", dimension="provider_department"))}
    assert {k: (v["n_kept"], v["n_broken"]) for k, v in by_team.items()} == {
        "HR": (0, 1), "IT": (1, 1), "Support": (1, 1)}


def test_the_weekly_promises_tile_judges_promises_as_the_sla_page_does(week):
    # weekly_kpis counted a promise as decided once its request had a resolution time, even one
    # after the as-of instant, where promises_kept calls it not due yet. As of Wed 10:00: A kept
    # (resolved Mon 15:00, due Mon 18:00), B broken (due Tue 17:00, still open then); C (resolved
    # Thu, due Fri), D (due Sun) and F (due Fri) are not due yet.
    as_of = at(4, 10)
    weekly = run(week, "weekly_kpis", as_of=as_of)
    (row,) = records(weekly[weekly["segment"] == "all"])
    (page,) = records(run(week, "promises_kept", as_of=as_of))
    assert (row["n_promises_due"], row["n_promises_kept"]) == (2, 1)
    assert (page["n_kept"] + page["n_broken"], page["n_kept"], page["n_pending"]) == (2, 1, 3)


def test_the_histograms_target_of_equally_common_ones_is_the_tighter(week):
    # Resolved in W10 under a target: A and B (Internal, 1 day = 8 office hours), C and E (External,
    # 16 h); G has no policy. Two of each: mode() named either, and the page's red line moved.
    bins = run(week, "duration_histogram", metric="resolution", clock="business", bin_hours=1.0, max_hours=100.0)
    assert bins["target_hours"].iloc[0] == pytest.approx(8.0)


def test_broken_promises_lists_the_broken_ones_still_open_first(week):
    broken = records(run(week, "broken_promises"))
    # Worked by hand, as of Mon 09:30: F due Fri 18:00 and D due Sun 20:00 are still open, 63.5 h
    # and 13.5 h late; B, due Tue 17:00, was resolved Wed 12:00, 19 h late.
    assert [(r["request_id"], r["is_open"], r["hours_late"]) for r in broken] == [
        ("F", True, pytest.approx(63.5)), ("D", True, pytest.approx(13.5)), ("B", False, pytest.approx(19))]
    assert [None if pd.isna(r["resolved_at"]) else r["resolved_at"] for r in broken] == [None, None, at(4, 12)]
    assert {r["n_broken"] for r in broken} == {3}  # promises_kept's n_broken above
    assert broken[0]["requester"] == "requester person-F"  # no requester department or organisation
    # As of Fri 17:00, only B is broken: F and D are not due yet.
    assert [r["request_id"] for r in records(run(week, "broken_promises", as_of=at(6, 17)))] == ["B"]
    assert len(run(week, "broken_promises", max_rows=1)) == 1


def test_dimensions_are_the_ones_the_queries_know():
    # The queries group through one macro, which knows every dimension the pages offer.
    macros = pipeline_sql("macros")
    for dimension in DIMENSIONS[1:]:
        assert re.search(rf"when '{dimension}' then", macros), dimension
    for name in ("adherence_by_week", "response_times", "promises_kept", "adherence_matrix"):
        assert "dimension_value(" in query_sql(name), name


def test_the_empty_request_sla_shape_matches_what_refresh_writes(con):
    # macros.sql creates an empty request_sla so that sla_states exists before the first refresh.
    def shape():
        return con.execute(
            "select column_name from information_schema.columns where table_name = 'request_sla' "
            "order by ordinal_position").fetchall()
    before = shape()
    refresh_sla(con, parse_policies(POLICIES, "test.toml"), now=AS_OF)
    assert shape() == before


def test_an_edited_sla_statement_recomputes_an_existing_file(tmp_path, monkeypatch):
    from servicelevel import sla, store
    from tests import handmade

    con = store.connect(tmp_path / "edited.duckdb")
    handmade.import_requests(con, tmp_path, [{"request_id": "R1", "created_at": "2026-03-02T10:00:00Z"}])
    now = datetime(2026, 3, 10, tzinfo=timezone.utc)
    assert sla.ensure_fresh(con, now)
    assert sla.is_fresh(con, now)
    edited = pipeline_sql("sla_request_sla") + "\n-- a comment changes the text"
    monkeypatch.setattr(sla, "pipeline_sql", lambda name: edited if name == "sla_request_sla" else pipeline_sql(name))
    assert not sla.is_fresh(con, now)  # no layout constant had to be bumped
    con.close()
