"""Request keys: every request and status event carries the integer key of its (source,
request_id), every status change the instant of the request's next one, and every request the
count of its pauses (an only pause on its own row). The SLA refresh reads pauses through them,
so each case below also checks the paused time it leads to. All on real imports; expected
values worked out by hand (24x7 calendar)."""

from __future__ import annotations

import csv
from dataclasses import replace
from datetime import datetime, timezone

import pytest

from servicelevel import store
from servicelevel.calendars import TWENTY_FOUR_SEVEN, always_open
from servicelevel.ingest import import_file
from servicelevel.policies import Policy, PolicySet, Target
from servicelevel.sla import refresh_sla
from servicelevel.sources import remove_source
from tests import handmade
from tests.fixtures.importing import database_at_version

H = 3600
NOW = datetime(2026, 3, 10, tzinfo=timezone.utc)
AROUND_THE_CLOCK = PolicySet(
    (Policy("all", TWENTY_FOUR_SEVEN, {}, Target(4 * H, 0.9, "fr"), Target(20 * H, 0.9, "res")),),
    {TWENTY_FOUR_SEVEN: always_open()},
    ("pending", "on_hold"),
)
# Created Monday 09:00, resolved 15:00: 6 hours on the 24x7 clock.
R1_RESOLVED = {"request_id": "R1", "created_at": "2026-03-02T09:00:00Z", "resolved_at": "2026-03-02T15:00:00Z",
               "status": "resolved"}
EVENT_COLUMNS = ["request_id", "event_at", "kind", "from_status", "to_status", "provider_department", "agent"]


def import_requests(con, path, rows: list[dict], source: str = "desk") -> None:
    """Canonical requests (the rest of each row from tests.handmade's defaults)."""
    handmade.import_requests(con, path.parent, rows, name=path.name, source=source)


def import_events(con, path, rows: list[tuple], source: str = "desk") -> None:
    """Canonical events from (request_id, event_at, kind, to_status) tuples."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(EVENT_COLUMNS)
        for request_id, at, kind, to_status in rows:
            writer.writerow([request_id, at, kind, "", to_status, "", ""])
    import_file(con, path, preset="canonical_events", source=source)


def request_keys(con, source: str = "desk") -> dict[str, int]:
    return dict(con.execute(
        "select request_id, request_key from requests where source = $source", {"source": source}
    ).fetchall())


def history(con, request_id: str) -> list[tuple]:
    """(event_at as HH:MM, kind, to_status, next_status_at as HH:MM) in time order."""
    return con.execute(
        """select strftime(event_at, '%H:%M'), kind, to_status, strftime(next_status_at, '%H:%M')
           from events where request_id = $id order by event_at, kind""",
        {"id": request_id},
    ).fetchall()


def resolution(con, request_id: str, source: str = "desk") -> tuple[int, int]:
    """(paused, elapsed) business seconds of the request's resolution after a refresh."""
    refresh_sla(con, AROUND_THE_CLOCK, now=NOW)
    return con.execute(
        """select res_paused_business_secs, res_elapsed_business_secs from request_sla
           where source = $source and request_id = $id""",
        {"source": source, "id": request_id},
    ).fetchone()


@pytest.fixture
def db(tmp_path):
    con = store.connect(tmp_path / "keys.duckdb")
    yield con
    con.close()


def test_events_imported_before_their_request_count_once_it_arrives(db, tmp_path):
    import_events(db, tmp_path / "events.csv", [
        ("R1", "2026-03-02T10:00:00Z", "status_change", "pending"),
        ("R1", "2026-03-02T12:00:00Z", "status_change", "open"),
    ])
    refresh_sla(db, AROUND_THE_CLOCK, now=NOW)
    (event_key,) = {k for (k,) in db.execute("select request_key from events").fetchall()}
    assert event_key is not None

    import_requests(db, tmp_path / "requests.csv", [
        {"request_id": "R1", "created_at": "2026-03-02T09:00:00Z", "resolved_at": "2026-03-02T14:00:00Z",
         "status": "resolved"},
    ])
    # Created 09:00, resolved 14:00: 5 h, of which pending 10:00-12:00.
    assert resolution(db, "R1") == (2 * H, 3 * H)
    assert request_keys(db) == {"R1": event_key}


def test_a_request_replaced_by_a_newer_export_row_keeps_its_key(db, tmp_path):
    import_requests(db, tmp_path / "monday.csv", [
        {"request_id": "R1", "created_at": "2026-03-02T09:00:00Z", "updated_at": "2026-03-02T09:00:00Z"},
        {"request_id": "R2", "created_at": "2026-03-02T10:00:00Z", "updated_at": "2026-03-02T10:00:00Z"},
    ])
    refresh_sla(db, AROUND_THE_CLOCK, now=NOW)
    before = request_keys(db)
    import_requests(db, tmp_path / "tuesday.csv", [
        {"request_id": "R1", "created_at": "2026-03-02T09:00:00Z", "updated_at": "2026-03-03T09:00:00Z",
         "resolved_at": "2026-03-03T09:00:00Z", "status": "resolved"},
        {"request_id": "R3", "created_at": "2026-03-03T08:00:00Z", "updated_at": "2026-03-03T08:00:00Z"},
    ])
    refresh_sla(db, AROUND_THE_CLOCK, now=NOW)
    after = request_keys(db)
    assert db.execute("select status from requests where request_id = 'R1'").fetchone() == ("resolved",)
    assert (after["R1"], after["R2"]) == (before["R1"], before["R2"])
    assert len(set(after.values())) == 3


def test_a_status_change_imported_later_is_threaded_into_the_history(db, tmp_path):
    import_requests(db, tmp_path / "requests.csv", [R1_RESOLVED])
    import_events(db, tmp_path / "first.csv", [
        ("R1", "2026-03-02T10:00:00Z", "status_change", "pending"),
        ("R1", "2026-03-02T14:00:00Z", "status_change", "open"),
    ])
    assert resolution(db, "R1") == (4 * H, 2 * H)  # pending 10:00-14:00
    assert history(db, "R1") == [("10:00", "status_change", "pending", "14:00"),
                                 ("14:00", "status_change", "open", None)]

    # A later export shows the request went back to open at 12:00, after a reassignment at 11:00.
    import_events(db, tmp_path / "second.csv", [
        ("R1", "2026-03-02T11:00:00Z", "reassign", "pending"),
        ("R1", "2026-03-02T12:00:00Z", "status_change", "open"),
    ])
    assert resolution(db, "R1") == (2 * H, 4 * H)  # pending 10:00-12:00 only
    assert history(db, "R1") == [("10:00", "status_change", "pending", "12:00"),
                                 ("11:00", "reassign", "pending", None),
                                 ("12:00", "status_change", "open", "14:00"),
                                 ("14:00", "status_change", "open", None)]


def test_the_same_request_id_in_two_sources_has_two_keys_and_removal_takes_only_one(db, tmp_path):
    row = {"request_id": "R1", "created_at": "2026-03-02T09:00:00Z"}
    import_requests(db, tmp_path / "desk.csv", [row], source="desk")
    import_requests(db, tmp_path / "chat.csv", [row], source="chat")
    refresh_sla(db, AROUND_THE_CLOCK, now=NOW)
    desk, chat = request_keys(db, "desk")["R1"], request_keys(db, "chat")["R1"]
    assert desk != chat

    remove_source(db, "desk")
    assert db.execute("select source, request_key from request_keys").fetchall() == [("chat", chat)]
    import_requests(db, tmp_path / "desk.csv", [row], source="desk")
    refresh_sla(db, AROUND_THE_CLOCK, now=NOW)
    assert request_keys(db, "chat") == {"R1": chat}
    assert request_keys(db, "desk")["R1"] not in (None, chat)


def test_a_file_from_before_request_keys_is_migrated_and_keyed(tmp_path):
    path = tmp_path / "old.duckdb"
    old = database_at_version(path, 2)
    old.execute(
        """insert into requests (source, request_id, created_at, resolved_at, status, import_id, row_hash)
           values ('desk', 'R1', '2026-03-02 09:00:00+00', '2026-03-02 14:00:00+00', 'resolved', 1, 0)"""
    )
    old.execute(
        """insert into events (source, request_id, event_at, kind, to_status, import_id) values
           ('desk', 'R1', '2026-03-02 10:00:00+00', 'status_change', 'on_hold', 1),
           ('desk', 'R1', '2026-03-02 11:30:00+00', 'status_change', 'open', 1)"""
    )
    old.close()

    con = store.connect(path)
    try:
        assert store.schema_version(con) == store.LATEST_SCHEMA_VERSION
        assert resolution(con, "R1") == (int(1.5 * H), int(3.5 * H))  # on hold 10:00-11:30
        assert history(con, "R1") == [("10:00", "status_change", "on_hold", "11:30"),
                                      ("11:30", "status_change", "open", None)]
    finally:
        con.close()


def pause_counts(con) -> dict[str, tuple]:
    """request_id -> (pause_count, only pause's start and end as HH:MM)."""
    return {r[0]: r[1:] for r in con.execute(
        """select request_id, pause_count, strftime(only_pause_at, '%H:%M'), strftime(only_pause_until, '%H:%M')
           from requests"""
    ).fetchall()}


def test_a_request_counts_its_pauses_and_keeps_an_only_one_on_its_row(db, tmp_path):
    import_requests(db, tmp_path / "requests.csv", [
        R1_RESOLVED,
        {"request_id": "R2", "created_at": "2026-03-02T09:00:00Z"},
        {"request_id": "R3", "created_at": "2026-03-02T09:00:00Z"},
    ])
    # R2 only has a reply: no status change, so nothing to pause.
    import_events(db, tmp_path / "first.csv", [("R2", "2026-03-02T10:00:00Z", "reply", "")])
    refresh_sla(db, AROUND_THE_CLOCK, now=NOW)
    assert pause_counts(db) == {"R1": (0, None, None), "R2": (0, None, None), "R3": (0, None, None)}

    import_events(db, tmp_path / "second.csv", [
        ("R1", "2026-03-02T10:00:00Z", "status_change", "on_hold"),
        ("R1", "2026-03-02T13:00:00Z", "status_change", "open"),
        ("R2", "2026-03-02T11:00:00Z", "status_change", "open"),
    ])
    assert resolution(db, "R1") == (3 * H, 3 * H)  # on hold 10:00-13:00 of 09:00-15:00
    assert pause_counts(db) == {"R1": (1, "10:00", "13:00"), "R2": (0, None, None), "R3": (0, None, None)}

    # A second pause: R1's pauses now come from the events.
    import_events(db, tmp_path / "third.csv", [
        ("R1", "2026-03-02T13:30:00Z", "status_change", "pending"),
        ("R1", "2026-03-02T14:00:00Z", "status_change", "open"),
    ])
    assert resolution(db, "R1") == (3 * H + 1800, 2 * H + 1800)  # 3.5 h paused of 6 h
    assert pause_counts(db)["R1"] == (2, None, None)

    # A newer export row for R1 replaces the stored one; its pauses stay with it.
    import_requests(db, tmp_path / "again.csv", [
        {"request_id": "R1", "created_at": "2026-03-02T09:00:00Z", "resolved_at": "2026-03-02T16:00:00Z",
         "status": "resolved", "updated_at": "2026-03-03T09:00:00Z"},
    ])
    assert resolution(db, "R1") == (3 * H + 1800, 3 * H + 1800)  # 3.5 h paused of 7 h
    assert pause_counts(db)["R1"] == (2, None, None)


def test_changing_the_paused_statuses_counts_every_request_again(db, tmp_path):
    import_requests(db, tmp_path / "requests.csv", [R1_RESOLVED])
    import_events(db, tmp_path / "events.csv", [
        ("R1", "2026-03-02T10:00:00Z", "status_change", "on_hold"),
        ("R1", "2026-03-02T11:00:00Z", "status_change", "pending"),
        ("R1", "2026-03-02T13:00:00Z", "status_change", "open"),
    ])
    assert resolution(db, "R1") == (3 * H, 3 * H)  # on hold 10-11, pending 11-13
    assert pause_counts(db)["R1"] == (2, None, None)

    # Pending no longer pauses: nothing new was imported, yet the one pause left is on R1's row.
    only_on_hold = replace(AROUND_THE_CLOCK, paused_statuses=("on_hold",), fingerprint="on hold only")
    refresh_sla(db, only_on_hold, now=NOW)
    assert pause_counts(db)["R1"] == (1, "10:00", "11:00")
    assert db.execute("select res_paused_business_secs from request_sla").fetchall() == [(H,)]

    refresh_sla(db, AROUND_THE_CLOCK, now=NOW)
    assert pause_counts(db)["R1"] == (2, None, None)
    assert resolution(db, "R1") == (3 * H, 3 * H)


@pytest.mark.parametrize("version", [4, 5])
def test_a_keyed_file_from_before_pause_counts_gets_them_at_its_first_refresh(tmp_path, version):
    path = tmp_path / f"v{version}.duckdb"
    old = database_at_version(path, version)
    old.execute(
        """insert into requests (source, request_id, created_at, resolved_at, status, import_id, row_hash, request_key)
           values ('desk', 'R1', '2026-03-02 09:00:00+00', '2026-03-02 14:00:00+00', 'resolved', 1, 0, 1),
                  ('desk', 'R2', '2026-03-02 09:00:00+00', null, 'open', 1, 0, 2)"""
    )
    old.execute("insert into request_keys values ('desk', 'R1', 1), ('desk', 'R2', 2)")
    old.execute(
        """insert into events (source, request_id, event_at, kind, to_status, import_id, request_key, next_status_at)
           values ('desk', 'R1', '2026-03-02 10:00:00+00', 'status_change', 'pending', 1, 1, '2026-03-02 12:00:00+00'),
                  ('desk', 'R1', '2026-03-02 12:00:00+00', 'status_change', 'open', 1, 1, null)"""
    )
    old.close()

    con = store.connect(path)
    try:
        assert pause_counts(con) == {"R1": (None, None, None), "R2": (None, None, None)}
        assert resolution(con, "R1") == (2 * H, 3 * H)  # pending 10:00-12:00 of 09:00-14:00
        assert pause_counts(con) == {"R1": (1, "10:00", "12:00"), "R2": (0, None, None)}
    finally:
        con.close()
