"""The importer against exports as they really are: every bad row is rejected with its file, line
and reason; every import balances (read = inserted + updated + unchanged + superseded + rejected);
re-imports change nothing; overlapping exports keep the latest state; a failing file leaves the
database exactly as it was; encodings, delimiters, spreadsheets and auto-detection; the CLI."""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest
from openpyxl import Workbook

from servicelevel import PROJECT_ROOT, exports, policies, queries, store, vocabulary
from servicelevel.cli import main
from servicelevel.detect import match_headers, propose_preset
from servicelevel.exports import open_export
from servicelevel.ingest import EarlierImport, ImportFailed, earlier_import_of, import_file
from servicelevel.mapping import build_staging
from servicelevel.sla import refresh_sla
from servicelevel.presets import Duration, load_preset_file, save_preset, with_timezone
from servicelevel.ui.upload import report_frame
from tests.fixtures.importing import (
    database_at_version,
    event_rows,
    feedback_rows,
    import_checked,
    request,
    request_rows,
    table_contents,
    utc,
)
from tests.fixtures.make_binary_fixtures import write_all

FIXTURES = Path(__file__).resolve().parent / "fixtures"
CANONICAL = FIXTURES / "canonical" / "requests.csv"
ZENDESK = FIXTURES / "zendesk" / "tickets.csv"
BAD = FIXTURES / "bad" / "requests.csv"


@pytest.fixture(scope="module")
def binary(tmp_path_factory) -> dict[str, Path]:
    return write_all(tmp_path_factory.mktemp("binary-fixtures"))


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    """A small export written for one test (newlines as given)."""
    path.write_bytes(text.encode(encoding))
    return path


# --- bad input ----------------------------------------------------------------------------------

def test_every_bad_row_is_rejected_with_file_line_and_reason(con):
    report = import_checked(con, BAD)
    # Twelve records (lines 2-13); B-1 and the later B-9 are good.
    assert (report.n_read, report.n_inserted, report.n_rejected) == (12, 2, 10)
    assert report.rejected_by_reason == {
        "missing_request_id": 1,
        "missing_created_at": 1,
        "unparseable_created_at": 1,
        "resolved_before_created": 1,
        "unparseable_resolved_at": 1,
        "malformed_line": 2,
        "duplicate_request_id": 1,
        "unparseable_reopen_count": 2,
    }
    # The import form's table: the outcomes, then one row per reason, the reason in words.
    reasons = report_frame(report).iloc[6:]
    assert set(reasons["rows"]) == {"rejected for"} and reasons["count"].sum() == report.n_rejected
    assert "unparseable created at" in set(reasons["meaning"])
    rejected = con.execute(
        "select file_name, line, reason, detail, raw from rejected_rows order by line"
    ).fetchall()
    assert {r[0] for r in rejected} == {"requests.csv"}
    assert [(line, reason) for _, line, reason, _, _ in rejected] == [
        (3, "missing_request_id"),
        (4, "missing_created_at"),
        (5, "unparseable_created_at"),
        (6, "resolved_before_created"),
        (7, "unparseable_resolved_at"),
        (8, "malformed_line"),
        (9, "malformed_line"),  # one row, though the reader reports each missing column
        (10, "duplicate_request_id"),
        (12, "unparseable_reopen_count"),
        (13, "unparseable_reopen_count"),
    ]
    detail = {line: text for _, line, _, text, _ in rejected}
    assert detail[3] == "the request id is empty"
    assert detail[4] == "created_at is empty (column created_at)"
    assert detail[5] == "unparseable date in column created_at: 'yesterday' (expected ISO 8601)"
    assert detail[6] == ("resolved_at '2024-03-04T08:00:00Z' is before created_at '2024-03-04T09:00:00Z' "
                         "(read as 2024-03-04 08:00 and 2024-03-04 09:00, UTC time)")
    assert detail[7] == "unparseable date in column resolved_at: '31/31/2024' (expected ISO 8601)"
    assert detail[8].startswith("malformed line (too many columns): ")
    assert detail[9].startswith("malformed line (missing columns): ")
    assert detail[10] == "request id B-9 appears on line 11 too, which holds its latest state and was kept"
    assert detail[12] == "not a count (a whole number, 0 or more) in column reopen_count: 'two'"
    # 2.5 reopens is not rounded to 3.
    assert detail[13] == "not a count (a whole number, 0 or more) in column reopen_count: '2.5'"

    raw = {line: text for _, line, _, _, text in rejected}
    assert json.loads(raw[5]) == {
        "request_id": "B-4", "created_at": "yesterday", "resolved_at": None, "updated_at": None,
        "status": "open", "reopen_count": None,
    }
    assert raw[8] == "B-7,2024-03-04T09:00:00Z,,,open,,extra"
    # The state a duplicate line held is kept too, as read: line 10 of the file.
    assert {k: v for k, v in json.loads(raw[10]).items() if v is not None} == {
        "request_id": "B-9", "created_at": "2024-03-04 09:00:00+00", "updated_at": "2024-03-04 09:00:00+00",
        "status": "open", "status_raw": "open", "reopen_count": 0,
        "requester_type": "external", "provider_type": "in_house",  # the defaults, as on every row
    }
    # The duplicate kept is the latest state (line 11), not the first line seen.
    assert {rid: (row["status"], row["resolved_at"]) for rid, row in request_rows(con, "canonical").items()} == {
        "B-1": ("resolved", utc(2024, 3, 4, 10, 0)),
        "B-9": ("resolved", utc(2024, 3, 4, 12, 0)),
    }


def test_a_file_read_in_parallel_pieces_keeps_its_order_and_line_numbers(con, tmp_path):
    """Records are numbered by their position once read, and DuckDB reads a large file in
    pieces on several threads: the later of two rows of one request must still win, and rows far
    down the file must still be rejected at their own lines."""
    n = 600_000  # about 21 MB: DuckDB's reader gives its threads pieces of about 8 MB
    path = tmp_path / "large.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("request_id,created_at,status\n")
        for line in range(2, n + 2):
            created = "not a date" if line == 400_001 else "2024-03-04T09:00:00Z"
            out.write(f"L-{line},{created},open\n")
        out.write("L-2,2024-03-04T09:00:00Z,closed\n")  # line n + 2: L-2 again, its latest state
    report = import_checked(con, path)
    assert (report.n_read, report.n_inserted, report.n_rejected) == (n + 1, n - 1, 2)
    assert con.execute("select line, reason, detail from rejected_rows order by line").fetchall() == [
        (2, "duplicate_request_id",
         f"request id L-2 appears on line {n + 2} too, which holds its latest state and was kept"),
        (400_001, "unparseable_created_at", "unparseable date in column created_at: 'not a date' (expected ISO 8601)"),
    ]
    assert con.execute("select status from requests where request_id = 'L-2'").fetchone()[0] == "closed"


def test_a_large_survey_keeps_its_line_numbers(con, tmp_path):
    """A survey's scale is judged on the whole file before its rows are staged: aggregates over
    the file inside the staging statement let parallel threads reorder its rows, and rejected
    answers were then filed under other answers' lines."""
    n = 400_000
    path = tmp_path / "survey.csv"
    bad = {3: ("", "5"), 150_001: ("S-150001", ""), 399_999: ("S-399999", "eleven")}
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("Ticket ID,Submitted at,Score,Comment\n")
        for line in range(2, n + 2):
            ticket, score = bad.get(line, (f"S-{line}", str(1 + line % 5)))
            out.write(f"{ticket},2024-03-04 17:00,{score},line {line}\n")
    con.execute("set threads = 8")  # more threads than cores: any reordering shows more often
    for attempt in range(3):  # a reordering was never certain: each import had its own chance
        report = import_checked(con, path, preset="survey", force=True)
        assert (report.n_read, report.n_rejected) == (n, 3)
        rows = con.execute("select line, reason, raw from rejected_rows where import_id = $id order by line",
                           {"id": report.import_id}).fetchall()
        assert [(line, reason) for line, reason, _ in rows] == [
            (3, "missing_request_id"), (150_001, "missing_score"), (399_999, "unparseable_score"),
        ], attempt
        assert [json.loads(raw)["Comment"] for _, _, raw in rows] == ["line 3", "line 150001", "line 399999"]


def test_times_in_a_rejection_read_as_the_file_wrote_them(con, tmp_path):
    # Times without an offset are read in the zone asked for; the rejection gives them back in it,
    # so they match the file (11:00 and 12:00 UTC, were they shown in UTC).
    path = write(tmp_path / "local.csv", "request_id,created_at,resolved_at\nT-1,2024-03-04 09:00,2024-03-04 08:00\n")
    import_checked(con, path, timezone_name="America/Sao_Paulo")
    assert con.execute("select detail from rejected_rows").fetchone()[0] == (
        "resolved_at '2024-03-04 08:00' is before created_at '2024-03-04 09:00' "
        "(read as 2024-03-04 08:00 and 2024-03-04 09:00, America/Sao_Paulo time)")


def test_text_after_a_time_is_not_dropped_and_a_stray_century_is_named(con, tmp_path):
    path = write(tmp_path / "dates.csv", (
        "request_id,created_at\n"
        "G-1,2024-03-04 8:12 PM\n"  # read as 08:12 by a lenient cast: 12 hours off
        "G-2,2024-03-04 09:00 garbage\n"
        "G-3,2024-03-04T09:00:00 EST\n"
        "G-4,1902-03-04 09:00\n"
        "G-5,2024-03-04 09:00:00.250\n"
    ))
    report = import_checked(con, path)
    assert (report.n_inserted, report.n_rejected) == (1, 4)
    assert con.execute("select line, detail from rejected_rows order by line").fetchall() == [
        (2, "unparseable date in column created_at: '2024-03-04 8:12 PM' (expected ISO 8601)"),
        (3, "unparseable date in column created_at: '2024-03-04 09:00 garbage' (expected ISO 8601)"),
        (4, "unparseable date in column created_at: '2024-03-04T09:00:00 EST' (expected ISO 8601)"),
        (5, "date outside the years 1970-2099 in column created_at: '1902-03-04 09:00'"),
    ]
    assert request_rows(con, "canonical")["G-5"]["created_at"] == datetime.fromisoformat("2024-03-04 09:00:00.25+00:00")


def test_the_plausible_years_end_at_the_first_and_last_instant_of_1970_and_2099(con, tmp_path):
    path = write(tmp_path / "edges.csv", (
        "request_id,created_at\n"
        "E-1,1969-12-31T23:59:59Z\n"
        "E-2,1970-01-01T00:00:00Z\n"
        "E-3,2099-12-31T23:59:59Z\n"
        "E-4,2100-01-01T00:00:00Z\n"
        "E-5,1970-01-01T01:00:00+02:00\n"  # 1969-12-31 23:00 UTC
        "E-6,infinity\n"
    ))
    report = import_checked(con, path)
    assert sorted(request_rows(con, "canonical")) == ["E-2", "E-3"]
    assert report.n_rejected == 4
    assert con.execute("select line, detail from rejected_rows order by line").fetchall() == [
        (2, "date outside the years 1970-2099 in column created_at: '1969-12-31T23:59:59Z'"),
        (5, "date outside the years 1970-2099 in column created_at: '2100-01-01T00:00:00Z'"),
        (6, "date outside the years 1970-2099 in column created_at: '1970-01-01T01:00:00+02:00'"),
        (7, "unparseable date in column created_at: 'infinity' (expected ISO 8601)"),
    ]


def test_a_request_past_2038_gets_its_sla_states(tmp_path, capsys):
    # Epoch seconds past 2038 do not fit 32 bits: the clock's hours are multiplied as 64-bit.
    path = write(tmp_path / "late.csv", (
        "request_id,created_at,resolved_at,requester_type\n"
        "L-1,2039-01-03T09:00:00Z,2039-01-03T10:00:00Z,external\n"
    ))
    db = tmp_path / "late.duckdb"
    assert main(["--db", str(db), "import", str(path)]) == 0
    n_policies = len(policies.load_policies().policies)
    assert f"SLA states: 1 request under 1 of the {n_policies} policies" in capsys.readouterr().out
    with store.connect(db) as con:
        deadline, elapsed = con.execute("select res_deadline_at, res_elapsed_calendar_secs from request_sla").fetchone()
    assert deadline.year == 2039 and elapsed == 3600


def test_bad_numbers_and_dates_are_named_by_the_tools_own_headers(con, tmp_path):
    path = write(tmp_path / "zendesk-bad.csv", (
        "Id,Requester,Via,Created at,Solved at,Group stations,Reopens,First reply time in minutes\n"
        "1,Ann Example,Mail,2024-03-04 09:15:00,,-2147483648,,\n"
        "2,Ann Example,Mail,2024-03-04 09:15:00,,1,,1e300\n"
        "3,Ann Example,Mail,2024-03-04 09:15:00,,1,-1,\n"
        "4,Ann Example,Mail,2024-03-04 09:15:00,04/03/2024 10:00,1,,\n"
        "5,Ann Example,Mail,2024-03-04 09:15:00,,1,,-30\n"
        "6,Ann Example,Mail,2024-03-04 09:15:00,,1,2.0,30\n"
    ))
    report = import_checked(con, path, preset="zendesk")
    assert (report.n_read, report.n_inserted, report.n_rejected) == (6, 1, 5)
    assert con.execute("select line, reason, detail from rejected_rows order by line").fetchall() == [
        (2, "unparseable_reassignment_count",
         "not a count (a whole number, 0 or more) in column Group stations: '-2147483648'"),
        (3, "unparseable_first_response_at",
         "not a duration in column First reply time in minutes: '1e300'"),
        (4, "unparseable_reopen_count", "not a count (a whole number, 0 or more) in column Reopens: '-1'"),
        (5, "unparseable_resolved_at", "unparseable date in column Solved at: '04/03/2024 10:00' "
         "(expected ISO 8601 or %Y-%m-%d %H:%M:%S or %Y-%m-%d %H:%M)"),
        (6, "first_response_before_created",
         "first_response_at 2024-03-04 08:45 is before created_at 2024-03-04 09:15 "
         "(UTC time; First reply time in minutes: '-30')"),
    ]
    # "2.0" is a whole number as spreadsheets write it; 30 minutes after 09:15 is 09:45.
    row = request_rows(con, "zendesk")["6"]
    assert (row["reopen_count"], row["first_response_at"]) == (2, utc(2024, 3, 4, 9, 45))


# --- idempotence and overlapping exports --------------------------------------------------------

REIMPORTED = [
    "canonical/requests.csv", "canonical_events/events.csv", "jira/issues.csv",
    "zendesk/tickets.csv", "servicenow/incidents.csv",
    "servicenow_event_log/incident_event_log.csv", "freshdesk/tickets.csv",
    "nyc311/service_requests.csv", "nyc311_api/service_requests.csv", "survey/csat_1_5.csv",
    "survey/good_bad.csv", "bad/requests.csv", "binary:freshservice", "binary:portuguese",
    "binary:nyc311_tsv",
]


def test_the_same_bytes_again_are_recognised_and_skipped(con, tmp_path):
    path = FIXTURES / "bad/requests.csv"
    assert earlier_import_of(con, path) is None
    first = import_checked(con, path)
    before = table_contents(con)
    # A renamed copy is the same file: it is named by the earlier import's file name, before and after.
    copy = tmp_path / "requests (1).csv"
    shutil.copyfile(path, copy)
    earlier = earlier_import_of(con, copy)
    started = con.execute("select started_at from imports where import_id = $i", {"i": first.import_id}).fetchone()[0]
    assert earlier == EarlierImport(first.import_id, "requests.csv", started)
    again = import_file(con, copy)
    after = table_contents(con)
    assert again.identical_to == earlier
    assert again.lines()[0] == (
        f"requests (1).csv -> source 'canonical' (preset canonical): identical to import #{first.import_id} "
        f"(requests.csv, {started.astimezone(timezone.utc):%Y-%m-%d %H:%M} UTC) (same bytes, source and mapping); "
        "nothing to do (use --force to import it again)")
    # Nothing but the log line: no rows, no second copy of the rejected rows.
    assert {t: r for t, r in after.items() if t != "imports"} == {t: r for t, r in before.items() if t != "imports"}
    assert con.execute("select status, identical_to from imports where import_id = $i",
                       {"i": again.import_id}).fetchone() == ("skipped", first.import_id)
    # Another source or time zone is another import, as import_file would see it.
    assert earlier_import_of(con, copy, source="desk") is None
    assert earlier_import_of(con, copy, timezone_name="Europe/Lisbon") is None


def test_the_same_bytes_with_another_mapping_are_imported(con):
    path = FIXTURES / "canonical/requests.csv"
    import_checked(con, path)
    again = import_checked(con, path, timezone_name="America/New_York")
    assert again.identical_to is None and again.n_read > 0


def test_the_same_file_read_in_another_time_zone_replaces_its_first_reading(con, tmp_path):
    # Read first as UTC, then as Berlin (UTC+1 in March): every time moves an hour earlier, the
    # last update too. The file's own earlier reading is no newer state of its requests: the
    # second reading corrects it, where another file's later update would be kept.
    path = write(tmp_path / "desk.csv", "request_id,created_at,updated_at,status\n"
                                        "Z-1,2026-03-04 09:00,2026-03-05 10:00,open\n"
                                        "Z-2,2026-03-04 11:30,2026-03-04 12:00,closed\n")
    import_checked(con, path, timezone_name="UTC")
    again = import_checked(con, path, timezone_name="Europe/Berlin")
    assert (again.n_updated, again.n_superseded, again.n_unchanged) == (2, 0, 0)
    rows = request_rows(con, "canonical")
    assert rows["Z-1"]["created_at"] == datetime(2026, 3, 4, 8, 0, tzinfo=timezone.utc)
    assert rows["Z-2"]["updated_at"] == datetime(2026, 3, 4, 11, 0, tzinfo=timezone.utc)
    assert con.execute("select count(*) from requests").fetchone()[0] == 2


def test_an_import_whose_every_row_was_rejected_says_so_in_the_history(con, tmp_path):
    # It did not fail (its rows and reasons are kept), but it stored nothing: "ok" read as all well.
    rejected = import_checked(con, write(tmp_path / "allbad.csv", "request_id,created_at\nA-1,yesterday\n,2026-03-02\n"))
    kept = import_checked(con, write(tmp_path / "good.csv", "request_id,created_at\nG-1,2026-03-02 09:00\n"))
    assert (rejected.n_read, rejected.n_rejected, kept.n_rejected) == (2, 2, 0)
    history = queries.run(con, "import_history", {}).set_index("import_id")
    assert history.loc[rejected.import_id, "status"] == "every row rejected"
    assert history.loc[kept.import_id, "status"] == "ok"
    assert history["balanced"].all()


def test_a_later_export_of_a_source_is_read_in_the_zone_its_earlier_imports_were(con, tmp_path):
    # The first export given as São Paulo time (UTC-3 in 2026: no daylight saving), the next with no
    # zone: read in the canonical preset's UTC, Y-1 moved three hours and the report said "updated".
    first = write(tmp_path / "monday.csv", "request_id,created_at\nY-1,2026-03-02 09:00\n")
    import_checked(con, first, timezone_name="America/Sao_Paulo")
    later = write(tmp_path / "tuesday.csv", "request_id,created_at\nY-1,2026-03-02 09:00\nY-2,2026-03-03 10:30\n")
    report = import_checked(con, later)
    assert (report.timezone, report.timezone_origin) == ("America/Sao_Paulo", "as this source's earlier imports")
    assert (report.n_unchanged, report.n_inserted) == (1, 1)
    rows = request_rows(con, "canonical")
    assert rows["Y-1"]["created_at"] == datetime(2026, 3, 2, 12, 0, tzinfo=timezone.utc)
    assert rows["Y-2"]["created_at"] == datetime(2026, 3, 3, 13, 30, tzinfo=timezone.utc)
    # Read again as it was, it is the same import; another source starts from the preset's zone.
    assert earlier_import_of(con, later) is not None
    elsewhere = import_checked(con, later, source="desk")
    assert (elsewhere.timezone, elsewhere.timezone_origin) == ("UTC", "the preset's zone")
    # A zone given that differs from the earlier imports' is used, and the report says what it does.
    given = import_checked(con, write(tmp_path / "wednesday.csv", "request_id,created_at\nY-3,2026-03-04 08:00\n"),
                           timezone_name="Europe/Lisbon")
    assert given.timezone == "Europe/Lisbon"
    assert ("earlier imports of canonical read times in America/Sao_Paulo, this one in Europe/Lisbon: a request in "
            "both exports moves by the zones' difference") in given.warnings



def test_an_export_older_than_the_data_stored_says_which_requests_it_leaves_open(con, tmp_path):
    # The current export ends on 20 Nov 2026 (N-1's resolution). A 2024 export into the same source
    # adds two requests open in it, which every page then judges as of 20 Nov 2026.
    current = write(tmp_path / "current.csv", "request_id,created_at,resolved_at,status\n"
                    "N-1,2026-11-18T09:00:00Z,2026-11-20T16:00:00Z,resolved\n")
    assert import_checked(con, current).warnings == []
    old = write(tmp_path / "old.csv", "request_id,created_at,resolved_at,status\n"
                "O-1,2024-03-04T09:00:00Z,,open\n"
                "O-2,2024-03-05T10:00:00Z,,pending\n"
                "O-3,2024-03-01T08:00:00Z,2024-03-06T12:00:00Z,resolved\n")
    # Its data ends at O-3's resolution, 6 Mar 2024: 989 days before 20 Nov 2026 (
    # 300 days to 31 Dec 2024, 365 in 2025, 324 to 20 Nov 2026).
    older = import_checked(con, old)
    assert older.warnings == [
        "this file's data ends on 2024-03-06, 989 days before the newest data stored (2026-11-20), and 2 requests it "
        "wrote are open in it: every page counts them as open, their SLA clocks running on to the newest data, until "
        "a newer export holding them is imported"]
    # Kept: the Data page's import history shows it with the import, after the report is gone.
    history = queries.run(con, "import_history", {}).set_index("import_id")
    assert history.loc[older.import_id, "notes"] == older.warnings[0]
    # An old export whose requests are all closed leaves nothing open: nothing to say. Nor does an export
    # a week older than the newest data (the staleness the sidebar allows).
    closed = write(tmp_path / "closed.csv", "request_id,created_at,resolved_at\nC-1,2024-05-01T09:00,2024-05-02T09:00\n")
    week = write(tmp_path / "week.csv", "request_id,created_at,status\nW-1,2026-11-13T16:00:00Z,open\n")
    assert [import_checked(con, path).warnings for path in (closed, week)] == [[], []]
    one = write(tmp_path / "one.csv", "request_id,created_at,status\nW-2,2026-11-13T15:59:59Z,open\n")
    assert import_checked(con, one).warnings == [
        "this file's data ends on 2026-11-13, 7 days before the newest data stored (2026-11-20), and 1 request it "
        "wrote is open in it: every page counts it as open, its SLA clocks running on to the newest data, until "
        "a newer export holding it is imported"]

@pytest.mark.parametrize("fixture", REIMPORTED)
def test_reimporting_the_same_file_changes_nothing(con, binary, fixture):
    path = binary[fixture.split(":")[1]] if fixture.startswith("binary:") else FIXTURES / fixture
    first = import_checked(con, path)
    before = {t: rows for t, rows in table_contents(con).items() if t in ("requests", "feedback", "events")}
    again = import_checked(con, path, force=True)
    after = {t: rows for t, rows in table_contents(con).items() if t in ("requests", "feedback", "events")}
    assert after == before
    assert (again.n_inserted, again.n_updated, again.n_events) == (0, 0, 0)
    assert again.n_unchanged == first.n_inserted + first.n_updated
    assert (again.n_read, again.n_superseded, again.n_rejected) == (
        first.n_read, first.n_superseded, first.n_rejected)


def test_overlapping_exports_keep_the_latest_state(con, tmp_path):
    monday = write(tmp_path / "monday.csv", (
        "request_id,created_at,updated_at,status,agent\n"
        "R-1,2024-03-04T09:00:00Z,2024-03-04T10:00:00Z,open,\n"
        "R-2,2024-03-04T11:00:00Z,2024-03-04T11:00:00Z,open,Bob Example\n"
    ))
    tuesday = write(tmp_path / "tuesday.csv", (
        "request_id,created_at,updated_at,status,agent\n"
        "R-1,2024-03-04T09:00:00Z,2024-03-05T08:00:00Z,resolved,Eve Example\n"
        "R-2,2024-03-04T11:00:00Z,2024-03-04T11:00:00Z,open,Bob Example\n"
        "R-3,2024-03-05T07:30:00Z,2024-03-05T07:30:00Z,open,\n"
    ))
    first = import_checked(con, monday)
    assert (first.n_inserted, first.n_updated) == (2, 0)
    second = import_checked(con, tuesday)
    assert (second.n_inserted, second.n_updated, second.n_unchanged, second.n_superseded) == (1, 1, 1, 0)
    # Monday's export arrives again, late: its R-1 is older than the stored state.
    late = import_checked(con, monday, force=True)
    assert (late.n_inserted, late.n_updated, late.n_unchanged, late.n_superseded) == (0, 0, 1, 1)
    stored = request_rows(con, "canonical")
    assert {rid: (row["status"], row["agent"], row["updated_at"]) for rid, row in stored.items()} == {
        "R-1": ("resolved", "Eve Example", utc(2024, 3, 5, 8, 0)),
        "R-2": ("open", "Bob Example", utc(2024, 3, 4, 11, 0)),
        "R-3": ("open", None, utc(2024, 3, 5, 7, 30)),
    }
    assert con.execute(
        "select import_id from requests where request_id = 'R-1'"
    ).fetchone()[0] == second.import_id
    # The import form's table of the late import: each word with its count and what it means.
    accounting = report_frame(late).set_index("rows")
    assert accounting["count"].to_dict() == {
        "read": 2, "inserted": 0, "updated": 0, "unchanged": 1, "superseded": 1, "rejected": 0}
    assert accounting.loc["superseded", "meaning"].startswith(
        "not stored: a newer state of the same request is kept (already in the database")


def test_a_narrower_export_updates_what_it_holds_and_keeps_the_rest(con, tmp_path):
    full = write(tmp_path / "full.csv", (
        "request_id,created_at,updated_at,first_response_at,status,priority,requester_type,requester_department,"
        "category,subject\n"
        "R-1,2024-03-04T09:00:00Z,2024-03-04T10:00:00Z,2024-03-04T09:30:00Z,open,high,internal,Finance,Hardware,"
        "Printer jam\n"
        "R-2,2024-03-04T11:00:00Z,2024-03-04T11:00:00Z,,open,low,external,,Access,Password reset\n"
    ))
    import_checked(con, full)
    # Another view of the same tickets: no priority, requester, category or subject columns.
    narrow = write(tmp_path / "narrow.csv", (
        "request_id,created_at,updated_at,status\n"
        "R-1,2024-03-04T09:00:00Z,2024-03-05T08:00:00Z,resolved\n"  # newer: its status wins
        "R-2,2024-03-04T11:00:00Z,2024-03-04T11:00:00Z,open\n"  # what is stored: unchanged
        "R-3,2024-03-05T07:30:00Z,2024-03-05T07:30:00Z,open\n"  # new: the defaults of a new request
    ))
    report = import_checked(con, narrow)
    assert (report.n_inserted, report.n_updated, report.n_unchanged) == (1, 1, 1)
    assert "  the requests updated keep their stored values of the fields this source has no column for" \
        in report.lines()
    kept = ("status", "priority", "requester_type", "requester_department", "category", "subject", "updated_at")
    stored = request_rows(con, "canonical")
    assert {rid: tuple(row[f] for f in kept) for rid, row in stored.items()} == {
        "R-1": ("resolved", "high", "internal", "Finance", "Hardware", "Printer jam", utc(2024, 3, 5, 8, 0)),
        "R-2": ("open", "low", "external", None, "Access", "Password reset", utc(2024, 3, 4, 11, 0)),
        "R-3": ("open", None, "external", None, None, None, utc(2024, 3, 5, 7, 30)),
    }
    # The first response kept is still judged, though the last export to write R-1 had no such column.
    refresh_sla(con, policies.load_policies(), now=datetime(2024, 3, 6, tzinfo=timezone.utc))
    assert con.execute("select fr_na_reason, fr_elapsed_calendar_secs from request_sla where request_id = 'R-1'"
                       ).fetchone() == (None, 1800)
    # A column the file has but leaves empty does say something: the value is cleared.
    emptied = write(tmp_path / "emptied.csv", (
        "request_id,created_at,updated_at,status,category\n"
        "R-1,2024-03-04T09:00:00Z,2024-03-06T08:00:00Z,resolved,\n"
    ))
    assert import_checked(con, emptied).n_updated == 1
    assert request_rows(con, "canonical")["R-1"]["category"] is None
    assert request_rows(con, "canonical")["R-1"]["priority"] == "high"
    # One row per request, whatever was merged.
    assert con.execute("select count(*), count(distinct request_id) from requests").fetchone() == (3, 3)


def test_a_requester_rule_on_a_column_the_file_lacks_decides_nothing(tmp_path):
    jira = load_preset_file(PROJECT_ROOT / "data" / "presets" / "jira.toml")
    headers = ["Issue key", "Summary", "Status", "Created"]
    plan = build_staging(jira, headers, "narrow.csv")
    assert "requester_type" in plan.missing_fields  # the rule reads requester_department: absent
    plan = build_staging(jira, [*headers, "Custom field (Department)"], "wide.csv")
    assert "requester_type" not in plan.missing_fields


def test_without_updated_at_the_later_import_wins(con, tmp_path):
    opened = write(tmp_path / "a.csv", "request_id,created_at,status\nN-1,2024-03-04T09:00:00Z,open\n")
    closed = write(tmp_path / "b.csv", "request_id,created_at,status\nN-1,2024-03-04T09:00:00Z,closed\n")
    import_checked(con, opened)
    assert import_checked(con, closed).n_updated == 1
    # The very same file again is recognised and skipped, so it cannot put the old state back...
    assert import_file(con, opened).identical_to is not None
    assert request_rows(con, "canonical")["N-1"]["status"] == "closed"
    # ...unless forced: then nothing says which state is newer, and import order decides.
    assert import_checked(con, opened, force=True).n_updated == 1
    assert request_rows(con, "canonical")["N-1"]["status"] == "open"


def test_values_no_map_knows_are_named_with_their_counts(con, tmp_path):
    # Known spellings in any case or accent pass; unknown ones are counted per raw spelling, on
    # valid rows only (line 9 is rejected), at most five per field, most frequent first.
    rows = [
        "R-1,2024-03-04T09:00:00Z,Parked,P9,fax", "R-2,2024-03-04T09:00:00Z,parked,P9,fax",
        "R-3,2024-03-04T09:00:00Z,Parked,Alta,Fax", "R-4,2024-03-04T09:00:00Z,OPEN,P9,E-mail",
        "R-5,2024-03-04T09:00:00Z,Concluído,urgent,pigeon", "R-6,2024-03-04T09:00:00Z,Parked,,",
        "R-7,2024-03-04T09:00:00Z,Frozen,LOW,Telefone", "R-8,not a date,Ghost,P0,smoke",
        "R-9,2024-03-04T09:00:00Z,a,b,c", "R-10,2024-03-04T09:00:00Z,d,e,f",
        "R-11,2024-03-04T09:00:00Z,g,h,i",
    ]
    export = write(tmp_path / "odd.csv", "request_id,created_at,status,priority,channel\n" + "\n".join(rows) + "\n")
    report = import_checked(con, export)
    assert report.n_rejected == 1
    assert report.warnings == [
        "unrecognised status values 'Parked' (3), 'Frozen' (1), 'a' (1), 'd' (1), 'g' (1): "
        "inferred from the timestamps",
        "unrecognised priority values 'P9' (3), 'b' (1), 'e' (1), 'h' (1): left empty",
        "unrecognised channel values 'fax' (2), 'Fax' (1), 'c' (1), 'f' (1), 'i' (1): counted as 'other'",
    ]


def test_sources_and_the_request_page_count_as_open_what_the_backlog_counts(con, tmp_path):
    # A status of resolved without a resolution time is not open: when it stopped is unknown.
    export = write(tmp_path / "mixed.csv", (
        "request_id,created_at,resolved_at,status\n"
        "M-1,2024-03-04T09:00:00Z,,open\n"
        "M-2,2024-03-04T09:00:00Z,,resolved\n"
        "M-3,2024-03-04T09:00:00Z,2024-03-04T10:00:00Z,resolved\n"
        "M-4,2024-03-04T09:00:00Z,,pending\n"
    ))
    import_checked(con, export)
    sources = queries.run(con, "sources", {})
    assert sources[["source", "n_requests", "n_open"]].values.tolist() == [["canonical", 4, 2]]
    # The request page says open by the same rule.
    detail = {rid: queries.run(con, "request_detail", {"source": "canonical", "request_id": rid,
                                                       "as_of": datetime(2024, 3, 5, tzinfo=timezone.utc)})
              for rid in ("M-1", "M-2", "M-3", "M-4")}
    assert {rid: bool(d["is_open"].item()) for rid, d in detail.items()} == {
        "M-1": True, "M-2": False, "M-3": False, "M-4": True}


def test_status_events_for_requests_their_source_lacks_are_kept_and_named(con, tmp_path):
    # The requests were filed as 'helpdesk'; their status history, imported without a source,
    # lands in the preset's 'canonical', where no request has those ids.
    import_checked(con, FIXTURES / "canonical/requests.csv", source="helpdesk")
    events = FIXTURES / "canonical_events/events.csv"
    stray = import_checked(con, events)
    assert stray.n_events == 5 and stray.warnings == [
        "5 of the events added refer to requests not (yet) imported into source 'canonical'; they are kept, and "
        "count once those requests arrive. Their request ids are found in source 'helpdesk' (5): to file them "
        "there, import the file again with that source (--source helpdesk, or the source box on the import "
        "page), and remove source 'canonical' if it holds nothing else"
    ]
    # Filed where the requests are, they raise nothing.
    assert import_checked(con, events, source="helpdesk").warnings == []
    # Events for requests not imported anywhere yet: kept, without a source to suggest.
    early = write(tmp_path / "early.csv", "request_id,event_at,to_status\nNEW-1,2024-03-04T08:00:00Z,pending\n")
    assert import_checked(con, early, source="helpdesk").warnings == [
        "1 of the events added refers to requests not (yet) imported into source 'helpdesk'; they are kept, "
        "and count once those requests arrive"
    ]


def test_status_events_with_values_no_map_knows_are_rejected_by_name(con, tmp_path):
    events = write(tmp_path / "events.csv", (
        "request_id,event_at,kind,from_status,to_status\n"
        "E-1,2024-03-04T08:00:00Z,status_change,,open\n"
        "E-1,2024-03-04T09:00:00Z,status_change,open,Parked\n"
        "E-1,2024-03-04T10:00:00Z,note,,\n"
        "E-1,2024-03-04T11:00:00Z,,open,On hold\n"
    ))
    report = import_checked(con, events)
    assert (report.n_inserted, report.rejected_by_reason) == (
        2, {"unrecognised_to_status": 1, "unrecognised_kind": 1})
    assert con.execute("select line, detail from rejected_rows order by line").fetchall() == [
        (3, "unrecognised to_status in column to_status: 'Parked' (known: open, pending, on_hold, "
            "resolved, closed; [values.to_status] in the preset maps other spellings)"),
        (4, "unrecognised kind in column kind: 'note' (known: status_change, reply, reassign, reopen; "
            "[values.kind] in the preset maps other spellings)"),
    ]
    assert [event[2:5] for event in event_rows(con, "canonical")] == [
        ("status_change", None, "open"), ("status_change", "open", "on_hold"),
    ]


def test_both_311_header_styles_update_one_source(con):
    import_checked(con, FIXTURES / "nyc311/service_requests.csv")
    report = import_checked(con, FIXTURES / "nyc311_api/service_requests.csv")
    # 01 and 02 are the same requests in the other header style; 03 was closed since; the API
    # export's 05 is older than the stored closed state; 06 is new.
    assert (report.n_unchanged, report.n_updated, report.n_superseded, report.n_inserted) == (2, 1, 1, 1)
    stored = request_rows(con, "nyc311")
    assert {rid: (row["status_raw"], row["closed_at"]) for rid, row in stored.items()} == {
        "90000001": ("Closed", utc(2024, 3, 4, 16, 2, 10)),
        "90000002": ("Closed", utc(2024, 3, 10, 7, 15)),
        "90000003": ("Closed", utc(2024, 3, 12, 14, 0)),
        "90000004": ("Open", None),
        "90000005": ("Closed", utc(2024, 3, 13, 13, 30)),
        "90000006": ("Open", None),
    }


def test_event_log_reimport_and_a_later_log_add_only_new_events(con, tmp_path):
    log = FIXTURES / "servicenow_event_log" / "incident_event_log.csv"
    import_checked(con, log)
    lines = log.read_text(encoding="utf-8").splitlines()
    # A later extract: INC0020002's caller answered and the incident was resolved.
    resolved = lines[7].replace("Awaiting User Info", "Resolved").replace("Updated by 45,2/3/2024 15:00",
                                                                        "Updated by 45,2/3/2024 17:30")
    resolved = resolved.rsplit(",", 2)[0] + ",2/3/2024 17:30,?"
    later = write(tmp_path / "later.csv", "\n".join(lines + [resolved]) + "\n")
    report = import_checked(con, later)
    assert (report.n_read, report.n_updated, report.n_unchanged, report.n_superseded, report.n_events) == (
        10, 1, 2, 7, 1)
    assert [event for event in event_rows(con, "servicenow") if event[0] == "INC0020002"] == [
        ("INC0020002", utc(2024, 3, 2, 14, 30), "status_change", None, "open", "Group 24", None),
        ("INC0020002", utc(2024, 3, 2, 15, 0), "status_change", "open", "pending", "Group 24", "Resolver 3"),
        ("INC0020002", utc(2024, 3, 2, 17, 30), "status_change", "pending", "resolved", "Group 24", "Resolver 3"),
    ]
    assert len(event_rows(con, "servicenow")) == 7 + 1
    row = request_rows(con, "servicenow")["INC0020002"]
    assert (row["status"], row["resolved_at"]) == ("resolved", utc(2024, 3, 2, 17, 30))


def test_an_event_log_starting_mid_history_continues_the_stored_one(con, tmp_path):
    log = FIXTURES / "servicenow_event_log" / "incident_event_log.csv"
    import_checked(con, log)
    header, *rows = log.read_text(encoding="utf-8").splitlines()
    awaiting = rows[6]  # INC0020002 at 2/3/2024 15:00, Awaiting User Info, Group 24
    # The next extract starts after that row: a note at 16:00 (status unchanged), then the
    # incident moves to Group 25 at 16:45 and is resolved at 17:30.
    note = awaiting.replace("Updated by 45,2/3/2024 15:00", "Updated by 45,2/3/2024 16:00")
    moved = note.replace("2/3/2024 16:00", "2/3/2024 16:45").replace("Group 24", "Group 25")
    resolved = moved.replace("Awaiting User Info", "Resolved").replace("2/3/2024 16:45", "2/3/2024 17:30")
    later = write(tmp_path / "later.csv", "\n".join([header, note, moved, resolved]) + "\n")
    assert import_checked(con, later).n_events == 2
    assert [event for event in event_rows(con, "servicenow") if event[0] == "INC0020002"] == [
        ("INC0020002", utc(2024, 3, 2, 14, 30), "status_change", None, "open", "Group 24", None),
        ("INC0020002", utc(2024, 3, 2, 15, 0), "status_change", "open", "pending", "Group 24", "Resolver 3"),
        # no 'None -> pending' at 16:00: the note is compared with the stored 15:00 state
        ("INC0020002", utc(2024, 3, 2, 16, 45), "reassign", "pending", "pending", "Group 25", "Resolver 3"),
        ("INC0020002", utc(2024, 3, 2, 17, 30), "status_change", "pending", "resolved", "Group 25", "Resolver 3"),
    ]


# --- a failing file leaves the database as it was -----------------------------------------------

def test_a_failure_after_the_writes_rolls_all_of_them_back(con):
    import_checked(con, CANONICAL)
    import_checked(con, ZENDESK)
    before = table_contents(con)
    seen = {}

    def fail_when_merged(stage: str, fraction: float) -> None:
        if (stage, fraction) == ("merging", 1.0):
            # Inside the file's transaction: its requests and rejected rows are written...
            seen["requests"] = con.execute("select count(*) from requests").fetchone()[0]
            seen["rejected_rows"] = con.execute("select count(*) from rejected_rows").fetchone()[0]
            raise RuntimeError("disk full")

    with pytest.raises(ImportFailed, match="^requests.csv: disk full$"):
        import_file(con, BAD, progress=fail_when_merged)
    assert seen == {"requests": 4 + 6 + 2, "rejected_rows": 10}
    # ...and none of it survives.
    assert table_contents(con) == before
    assert con.execute(
        "select file_name, status, message from imports where status = 'failed'"
    ).fetchall() == [("requests.csv", "failed", "requests.csv: disk full")]


def test_an_interrupted_import_rolls_back_and_leaves_no_transaction_open(con):
    import_checked(con, CANONICAL)
    before = table_contents(con)

    def interrupt(stage: str, fraction: float) -> None:
        if (stage, fraction) == ("merging", 1.0):
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        import_file(con, BAD, progress=interrupt)
    assert table_contents(con) == before
    # The connection takes the next file in a transaction of its own.
    assert import_checked(con, BAD).n_inserted == 2


def test_a_preset_naming_a_missing_column_fails_cleanly(con):
    import_checked(con, CANONICAL)
    before = table_contents(con)
    with pytest.raises(ImportFailed) as failed:
        import_file(con, ZENDESK, preset="jira")
    message = str(failed.value)
    assert message.startswith(
        "tickets.csv: preset 'jira' needs request_id (column 'Issue key'), created_at (column "
        "'Created'), which the file does not have. Its columns are: Id, Requester, "
    )
    assert "\n" not in message
    assert table_contents(con) == before
    assert con.execute("select status, message from imports where status = 'failed'").fetchall() == [
        ("failed", message)
    ]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "empty.csv: the file is empty"),
        (b"\n\nrequest_id,created_at\n", "empty.csv: the file is empty or its first line is blank"),
        (b"Assunto;Situa\xe7\xe3o\nImpressora;Aberto\n",
         "empty.csv: No preset fits, and auto-detection found no request_id and no created_at column. "
         "Columns: 'Assunto', 'Situação'"),
        (b"request_id:created_at\nA:2024\n",
         "empty.csv: No preset fits, and auto-detection found no request_id and no created_at column: the header "
         "reads as one column ('request_id:created_at'); a file whose columns are separated by something other "
         "than a comma, semicolon, tab or | can be saved as CSV first. Columns: 'request_id:created_at'"),
        # Thousands of unknown columns: the first 30 named, the rest counted.
        (",".join(f"c{i}" for i in range(3000)).encode() + b"\n",
         "empty.csv: No preset fits, and auto-detection found no request_id and no created_at column. Columns: "
         + ", ".join(f"'c{i}'" for i in range(30)) + " and 2,970 more"),
    ],
    ids=["empty", "blank-first-line", "no-id-or-date", "one-column", "thousands-of-columns"],
)
def test_an_unreadable_file_fails_with_a_clear_message(con, tmp_path, content, expected):
    import_checked(con, CANONICAL)
    before = table_contents(con)
    path = tmp_path / "empty.csv"
    path.write_bytes(content)
    with pytest.raises(ImportFailed) as failed:
        import_file(con, path)
    assert str(failed.value) == expected
    assert table_contents(con) == before
    assert con.execute("select file_name, message from imports where status = 'failed'").fetchall() == [
        ("empty.csv", expected)
    ]


def test_an_export_lacking_a_signature_column_is_named_for_the_tool_it_looks_like(con, tmp_path):
    # A Zendesk export without "Created at": no preset fits, and the message says which one nearly does.
    with open(FIXTURES / "zendesk/tickets.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    dropped = rows[0].index("Created at")
    path = tmp_path / "tickets.csv"
    with open(path, "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(row[:dropped] + row[dropped + 1:] for row in rows)
    with pytest.raises(ImportFailed) as failed:
        import_file(con, path)
    # The likely cause comes first; its Status and Priority columns keep the guess on requests,
    # though it has a satisfaction score and no creation date, as a survey export would.
    assert str(failed.value).startswith(
        "tickets.csv: It looks like Zendesk Support ticket export (CSV), preset zendesk, but lacks the column "
        "'Created at'. Without it no preset fits, and auto-detection found no created_at column. Columns: 'Id',")


# --- encodings, delimiters, line ends, spreadsheets ---------------------------------------------

def test_utf8_bom_is_not_part_of_the_first_header():
    with open_export(FIXTURES / "servicenow/incidents.csv") as export:
        assert (export.encoding, export.headers[0]) == ("utf-8-sig", "number")


def test_windows_1252_accents_survive(con, binary):
    report = import_checked(con, binary["portuguese"], timezone_name="America/Sao_Paulo")
    assert (report.encoding, report.delimiter) == ("cp1252", ";")
    rows = request_rows(con, "chamados")
    assert rows["2024-0101"]["subject"] == "Não consigo acessar o sistema"
    assert rows["2024-0104"]["provider_department"] == "Manutenção"
    assert rows["2024-0104"]["agent"] == "Luís Exemplo"
    # The en dash is byte 0x96, a Windows-1252 character (a control code in Latin-1).
    assert rows["2024-0103"]["subject"] == "Cobrança indevida – fatura de março"


def test_latin1_text_survives(con, tmp_path):
    path = write(tmp_path / "latin1.csv",
                 "request_id,created_at,subject\nL-1,2024-03-04T09:00:00Z,Solicitação de férias\n",
                 encoding="latin-1")
    report = import_checked(con, path)
    assert report.encoding == "cp1252"
    assert request_rows(con, "canonical")["L-1"]["subject"] == "Solicitação de férias"


def test_a_utf8_file_with_a_windows_1252_line_keeps_both_kinds_of_accents(con, tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_bytes(
        "request_id,created_at,subject\nP-1,2024-03-04T09:00:00Z,Não consigo acessar\n".encode("utf-8")
        + "P-2,2024-03-04T09:00:00Z,Solicitação – urgente\n".encode("cp1252")
        + b"P-3,2024-03-04T09:00:00Z,Manuten\xc3"  # a download cut in the middle of 'ç'
    )
    report = import_checked(con, path)
    assert report.encoding == "utf-8 with some cp1252 bytes"
    assert report.warnings[0].startswith("the file is UTF-8 but for some bytes, the first on line 3 ")
    rows = request_rows(con, "canonical")
    assert [rows[r]["subject"] for r in ("P-1", "P-2", "P-3")] == [
        "Não consigo acessar", "Solicitação – urgente", "ManutenÃ"]


@pytest.mark.parametrize(("content", "expected"), [
    # 'ç' split by the chunk boundary, then an ASCII chunk: UTF-8.
    ("id,a\nX-1,xxxManuten\u00e7\u00e3o e mais texto\n".encode("utf-8"), "utf-8"),
    # A lead byte ends a chunk and the next chunk is ASCII: that chunk must be decoded too, or
    # the stray continuation byte after it would complete the lead byte into a character.
    (b"id,a\nX-1,ab\xc3defg\xa7hij\n", "cp1252"),
], ids=["split-character", "lead-byte-before-ascii"])
def test_encoding_is_told_across_chunks_that_hold_only_ascii(monkeypatch, tmp_path, content, expected):
    monkeypatch.setattr(exports, "CHUNK_BYTES", 4)  # so the contents span many chunks
    path = tmp_path / "export.csv"
    path.write_bytes(content)
    assert exports.detect_encoding(path) == expected


def test_utf16_tsv_for_excel_reads_like_the_csv(con, binary):
    import_checked(con, FIXTURES / "nyc311/service_requests.csv")
    report = import_checked(con, binary["nyc311_tsv"])
    assert (report.preset, report.encoding, report.delimiter) == ("nyc311", "utf-16", "\t")
    assert (report.n_read, report.n_unchanged) == (5, 5)


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_byte_order_mark_is_recognised(con, tmp_path, codec):
    export = tmp_path / "export.csv"
    export.write_bytes("request_id,created_at,subject\nB-1,2024-03-04T09:00:00Z,Não abre\n".encode(codec))
    report = import_checked(con, export)
    assert (report.encoding, report.n_inserted) == (codec, 1)
    assert request_rows(con, "canonical")["B-1"]["subject"] == "Não abre"


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"], ids=["comma", "semicolon", "tab", "pipe"])
def test_delimiters_are_sniffed(con, tmp_path, delimiter):
    import_checked(con, CANONICAL)
    with CANONICAL.open(encoding="utf-8", newline="") as src:
        rows = list(csv.reader(src))
    path = tmp_path / "requests.txt"
    with path.open("w", encoding="utf-8", newline="") as dst:
        csv.writer(dst, delimiter=delimiter, lineterminator="\n").writerows(rows)
    # force: with commas the rewritten file is byte for byte the original, which would be skipped.
    report = import_checked(con, path, force=True)
    assert (report.delimiter, report.n_read, report.n_unchanged) == (delimiter, 4, 4)


def test_crlf_line_ends_also_inside_quoted_fields(con, tmp_path):
    import_checked(con, ZENDESK)
    crlf = tmp_path / "tickets-crlf.csv"
    crlf.write_bytes(ZENDESK.read_bytes().replace(b"\n", b"\r\n"))
    report = import_checked(con, crlf)
    # Only the subject with a line break inside quotes differs: it keeps the CRLF.
    assert (report.n_read, report.n_unchanged, report.n_updated) == (6, 5, 1)
    assert request_rows(con, "zendesk")["4102"]["subject"] == "Cannot log in\r\n(error 403)"


def test_xlsx_numbers_and_dates_read_as_written(con, tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["request_id", "created_at", "subject", "reopen_count", "reassignment_count"])
    sheet.append([17, datetime(2024, 3, 4, 9, 30), "Olá – ok", 2, 1.0])
    sheet.append(["X-2", "2024-03-05T10:00:00+01:00", None, None, None])
    path = tmp_path / "export.xlsx"
    workbook.save(path)
    report = import_checked(con, path)
    assert (report.encoding, report.n_inserted) == ("spreadsheet", 2)
    assert request_rows(con, "canonical") == {
        # A whole-number cell is 17, not "17.0"; a date cell is a timestamp.
        "17": request(request_id="17", created_at=utc(2024, 3, 4, 9, 30), status="open",
                      requester_type="external", provider_type="in_house", subject="Olá – ok",
                      reopen_count=2, reassignment_count=1),
        "X-2": request(request_id="X-2", created_at=utc(2024, 3, 5, 9, 0), status="open",
                       requester_type="external", provider_type="in_house"),
    }


def test_a_workbook_is_read_from_its_first_sheet_with_values_and_names_the_rest(con, tmp_path):
    workbook = Workbook()
    workbook.active.title = "Cover"  # left blank
    workbook.create_sheet("Title page")["B2"] = "Tickets, Acme Fictional Ltd"  # a title alone: no table
    tickets = workbook.create_sheet("Tickets")
    tickets.append(["request_id", "created_at"])
    tickets.append(["W-1", "2024-03-04T09:00:00Z"])
    workbook.create_sheet("Pivot").append(["request_id", "created_at"])
    path = tmp_path / "export.xlsx"
    workbook.save(path)
    report = import_checked(con, path)
    assert report.n_inserted == 1
    assert ("the sheet 'Tickets' was read, the first holding a table; the workbook's later sheets ('Pivot') "
            "were not: save each as its own file to import it") in report.warnings
    # A workbook without a single value is named, not its temporary CSV copy.
    Workbook().save(path)
    with pytest.raises(ImportFailed, match=r"^export\.xlsx: the spreadsheet holds no values \(sheets: 'Sheet'\)$"):
        import_file(con, path)

@pytest.mark.parametrize("preamble, note", [
    ([["Tickets export, Acme Fictional Ltd, 20 Nov 2026"], []],
     "rows 1-2 above them were skipped (a title: 'Tickets export, Acme Fictional Ltd, 20 Nov 2026')"),
    # A title of two values over three columns, one a date: a header row holds text only.
    ([["Report", datetime(2026, 11, 20)]], "row 1 above them was skipped (a title: 'Report 2026-11-20')"),
    ([[f"Filter {i}"] for i in range(12)], "rows 1-12 above them were skipped (a title: 'Filter 0 Filter 1 Filter 2 "),
])
def test_a_title_above_a_sheets_headers_is_skipped_and_rows_keep_their_numbers(con, tmp_path, preamble, note):
    workbook = Workbook()
    sheet = workbook.active
    for row in preamble:
        sheet.append(row)
    header = len(preamble) + 1
    sheet.append(["request_id", "created_at", "subject"])
    sheet.append(["T-1", "2024-03-04T09:00:00Z", "Printer"])
    sheet.append(["T-2", "not a date", "Badge"])  # two rows below the headers
    sheet.append(["T-3", "2024-03-05T09:00:00Z", None])
    path = tmp_path / "titled.xlsx"
    workbook.save(path)
    report = import_checked(con, path)
    assert (report.n_read, report.n_inserted, report.n_rejected) == (3, 2, 1)
    assert any(w.startswith(f"the headers were read from row {header}; {note}") for w in report.warnings), \
        report.warnings
    # The rejected row is named by the row the spreadsheet shows it on.
    assert con.execute("select line, reason from rejected_rows").fetchall() == [(header + 2, "unparseable_created_at")]
    assert set(request_rows(con, "canonical")) == {"T-1", "T-3"}


def test_a_line_break_inside_a_sheets_header_cell_reads_as_a_space(con, tmp_path):
    # Wrapped header text used to make the whole workbook unreadable ("cannot work out its layout").
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["request_id", "created_at", "Notes\n(internal)"])
    sheet.append(["L-1", "2024-03-04T09:00:00Z", "Line one\nline two"])  # a value keeps its line break
    path = tmp_path / "wrapped.xlsx"
    workbook.save(path)
    with open_export(path) as export:
        assert export.headers == ["request_id", "created_at", "Notes (internal)"]
    report = import_checked(con, path)
    assert (report.n_read, report.n_inserted) == (1, 1)


# --- auto-detection -----------------------------------------------------------------------------

PORTUGUESE_MAPPING = {
    "request_id": "Protocolo",
    "resolved_at": "Resolvido em",
    "due_at": "Prazo",
    "status": "Situação",
    "priority": "Prioridade",
    "requester_id": "Solicitante",
    "requester_department": "Setor solicitante",
    "provider_department": "Departamento",
    "agent": "Responsável",
    "channel": "Canal",
    "category": "Categoria",
    "subject": "Assunto",
}
# São Paulo is UTC-3 all year (no daylight saving since 2019).
PORTUGUESE_ROWS = {
    "2024-0101": request(
        request_id="2024-0101", created_at=utc(2024, 3, 4, 11, 12), first_response_at=utc(2024, 3, 4, 11, 27),
        resolved_at=utc(2024, 3, 4, 14, 40), due_at=utc(2024, 3, 5, 3, 0), status="resolved",
        status_raw="Resolvido", priority="high", priority_raw="Alta", requester_type="internal",
        requester_id="maria.exemplo", requester_department="Financeiro", provider_department="TI",
        provider_type="in_house", agent="João Exemplo", channel="portal", channel_raw="Portal",
        category="Acesso", subject="Não consigo acessar o sistema",
    ),
    "2024-0102": request(
        request_id="2024-0102", created_at=utc(2024, 3, 4, 17, 3), first_response_at=utc(2024, 3, 4, 17, 45),
        due_at=utc(2024, 3, 8, 3, 0), status="open", status_raw="Em andamento", priority="normal",
        priority_raw="Média", requester_type="internal", requester_id="jose.exemplo",
        requester_department="Comercial", provider_department="TI", provider_type="in_house",
        agent="Ana Exemplo", channel="email", channel_raw="E-mail", category="Acesso",
        subject="Solicitação de acesso\r\nà pasta compartilhada",
    ),
    # No requesting sector: a customer from outside.
    "2024-0103": request(
        request_id="2024-0103", created_at=utc(2024, 3, 5, 12, 30), status="pending",
        status_raw="Aguardando solicitante", priority="low", priority_raw="Baixa",
        requester_type="external", requester_id="cliente.exemplo", provider_department="Atendimento",
        provider_type="in_house", agent="Ana Exemplo", channel="phone", channel_raw="Telefone",
        category="Cobrança", subject="Cobrança indevida – fatura de março",
    ),
    "2024-0104": request(
        request_id="2024-0104", created_at=utc(2024, 3, 13, 20, 55), first_response_at=utc(2024, 3, 13, 21, 0),
        resolved_at=utc(2024, 3, 14, 11, 20), due_at=utc(2024, 3, 14, 3, 0), status="closed",
        status_raw="Fechado", priority="urgent", priority_raw="Urgente", requester_type="internal",
        requester_id="maria.exemplo", requester_department="Financeiro",
        provider_department="Manutenção", provider_type="in_house", agent="Luís Exemplo",
        channel="walk_in", channel_raw="Presencial", category="Predial",
        subject="Ar-condicionado não liga",
    ),
    "2024-0105": request(
        request_id="2024-0105", created_at=utc(2024, 3, 14, 13, 0), status="open", status_raw="Aberto",
        priority="normal", priority_raw="Média", requester_type="internal", requester_id="paulo.exemplo",
        requester_department="Jurídico", provider_department="TI", provider_type="in_house",
        channel="chat", channel_raw="WhatsApp", category="Impressão", subject="Impressora não imprime",
    ),
}


def test_portuguese_export_mapping_is_proposed(binary):
    with open_export(binary["portuguese"]) as export:
        proposal = propose_preset(export)
    assert proposal.kind == "requests"
    assert proposal.columns == PORTUGUESE_MAPPING
    assert proposal.combine == {"created_at": ("Data de abertura", "Hora de abertura")}
    assert proposal.durations == {"first_response_at": Duration("Primeira resposta (min)", "minutes")}
    # Days above 12 settle the order: day first. "05/03/24" needs the two-digit year.
    assert proposal.timestamp_formats == ["%d/%m/%Y %H:%M", "%d/%m/%Y", "%d/%m/%y"]
    assert proposal.missing_required == []
    assert proposal.missing_optional == [
        "closed_at", "updated_at", "requester_org", "provider_type", "subcategory",
        "reopen_count", "reassignment_count",
    ]
    assert proposal.unused_headers == []
    text = "\n".join(proposal.lines())
    assert "created_at             <- 'Data de abertura' + 'Hora de abertura'" in text
    assert "first_response_at      <- created_at + 'Primeira resposta (min)' (minutes)" in text
    assert "not found: closed_at, updated_at, requester_org" in text
    # data/organisation.toml's zone, not UTC: exports mostly write local times without an offset.
    assert "times without a UTC offset: America/Sao_Paulo (the organisation's zone;" in text


def test_only_two_digit_years_are_detected_and_imported_without_a_preset(con, tmp_path):
    # DuckDB reads "04/03/24 08:12" as an ISO-like date in the year 4: no plausible year, so the
    # day-first format with a two-digit year is proposed (13/03 settles the order).
    export = write(tmp_path / "chamados_yy.csv", (
        "Protocolo;Data de abertura;Assunto\n1;04/03/24 08:12;a\n2;13/03/24 14:03;b\n3;05/03/24 09:30;c\n"))
    with open_export(export) as opened:
        assert propose_preset(opened).timestamp_formats == ["%d/%m/%y %H:%M"]
    report = import_checked(con, export, timezone_name="UTC")
    assert report.n_inserted == 3
    assert con.execute("select created_at from requests where request_id = '2'").fetchone()[0] == utc(2024, 3, 13, 14, 3)


def test_portuguese_export_imports_without_a_preset_and_saves_as_one(con, binary, tmp_path):
    report = import_checked(con, binary["portuguese"], timezone_name="America/Sao_Paulo")
    assert (report.detected_preset, report.source, report.n_inserted) == (True, "chamados", 5)
    # What the source lacks is recorded, so pages can say so instead of showing zeros.
    assert report.missing_fields == [
        "closed_at", "updated_at", "requester_org", "provider_type", "subcategory",
        "reopen_count", "reassignment_count",
    ]
    assert request_rows(con, "chamados") == PORTUGUESE_ROWS

    with open_export(binary["portuguese"]) as export:
        proposal = propose_preset(export, name="chamados_pt")
    saved = save_preset(with_timezone(proposal.preset, "America/Sao_Paulo"), directory=tmp_path)
    preset = load_preset_file(saved)
    assert (preset.name, preset.timezone) == ("chamados_pt", "America/Sao_Paulo")
    assert preset.header_source == "auto-detected from the header of chamados.csv"
    # The saved preset now recognises the file by its headers and reads it the same way.
    again = import_checked(con, binary["portuguese"], presets_dir=tmp_path, force=True)
    assert (again.preset, again.detected_preset, again.n_unchanged) == ("chamados_pt", False, 5)


def test_an_import_with_a_detected_mapping_says_what_it_assumed(con, tmp_path):
    export = write(tmp_path / "chamados.csv", (
        "Protocolo,Aberto em\n"
        "P-1,03/04/2024 09:00\n"
        "P-2,05/04/2024 10:30\n"
    ))
    report = import_checked(con, export)
    assert report.detected_preset
    assert ("dates such as '03/04/2024 09:00' read both day-first and month-first; day-first assumed (if that "
            "is wrong, save the mapping with detect --save NAME and edit its timestamp_formats)") in report.warnings
    # 09:00 in the organisation's zone (data/organisation.toml: America/Sao_Paulo, UTC-3), not in UTC.
    assert report.timezone == "America/Sao_Paulo"
    assert request_rows(con, "chamados")["P-1"]["created_at"] == utc(2024, 4, 3, 12, 0)


def test_header_synonyms_in_portuguese_and_english():
    assert match_headers(["Nº", "Aberto em", "Departamento", "Situação", "Setor"], "requests") == {
        "created_at": "Aberto em",
        "provider_department": "Departamento",
        "status": "Situação",
        "requester_department": "Setor",
    }
    assert match_headers(["Case Number", "Opened", "Assignment group", "Agency"], "requests") == {
        "request_id": "Case Number",
        "created_at": "Opened",
        "provider_department": "Agency",  # the stronger synonym; each header is used once
    }


def test_a_header_taught_to_the_vocabulary_counts_without_a_restart(tmp_path, monkeypatch):
    # What the upload form tells a user whose file no mapping fits: add its header to the list.
    taught = tmp_path / "vocabulary.toml"
    shutil.copy(vocabulary.VOCABULARY_PATH, taught)
    monkeypatch.setattr(vocabulary, "VOCABULARY_PATH", taught)
    headers = ["Nº da ocorrência", "Aberto em"]
    assert match_headers(headers, "requests") == {"created_at": "Aberto em"}
    text = taught.read_text(encoding="utf-8")
    assert 'request_id = ["id", ' in text
    taught.write_text(text.replace('request_id = ["id", ', 'request_id = ["Nº da ocorrência", "id", '), encoding="utf-8")
    later = taught.stat().st_mtime + 1  # a new modification time, however coarse the file system's clock
    os.utime(taught, (later, later))
    assert match_headers(headers, "requests") == {"request_id": "Nº da ocorrência", "created_at": "Aberto em"}


def test_a_survey_without_a_preset_is_detected_as_feedback(con, tmp_path):
    path = write(tmp_path / "avaliacoes.csv", (
        "Chamado;Data da avaliação;Nota;Comentário\n"
        "2024-0101;14/03/2024 09:00;5;Atendimento excelente\n"
        "2024-0104;15/03/2024 10:30;2;Demorou demais\n"
    ))
    report = import_checked(con, path)
    assert (report.detected_preset, report.kind, report.n_inserted) == (True, "feedback", 2)
    assert feedback_rows(con) == [
        # Read in the organisation's zone (data/organisation.toml: America/Sao_Paulo, UTC-3).
        (None, "2024-0101", utc(2024, 3, 14, 12, 0), "5", "1-5", 5.0, "Atendimento excelente", "pt"),
        (None, "2024-0104", utc(2024, 3, 15, 13, 30), "2", "1-5", 2.0, "Demorou demais", "pt"),
    ]


# --- feedback -----------------------------------------------------------------------------------

def test_a_comment_s_language_is_read_from_its_words_when_the_export_has_none(con, tmp_path):
    # Short survey comments, Portuguese without an accent and English with words that look
    # Portuguese ("do", "no", "rapid"): each labelled by hand.
    comments = {
        "Insatisfeito.": "pt", "Satisfeita": "pt", "Bom trabalho": "pt", "Ruim, nada mudou": "pt",
        "Equipe rapida e atenciosa": "pt", "O chamado ficou parado": "pt", "Sempre a mesma coisa": "pt",
        "Fiquei sem retorno": "pt", "Gostei da atendente": "pt",
        "I do not know who handled it": "en", "No reply for days": "en", "Rapid fix, thanks": "en",
        "Good team": "en", "The ticket was closed without a reply": "en", "Satisfied": "en",
    }
    path = write(tmp_path / "survey.csv", "Ticket ID,Submitted at,Score,Comment\n" + "".join(
        f'R-{i},2024-03-14T09:00:00Z,4,"{comment}"\n' for i, comment in enumerate(comments)))
    import_checked(con, path, preset="survey")
    read = dict(con.execute("select comment, language from feedback").fetchall())
    assert read == comments



def scores(con) -> list[float]:
    return [row[0] for row in con.execute("select score from feedback order by request_id, submitted_at").fetchall()]


def test_nps_answers_are_normalised_to_1_to_5(con):
    import_checked(con, CANONICAL)
    report = import_checked(con, FIXTURES / "survey/nps_0_10.csv")
    assert report.warnings == ["score scale: nps (normalised to 1-5)"]
    # A 0 makes it NPS: score = 1 + 4 * answer / 10.
    assert [row[:5] + row[6:] for row in feedback_rows(con)] == [
        ("canonical", "REQ-1", utc(2024, 3, 5, 8, 0), "10", "nps", "Great service", "en"),
        ("canonical", "REQ-2", utc(2024, 3, 5, 9, 0), "0", "nps", "Nobody answered", "en"),
        ("canonical", "REQ-3", utc(2024, 3, 9, 10, 0), "7", "nps", None, None),
        ("canonical", "REQ-4", utc(2024, 3, 9, 11, 0), "9", "nps", "Muito bom atendimento", "pt"),
    ]
    assert scores(con) == pytest.approx([5.0, 1.0, 3.8, 4.6])


def test_1_to_10_answers_in_a_tab_separated_file(con):
    import_checked(con, FIXTURES / "jira/issues.csv")
    report = import_checked(con, FIXTURES / "survey/rating_1_10.tsv")
    assert (report.delimiter, report.warnings) == ("\t", ["score scale: 1-10 (normalised to 1-5)"])
    # No 0 and a value above 5: 1-10, score = 1 + 4 * (answer - 1) / 9.
    assert [row[:5] for row in feedback_rows(con)] == [
        ("jira", "ITS-101", utc(2024, 3, 5, 10, 0), "10", "1-10"),
        ("jira", "ITS-102", utc(2024, 3, 6, 10, 0), "1", "1-10"),
        ("jira", "ITS-103", utc(2024, 3, 6, 11, 0), "7", "1-10"),
    ]
    assert scores(con) == pytest.approx([5.0, 1.0, 1 + 4 * 6 / 9])


def test_good_and_bad_answers(con):
    import_checked(con, ZENDESK)
    report = import_checked(con, FIXTURES / "survey/good_bad.csv")
    # "Offered" is a survey sent but not answered: no score, so the row is rejected.
    assert (report.n_read, report.n_inserted, report.rejected_by_reason) == (3, 2, {"missing_score": 1})
    assert con.execute("select line, detail from rejected_rows").fetchall() == [(4, "the score is empty")]
    assert feedback_rows(con) == [
        ("zendesk", "4101", utc(2024, 3, 4, 17, 5), "Good", "good_bad", 5.0, "Quick and friendly", "en"),
        ("zendesk", "4105", utc(2024, 2, 28, 14, 10), "Bad", "good_bad", 1.0, "Took too long", "en"),
    ]


def test_a_scale_column_decides_per_answer_and_misfits_are_rejected(con, tmp_path):
    path = write(tmp_path / "survey.csv", (
        "Ticket ID,Submitted at,Score,Scale,Comment\n"
        "A,2024-03-04 10:00,5,1-5,\n"
        "B,2024-03-04 11:00,8,1-10,\n"
        "C,2024-03-04 12:00,8,NPS,\n"
        "D,2024-03-04 13:00,7,1-5,\n"
    ))
    report = import_checked(con, path)
    assert (report.n_inserted, report.n_rejected, report.missing_fields) == (3, 1, [])
    assert con.execute("select line, reason, detail from rejected_rows").fetchall() == [
        (5, "unparseable_score", "score 7 does not fit the 1-5 scale")
    ]
    assert scores(con) == pytest.approx([5.0, 1 + 4 * 7 / 9, 1 + 4 * 8 / 10])


@pytest.mark.parametrize("scores_given, scale, rejected", [
    (["10", "0", "11", "7"], "nps", {"11": "score 11 does not fit the nps scale"}),  # a stray 11 alone
    (["Good", "Bad", "Neutral", "Good"], "good_bad", {"Neutral": "score Neutral does not fit the good_bad scale"}),
    (["9", "3", "11", "10"], "1-10", {"11": "score 11 does not fit the 1-10 scale"}),  # no 0: the narrower
    (["5", "3", "1", "4"], "1-5", {}),
])
def test_the_scale_most_answers_fit_is_the_files_and_only_misfits_are_rejected(con, tmp_path, scores_given,
                                                                                scale, rejected):
    lines = "".join(f"R{i},2024-03-04 1{i}:00,{score}\n" for i, score in enumerate(scores_given))
    report = import_checked(con, write(tmp_path / "survey.csv", "Ticket ID,Submitted at,Score\n" + lines), preset="survey")
    assert f"score scale: {scale} (normalised to 1-5)" in report.warnings
    details = {json.loads(raw)["Score"]: detail for raw, detail in con.execute(
        "select raw, detail from rejected_rows").fetchall()}
    assert details == rejected


@pytest.mark.parametrize("above_five, scale", [(1, "1-5"), (4, "1-10")])
def test_a_stray_score_among_hundreds_of_1_to_5_answers_does_not_change_the_scale(con, tmp_path, above_five, scale):
    # Of 300 answers, 299 fitting 1-5 are 99.7 % (1-5 holds, the 7 is rejected); 296 are 98.7 %
    # (too many to be typos: the file is read as 1-10).
    lines = [f"R{i},2024-03-04 10:00,{'7' if i < above_five else 1 + i % 5}" for i in range(300)]
    report = import_checked(con, write(tmp_path / "survey.csv", "Ticket ID,Submitted at,Score\n" + "\n".join(lines)),
                            preset="survey")
    assert f"score scale: {scale} (normalised to 1-5)" in report.warnings
    assert report.n_rejected == (above_five if scale == "1-5" else 0)


def test_an_unknown_scale_is_named_as_such(con, tmp_path):
    path = write(tmp_path / "survey.csv", (
        "Ticket ID,Submitted at,Score,Scale\nA,2024-03-04 10:00,5,1-5\nB,2024-03-04 11:00,3,stars\n"))
    report = import_checked(con, path, preset="survey")
    assert report.warnings[-1] == "score scale: 1-5 (normalised to 1-5)"
    assert con.execute("select line, detail from rejected_rows").fetchall() == [
        (3, "unknown scale stars (the scales are 1-5, 1-10, nps, good_bad)")]


def test_missing_feedback_fields_are_only_what_the_file_lacks(con, tmp_path):
    path = write(tmp_path / "scores.csv", "Ticket ID,Submitted at,Score\nA,2024-03-04 10:00,4\n")
    report = import_checked(con, path, preset="survey")
    # Scale is always detected; a language needs a comment to detect it from.
    assert report.missing_fields == ["comment", "language"]


def test_request_source_is_found_by_id_unless_ambiguous(con, tmp_path):
    import_checked(con, CANONICAL)
    other = write(tmp_path / "other.csv", "request_id,created_at\nREQ-1,2024-03-04T09:00:00Z\n")
    import_checked(con, other, source="other_desk")
    report = import_checked(con, FIXTURES / "survey/nps_0_10.csv")
    assert [(row[0], row[1]) for row in feedback_rows(con)] == [
        (None, "REQ-1"),  # in two sources: not guessed
        ("canonical", "REQ-2"),
        ("canonical", "REQ-3"),
        ("canonical", "REQ-4"),
    ]
    assert report.warnings[0].startswith("1 answer refers to request ids not (yet) imported, or found in several")


def test_request_source_can_be_given(con):
    import_checked(con, CANONICAL)
    report = import_checked(con, FIXTURES / "survey/nps_0_10.csv", request_source="canonical")
    assert {row[0] for row in feedback_rows(con)} == {"canonical"}
    assert report.warnings == ["score scale: nps (normalised to 1-5)"]


def test_a_request_source_no_request_has_is_named_with_the_sources_there_are(con):
    import_checked(con, CANONICAL)
    report = import_checked(con, FIXTURES / "survey/nps_0_10.csv", request_source="canonicl")
    assert {row[0] for row in feedback_rows(con)} == {"canonicl"}  # kept, as the import was told
    assert report.warnings[:2] == [
        "4 answers refer to request ids not (yet) imported; they are kept, and linked when their request is imported",
        "no requests of source 'canonicl' are stored (sources with requests: canonical): check the name given "
        "for the requests' source",
    ]


def test_a_corrected_request_source_moves_the_answers_instead_of_adding_them_again(con):
    import_checked(con, CANONICAL)
    import_checked(con, FIXTURES / "survey/nps_0_10.csv", request_source="canonicl")
    # Not skipped as a repeat of the same bytes: the link to the requests is part of the mapping.
    report = import_checked(con, FIXTURES / "survey/nps_0_10.csv", request_source="canonical")
    assert report.identical_to is None
    assert (report.n_inserted, report.n_updated, report.n_unchanged) == (0, 4, 0)
    assert [(row[0], row[1]) for row in feedback_rows(con)] == [
        ("canonical", "REQ-1"), ("canonical", "REQ-2"), ("canonical", "REQ-3"), ("canonical", "REQ-4"),
    ]


def test_answers_stored_twice_under_two_request_sources_are_folded_by_the_migration(tmp_path):
    path = tmp_path / "v3.duckdb"
    old = database_at_version(path, 3)
    old.execute(
        """insert into feedback (request_source, request_id, submitted_at, score, survey_source, import_id, row_hash)
           values ('canonicl', 'REQ-1', '2024-03-05 08:00:00+00', 5, 'survey', 2, 0),
                  ('canonical', 'REQ-1', '2024-03-05 08:00:00+00', 5, 'survey', 3, 0),
                  ('canonical', 'REQ-1', '2024-03-05 08:00:00+00', 4, 'other_survey', 4, 0),
                  ('canonicl', 'REQ-2', '2024-03-05 09:00:00+00', 1, 'survey', 2, 0)"""
    )
    old.close()

    with store.connect(path) as con:
        assert con.execute(
            "select survey_source, request_source, request_id, import_id from feedback order by all"
        ).fetchall() == [
            ("other_survey", "canonical", "REQ-1", 4),  # another survey's answer is its own
            ("survey", "canonical", "REQ-1", 3),  # the later import's copy
            ("survey", "canonicl", "REQ-2", 2),  # never re-imported: kept as it was
        ]


def test_an_answer_keeps_its_link_when_its_request_id_turns_ambiguous(con, tmp_path):
    import_checked(con, CANONICAL)
    import_checked(con, FIXTURES / "survey/nps_0_10.csv")
    other = write(tmp_path / "other.csv", "request_id,created_at\nREQ-2,2024-03-04T09:00:00Z\n")
    import_checked(con, other, source="other_desk")
    # REQ-2 is now in two sources: the re-read answer cannot tell which, so it keeps its link.
    report = import_checked(con, FIXTURES / "survey/nps_0_10.csv", force=True)
    assert (report.n_inserted, report.n_updated, report.n_unchanged) == (0, 0, 4)
    assert ("canonical", "REQ-2") in [(row[0], row[1]) for row in feedback_rows(con)]


def test_a_changed_answer_updates_and_a_repeated_one_is_superseded(con, tmp_path):
    first = write(tmp_path / "a.csv", "Ticket ID,Submitted at,Score,Comment\nA,2024-03-04 10:00,4,ok\n")
    second = write(tmp_path / "b.csv", (
        "Ticket ID,Submitted at,Score,Comment\n"
        "A,2024-03-04 10:00,2,changed my mind\n"
        "A,2024-03-04 10:00,3,changed it again\n"
    ))
    import_checked(con, first)
    report = import_checked(con, second)
    assert (report.n_updated, report.n_superseded) == (1, 1)
    assert [(row[3], row[6]) for row in feedback_rows(con)] == [("3", "changed it again")]


# --- command line -------------------------------------------------------------------------------

def test_cli_import_detect_and_status(tmp_path, capsys, binary):
    db = str(tmp_path / "cli.duckdb")
    assert main(["--db", db, "import", str(ZENDESK), str(FIXTURES / "jira/issues.csv")]) == 0
    out = capsys.readouterr().out
    # Numbered as the import history and `rejected IMPORT_ID` know it.
    assert "import #1: tickets.csv -> source 'zendesk' (preset zendesk, requests, utf-8, delimiter ',')" in out
    assert "read 6 = inserted 6 + updated 0 + unchanged 0 + superseded 0 + rejected 0" in out
    assert "read 5 = inserted 5 + updated 0 + unchanged 0 + superseded 0 + rejected 0" in out

    assert main(["--db", db, "import", "--preset", "zendesk", str(ZENDESK)]) == 0
    out = capsys.readouterr().out
    assert "identical to import #1" in out and "SLA states" not in out  # nothing to recompute
    assert main(["--db", db, "import", "--force", "--preset", "zendesk", str(ZENDESK)]) == 0
    assert "read 6 = inserted 0 + updated 0 + unchanged 6" in capsys.readouterr().out

    assert main(["detect", str(binary["portuguese"])]) == 0
    out = capsys.readouterr().out
    assert "15 columns, cp1252, delimiter ';'" in out
    assert "No preset fits these headers. Auto-detection proposes:" in out
    assert "created_at             <- 'Data de abertura' + 'Hora de abertura'" in out

    assert main(["detect", str(binary["freshservice"])]) == 0
    assert ", spreadsheet\n" in capsys.readouterr().out  # no delimiter to speak of

    assert main(["detect", str(ZENDESK)]) == 0
    # The zone import reads times in is the preset's, not the organisation's the proposal below gives.
    assert ("Preset 'zendesk' (Zendesk Support ticket export (CSV)) fits these headers, and import uses it: times "
            "without a UTC offset are read as UTC time (the preset's zone; a source imported before keeps its own, "
            "and --timezone sets another). For comparison, what auto-detection alone would propose (not used):"
            in capsys.readouterr().out)
    # A file a preset fits can be imported, even where auto-detection alone misses a required field.
    assert main(["detect", str(FIXTURES / "canonical_events" / "events.csv")]) == 0
    out = capsys.readouterr().out
    assert "Preset 'canonical_events'" in out and "what auto-detection alone would propose (not used)" in out
    assert "MISSING (required): created_at" in out

    assert main(["--db", db, "status"]) == 0
    out = capsys.readouterr().out
    # Days in Sao Paulo (UTC-3): Jira's first, 01/Mar/24 12:30 AM in UTC, is 29 February there.
    assert "jira: 5 requests, created 2024-02-29 .. 2024-03-05" in out
    assert "zendesk: 6 requests, created 2024-02-28 .. 2024-03-06" in out
    assert "imports: 3 ok, 1 skipped as identical to an earlier one, 0 failed, 0 of sources since removed" in out
    assert_every_import_balances(db)


def test_status_gives_days_in_the_organisations_zone(tmp_path, capsys):
    # 01:30 UTC on 3 March is 22:30 on 2 March in Sao Paulo (UTC-3), where the pages count days.
    export = write(tmp_path / "late.csv", "request_id,created_at\nL-1,2026-03-02T12:00:00Z\nL-2,2026-03-03T01:30:00Z\n")
    db = str(tmp_path / "late.duckdb")
    assert main(["--db", db, "import", str(export)]) == 0
    capsys.readouterr()
    assert main(["--db", db, "status"]) == 0
    out = capsys.readouterr().out
    assert "canonical: 2 requests, created 2026-03-02 .. 2026-03-02" in out
    assert "(days in America/Sao_Paulo, the organisation's time zone)" in out


def test_cli_fails_a_file_of_which_every_row_is_rejected(tmp_path, capsys):
    export = write(tmp_path / "all_bad.csv", "request_id,created_at\nB-1,yesterday\nB-2,tomorrow\n")
    assert main(["--db", str(tmp_path / "bad.duckdb"), "import", str(export)]) == 1
    captured = capsys.readouterr()
    assert "read 2 = inserted 0 + updated 0 + unchanged 0 + superseded 0 + rejected 2" in captured.out
    assert captured.err.splitlines() == ["error: every row of all_bad.csv was rejected; the reasons above say why"]


def test_cli_says_a_file_with_only_its_header_brought_nothing(tmp_path, capsys):
    export = write(tmp_path / "empty_view.csv", "request_id,created_at,status\n")
    assert main(["--db", str(tmp_path / "cli.duckdb"), "import", str(export)]) == 0
    out = capsys.readouterr().out
    assert "read 0 = inserted 0" in out and "the file holds no rows under its header line: nothing was imported" in out


def test_cli_reports_a_bad_file_in_one_line_and_keeps_the_good_ones(tmp_path, capsys):
    db = str(tmp_path / "cli.duckdb")
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    assert main(["--db", db, "import", str(empty), str(ZENDESK)]) == 1
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [
        "error: empty.csv: the file is empty",
        "1 of 2 file(s) failed; nothing from them was kept",
    ]
    assert "read 6 = inserted 6" in captured.out

    assert main(["--db", db, "import", "--preset", "jira", str(ZENDESK)]) == 1
    error = capsys.readouterr().err.splitlines()[0]
    assert error.startswith("error: tickets.csv: preset 'jira' needs request_id (column 'Issue key')")

    # A wrong option holds for every file: said once, and no file is tried (or logged as failed).
    logged = imports_logged(db)
    assert main(["--db", db, "import", "--preset", "no_such_preset", str(ZENDESK), str(CANONICAL)]) == 2
    shipped = ", ".join(sorted(p.stem for p in (PROJECT_ROOT / "data" / "presets").glob("*.toml")))
    assert shipped.startswith("canonical, canonical_events, freshdesk, freshservice, jira, nyc311")
    assert capsys.readouterr().err.splitlines() == [
        f"error: --preset: no preset named 'no_such_preset' (available: {shipped}); nothing was imported"
    ]
    assert main(["--db", db, "import", "--timezone", "Mars/Olympus", str(ZENDESK)]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "error: --timezone 'Mars/Olympus' is not an IANA time zone (such as Europe/Lisbon or America/Sao_Paulo); "
        "nothing was imported"
    ]
    assert imports_logged(db) == logged

    assert main(["detect", str(tmp_path / "missing.csv")]) == 1
    assert capsys.readouterr().err.strip().endswith("missing.csv: no such file")
    assert_every_import_balances(db)


def test_cli_says_how_to_import_a_file_whose_columns_nothing_names(tmp_path, capsys):
    db = str(tmp_path / "cli.duckdb")
    unknown = write(tmp_path / "weird.csv", "ref,when,who,what\n1,2024-01-01,a,b\n")
    assert main(["--db", db, "import", str(unknown)]) == 1
    assert capsys.readouterr().err.splitlines() == [
        "error: weird.csv: No preset fits, and auto-detection found no request_id and no created_at column. "
        "Columns: 'ref', 'when', 'who', 'what'",
        "  to import it: --preset NAME, a preset that reads it (`presets` lists them); or write one as "
        "data/presets/NAME.toml (README, Writing a preset); or add its headers' spellings to data/vocabulary.toml, "
        "for detection to find them",
        "1 of 1 file(s) failed; nothing from them was kept",
    ]
    # A header read as one column is no set of columns to name: the error's own advice stands alone.
    colon = write(tmp_path / "colon.csv", "ref:when\n1:2024\n")
    assert main(["--db", db, "import", str(colon)]) == 1
    assert len(capsys.readouterr().err.splitlines()) == 2


def test_cli_names_the_first_line_of_each_rejection_reason(tmp_path, capsys):
    export = write(tmp_path / "bad.csv", (
        "request_id,created_at,status\n"
        "A-1,2026-01-05T10:00:00Z,open\n"
        "A-2,yesterday,open\n"
        ",2026-01-05T11:00:00Z,open\n"
        "A-4,last week,open\n"
    ))
    assert main(["--db", str(tmp_path / "cli.duckdb"), "import", str(export)]) == 0
    out = capsys.readouterr().out
    assert "rejected, unparseable_created_at: 2 (e.g. line 3: unparseable date in column created_at: 'yesterday' (expected ISO 8601))" in out
    assert "rejected, missing_request_id: 1 (e.g. line 4: the request id is empty)" in out
    assert ("the rejected_rows table (Data & definitions page); the rows a rule rejected, as a file to correct and "
            "import again: python -m servicelevel rejected 1\n") in out
    assert "any time without a UTC offset is read as UTC time" in out  # the canonical preset's zone
    assert "no requester type: every new request counts as external, and stored ones keep theirs" in out
    assert "no provider type: every new request's provider counts as in-house" in out


def test_the_import_summary_judges_running_slas_as_of_the_exports_newest_instant(tmp_path, capsys):
    # Two requests still open at the export's newest instant, Tue 5 March 2024 11:00 UTC, an
    # hour or less after they came in: running then, though every target has long passed now.
    export = write(tmp_path / "open.csv", (
        "request_id,created_at,first_response_at,resolved_at,updated_at,status,priority\n"
        "N-1,2024-03-05T10:00:00Z,,,2024-03-05T10:00:00Z,open,normal\n"
        "N-2,2024-03-05T10:30:00Z,,,2024-03-05T11:00:00Z,open,normal\n"
    ))
    db = tmp_path / "cli.duckdb"
    assert main(["--db", str(db), "import", str(export)]) == 0
    summary = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("SLA states: "))
    assert "first response none decided, resolution none decided; 2 running (0 paused) as of 2024-03-05 11:00 UTC [" \
        in summary
    con = store.connect(db, read_only=True)
    try:  # the deadlines themselves lie after that instant
        assert con.execute("select count(*) from request_sla where res_deadline_at > '2024-03-05 11:00Z'"
                           ).fetchone()[0] == 2
    finally:
        con.close()


@pytest.mark.parametrize("start, what", [
    (b"%PDF-1.3\n%\xe2\xe3\n1 0 obj\n", "this is a PDF document"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(64), "this is an old Excel (.xls) workbook; save it as .xlsx or CSV"),
    (b"PK\x03\x04" + bytes(64), "this is a ZIP archive; if it is an Excel workbook, name it .xlsx"),
])
def test_a_file_that_is_not_a_text_export_is_named_for_what_it_is(tmp_path, capsys, start, what):
    wrong = tmp_path / "export.csv"
    wrong.write_bytes(start)
    assert main(["--db", str(tmp_path / "cli.duckdb"), "import", str(wrong)]) == 1
    assert capsys.readouterr().err.splitlines()[0].startswith(f"error: export.csv: {what}")


def imports_logged(db: str) -> int:
    with store.connect(db, read_only=True) as con:
        return con.execute("select count(*) from imports").fetchone()[0]


def assert_every_import_balances(db: str) -> None:
    """The accounting identity for imports made through the CLI, read back from `imports`."""
    con = store.connect(db, read_only=True)
    try:
        rows = con.execute(
            "select n_read, n_inserted + n_updated + n_unchanged + n_superseded + n_rejected "
            "from imports where status = 'ok'"
        ).fetchall()
    finally:
        con.close()
    assert rows and all(read == accounted for read, accounted in rows)


def test_cli_takes_the_database_before_or_after_the_command(tmp_path, capsys):
    db = str(tmp_path / "after.duckdb")
    assert main(["import", "--db", db, str(ZENDESK)]) == 0
    assert main(["status", "--db", db]) == 0
    assert "zendesk: 6 requests" in capsys.readouterr().out
    assert main(["--db", db, "status"]) == 0
    assert "zendesk: 6 requests" in capsys.readouterr().out


def test_cli_refuses_a_folder_and_a_preset_name_that_is_a_path_in_one_line(tmp_path, capsys):
    db = str(tmp_path / "cli.duckdb")
    assert main(["--db", db, "import", str(tmp_path), str(ZENDESK)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0] == f"error: {tmp_path}: a folder, not a file; name the export files in it (e.g. {tmp_path}/*.csv)"
    assert main(["detect", str(tmp_path)]) == 1
    assert "a folder, not a file" in capsys.readouterr().err
    assert main(["detect", str(ZENDESK), "--save", "../elsewhere/mine"]) == 2
    assert capsys.readouterr().err.startswith("error: --save '../elsewhere/mine': a preset name is letters, digits")
    assert not (tmp_path.parent / "elsewhere").exists()
    assert_every_import_balances(db)


def test_detect_save_names_the_required_field_it_could_not_find_and_saves_nothing(tmp_path, capsys):
    export = write(tmp_path / "desk.csv", "Ticket No,Logged\nT-1,01.02.2024 10:00\n")
    assert main(["detect", str(export), "--save", "no_created_column"]) == 1
    error = capsys.readouterr().err
    assert error.startswith("error: cannot save no_created_column: no column was recognised as created_at, "
                            "which every import needs. Add the file's header for it to [headers] in ")
    assert not (PROJECT_ROOT / "data" / "presets" / "no_created_column.toml").exists()


def test_detection_knows_on_dates_and_a_short_priority():
    assert match_headers(["Ticket No", "Opened On", "Closed On", "Resolved On", "Prio"], "requests") == {"request_id": "Ticket No", "created_at": "Opened On", "resolved_at": "Resolved On",
                                "closed_at": "Closed On", "priority": "Prio"}


def test_cli_import_keeps_the_file_and_says_so_when_the_policies_file_is_broken(tmp_path, capsys, monkeypatch):
    broken = tmp_path / "sla_policies.toml"
    broken.write_text('[[policies]]\nname = "all"\nfirst_response = { target = "4hh" }\n', encoding="utf-8")
    monkeypatch.setattr(policies, "POLICIES_PATH", broken)
    db = tmp_path / "cli.duckdb"
    assert main(["--db", str(db), "import", str(ZENDESK)]) == 1
    captured = capsys.readouterr()
    assert "read 6 = inserted 6" in captured.out
    err = captured.err.splitlines()
    assert err[0].startswith("error: a settings file is invalid, so the SLA states and derived tables were not "
                             "recomputed: ") and "bad duration '4hh'" in err[0]
    assert err[1].startswith("The imported files are kept; once the file is fixed")
    con = store.connect(db)
    try:
        assert con.execute("select count(*) from requests").fetchone()[0] == 6
    finally:
        con.close()


def test_a_file_that_nearly_fits_a_preset_is_imported_detected_and_named_for_it(tmp_path):
    with ZENDESK.open(encoding="utf-8", newline="") as handle:
        rows = [row[:17] + row[18:] for row in csv.reader(handle)]  # without 'Group stations'
    assert "Group stations" not in rows[0]
    export = tmp_path / "zendesk-trimmed.csv"
    with export.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    con = store.connect(tmp_path / "near.duckdb")
    try:
        report = import_checked(con, export)
    finally:
        con.close()
    assert report.detected_preset
    lines = report.lines()
    assert ("  note: It looks like Zendesk Support ticket export (CSV), preset zendesk, but lacks the column "
            "'Group stations'. It was imported with the detected mapping instead: check the fields above, or "
            "import it with preset zendesk (the Preset box on the import page, or --preset zendesk).") in lines
    assert any(line.startswith("  any time without a UTC offset is read as America/Sao_Paulo time (the organisation's "
                               "zone, a detected mapping's default;")
               for line in lines)


def test_the_report_says_where_the_time_zone_came_from(tmp_path):
    con = store.connect(tmp_path / "zone.duckdb")
    try:
        report = import_file(con, ZENDESK, timezone_name="America/Sao_Paulo")
    finally:
        con.close()
    assert ("  any time without a UTC offset is read as America/Sao_Paulo time (as given for this import; another: "
            "--timezone, or the time-zone box on the import page)") in report.lines()
    assert not any("looks like" in line for line in report.lines())


def test_the_import_forms_report_names_the_forms_tab_and_box_instead_of_the_commands_options(con):
    report = import_checked(con, BAD)
    browser, command = report.lines(in_browser=True), report.lines()
    assert "  rejected, missing_created_at: 1 (e.g. line 4: created_at is empty (column created_at))" in command
    assert "  rejected, missing created at: 1 (e.g. line 4: created_at is empty (column created_at))" in browser
    assert "  every rejected row, with its line, reason and raw fields: the Rejected rows tab" in browser
    assert ("  any time without a UTC offset is read as UTC time (the preset's zone; another: the time zone box "
            "above)") in browser
    assert not any("--" in line or "rejected_rows" in line for line in browser)
    # Everything else is said alike.
    assert len(browser) == len(command) and browser[:2] == command[:2]


def test_a_malformed_line_of_a_crlf_file_keeps_its_raw_text_as_written(con, tmp_path):
    export = write(tmp_path / "crlf.csv", (
        "request_id,created_at,status\r\n"
        "A,2024-01-01T00:00:00Z,open\r\n"
        "B,2024-01-02T00:00:00Z,open,extra\r\n"
        "C,2024-01-03T00:00:00Z,open\r\n"
    ))
    report = import_checked(con, export, preset="canonical")
    assert (report.n_inserted, report.rejected_by_reason) == (2, {"malformed_line": 1})
    assert con.execute("select line, raw from rejected_rows").fetchall() == [(3, "B,2024-01-02T00:00:00Z,open,extra")]


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_rows_after_empty_lines_are_rejected_at_the_line_a_spreadsheet_shows(con, tmp_path, newline):
    # The reader passes over empty lines but counts them; a quoted field's empty line is no line
    # of its own (a spreadsheet shows the record on one row). Lines counted by hand:
    lines = [
        "request_id,created_at,subject",                # 1
        "A,2024-01-01T00:00:00Z,first",                   # 2
        "",                                               # 3
        "B,not a date,second",                            # 4
        '"C",2024-01-02T00:00:00Z,"one{nl}{nl}two"',      # 5: holds an empty line of its own
        "",                                               # 6
        "",                                               # 7
        "D,2024-01-03T00:00:00Z,x,extra",                 # 8: too many columns (the reader's own)
        "E,,third",                                       # 9
        "",                                               # 10
    ]
    export = write(tmp_path / "gaps.csv", newline.join(lines).replace("{nl}", newline) + newline)
    report = import_checked(con, export, preset="canonical")
    assert (report.n_read, report.n_inserted) == (5, 2)
    assert con.execute("select line, reason from rejected_rows order by line").fetchall() == [
        (4, "unparseable_created_at"), (8, "malformed_line"), (9, "missing_created_at")]
    assert con.execute("select subject from requests where request_id = 'C'").fetchone()[0] == f"one{newline * 2}two"


def test_empty_lines_are_found_across_the_pieces_a_file_is_scanned_in(tmp_path, monkeypatch):
    # Scanned 4 bytes at a time, an empty line straddles two pieces however it falls.
    monkeypatch.setattr(exports, "CHUNK_BYTES", 4)
    for newline in ("\n", "\r\n", "\r"):
        for padding in range(4):
            text = newline.join(["a,b", "1,2" + "2" * padding, "", "3,4", ""])
            with open_export(write(tmp_path / f"pad{padding}.csv", text)) as export:
                assert exports.blank_lines(export) == [3], (newline, padding)
    with open_export(write(tmp_path / "none.csv", "a,b\n1,2\n3,4\n")) as export:
        assert exports.blank_lines(export) == []


def test_cli_status_lists_survey_sources_with_how_many_answers_found_their_request(tmp_path, capsys):
    db = str(tmp_path / "cli.duckdb")
    assert main(["--db", db, "import", str(CANONICAL)]) == 0
    assert main(["--db", db, "import", str(FIXTURES / "survey/nps_0_10.csv"), "--source", "nps"]) == 0
    capsys.readouterr()
    assert main(["--db", db, "status"]) == 0
    # The survey answers REQ-1 to REQ-4, all four in the canonical fixture.
    assert "  nps: 4 survey answers (4 linked to their request), submitted 2024-03-05 .. 2024-03-09" in \
        capsys.readouterr().out


def test_cli_says_when_another_process_holds_the_database(tmp_path, capsys):
    db = tmp_path / "held.duckdb"
    assert main(["--db", str(db), "import", str(ZENDESK)]) == 0
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('held', flush=True); "
         "time.sleep(60)", str(db)], stdout=subprocess.PIPE, text=True)
    held = f"error: {db} is in use by another process (is the dashboard running?): stop it first"
    try:
        assert holder.stdout.readline().strip() == "held"
        capsys.readouterr()
        # Each command names where the running dashboard does the same.
        for command, hint in (
            (["status"], " (the dashboard's Data & definitions page shows what the database holds)"),
            (["import", str(CANONICAL)], " (files can also be imported from the dashboard's Data & definitions page "
                                         "while it runs)"),
            (["report", "--out", str(tmp_path)], " (the Weekly overview page's PDF, HTML and Markdown buttons "
                                                 "download the same report)"),
            (["sample"], ""),
        ):
            assert main(["--db", str(db), *command]) == 1
            assert capsys.readouterr().err.strip() == held + hint
        assert not list(tmp_path.glob("weekly-report-*"))
    finally:
        holder.kill()
        holder.wait()


# --- files the CSV reader cannot take as they are ----------------------------------------------

GOOD_LINES = "".join(f"G-{i},2024-01-01T00:00:00Z,open\n" for i in range(30_000))  # past the reader's sniffing


@pytest.mark.parametrize("body, said", [
    ('Q-1,2024-01-01T00:00:00Z,"He said "hi" twice\nQ-2,2024-01-01T00:00:00Z,fine\n',
     'line 2: a quote inside a quoted field is not doubled'),
    ('Q-1,2024-01-01T00:00:00Z,fine\nQ-2,2024-01-01T00:00:00Z,"never closed\nQ-3,2024-01-01T00:00:00Z,fine\n',
     'line 3: a quoted field is never closed'),
    (bytes(range(256)) * 4, "line 2: binary content (NUL bytes)"),
])
def test_a_file_the_reader_cannot_take_fails_with_its_line_and_nothing_changes(con, tmp_path, body, said):
    import_checked(con, CANONICAL)
    before = table_contents(con)
    path = tmp_path / "broken.csv"
    path.write_bytes(b"request_id,created_at,status\n" + (body if isinstance(body, bytes) else body.encode()))
    with pytest.raises(ImportFailed, match=f"^broken.csv: {re.escape(said)}"):
        import_file(con, path)
    assert table_contents(con) == before
    assert con.execute("select status, file_name, file_path from imports order by import_id desc limit 1"
                       ).fetchone() == ("failed", "broken.csv", str(path.resolve()))


def test_mixed_line_endings_are_read(con, tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_bytes(b"request_id,created_at,status\r\nM-1,2024-01-01T00:00:00Z,open\n"
                     b"M-2,2024-01-02T00:00:00Z,open\r\nM-3,2024-01-03T00:00:00Z,open\n")
    report = import_checked(con, path)
    assert (report.n_read, report.n_inserted) == (3, 3)
    assert sorted(request_rows(con, "canonical")) == ["M-1", "M-2", "M-3"]


def test_an_unclosed_quote_late_in_a_file_says_how_many_lines_it_swallowed(con, tmp_path):
    path = write(tmp_path / "late.csv", "request_id,created_at,status\n" + GOOD_LINES
                 + 'Q-1,2024-01-01T00:00:00Z,"never closed\nQ-2,2024-01-01T00:00:00Z,fine\nQ-3,2024-01-01T00:00:00Z,fine\n')
    report = import_checked(con, path)
    assert (report.n_inserted, report.n_rejected) == (30_000, 1)
    line, detail = con.execute("select line, detail from rejected_rows").fetchone()
    assert line == 30_002
    assert detail.endswith("It runs over 3 lines of the file, which are not imported either: fix the quote and "
                           "import it again.")
    # The read count leaves those lines out (they are one record): the report names them.
    assert ("2 more lines of the file, from line 30,003 on, are inside an unclosed quote, so in no count above: "
            "fix the quote and import the file again") in report.warnings


def test_a_line_split_by_another_delimiter_says_so(con, tmp_path):
    path = write(tmp_path / "mixed.csv", (
        "request_id,created_at,status\n"
        "D-1,2024-03-04T09:00:00Z,open\n"
        "D-2;2024-03-04T09:00:00Z;open\n"  # pasted from a semicolon export
        "D-3,2024-03-04T09:00:00Z\n"  # a column short: no such hint
    ))
    import_checked(con, path)
    detail = dict(con.execute("select line, detail from rejected_rows").fetchall())
    assert detail[3] == ("malformed line (missing columns): Expected Number of Columns: 3 Found: 1. The line reads "
                         "as one value: are its values separated by another character than the header's?")
    assert detail[4] == "malformed line (missing columns): Expected Number of Columns: 3 Found: 2"


def test_a_line_over_the_size_limit_is_rejected_with_its_reason(con, tmp_path):
    path = write(tmp_path / "huge.csv", "request_id,created_at,status\n" + GOOD_LINES
                 + "H-1,2024-01-01T00:00:00Z," + "x" * 21_000_000 + "\n")
    report = import_checked(con, path)
    assert (report.n_inserted, report.rejected_by_reason) == (30_000, {"malformed_line": 1})
    assert con.execute("select line, detail from rejected_rows").fetchone() == (
        30_002, "malformed line (line size over maximum): Maximum line size of 20000000 bytes exceeded. "
        "Actual Size:21000025 bytes.")  # "H-1," + the date and comma (21) + the field


def test_a_broken_file_among_good_ones_leaves_the_others_imported_and_refreshed(tmp_path, capsys):
    broken = write(tmp_path / "broken.csv", 'request_id,created_at,status\nQ-1,2024-01-01T00:00:00Z,"a "b" c\n')
    db = str(tmp_path / "cli.duckdb")
    assert main(["--db", db, "import", str(ZENDESK), str(broken), str(FIXTURES / "jira/issues.csv")]) == 1
    captured = capsys.readouterr()
    assert "error: broken.csv: line 2: a quote inside a quoted field is not doubled" in captured.err
    assert "1 of 3 file(s) failed" in captured.err
    with store.connect(db) as con:
        assert con.execute("select count(*), count(distinct source) from request_sla").fetchone() == (11, 2)


def test_the_report_names_columns_not_read_repeated_and_looked_for_in_vain(con, tmp_path):
    path = write(tmp_path / "extra.csv", (
        "request_id,created_at,Foo,status,Bar Baz,subject,request_id,Foo\n"
        "E-1,2024-03-04T09:00:00Z,f,open,b,s,E-1x,g\n"
    ))
    lines = import_checked(con, path).lines()
    assert "  columns not read (2): 'Foo', 'Bar Baz'" in lines
    assert "  note: the header names 'request_id' more than once; the first such column is read, the others are not" \
        in lines
    assert list(request_rows(con, "canonical")) == ["E-1"]
    # A field the preset reads from a column of another name says which column it looked for.
    jira = import_checked(con, FIXTURES / "jira/issues.csv").lines()
    assert ("  this source has no: closed_at, requester_org (no column 'Custom field (Organizations)'), "
            "reopen_count (no column 'Custom field (Reopen count)'), reassignment_count") in jira
