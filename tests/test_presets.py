"""Import presets: every preset file is valid, recognises its own export and nothing else, and
turns its fixture (written in the tool's real header names and value spellings) into canonical
rows that were worked out by hand below."""

from __future__ import annotations

import csv
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from servicelevel.exports import open_export
from servicelevel.presets import (
    PRESETS_DIR,
    PresetError,
    available_presets,
    fingerprint,
    get_preset,
    load_preset_file,
    match_preset,
)
from tests.fixtures.importing import (
    event_rows,
    feedback_rows,
    import_checked,
    request,
    request_rows,
    utc,
)
from tests.fixtures.make_binary_fixtures import write_all

FIXTURES = Path(__file__).resolve().parent / "fixtures"

# Each preset's own fixture; "binary:<name>" files are written by make_binary_fixtures.py.
PRESET_FIXTURES = {
    "canonical": "canonical/requests.csv",
    "canonical_events": "canonical_events/events.csv",
    "jira": "jira/issues.csv",
    "zendesk": "zendesk/tickets.csv",
    "servicenow": "servicenow/incidents.csv",
    "servicenow_event_log": "servicenow_event_log/incident_event_log.csv",
    "freshdesk": "freshdesk/tickets.csv",
    "freshservice": "binary:freshservice",
    "nyc311": "nyc311/service_requests.csv",
    "nyc311_api": "nyc311_api/service_requests.csv",
    "survey": "survey/csat_1_5.csv",
}
# Every fixture and the preset that must recognise it (None: no preset may).
RECOGNISED_BY = [(fixture, name) for name, fixture in PRESET_FIXTURES.items()] + [
    ("binary:nyc311_tsv", "nyc311"),
    ("survey/nps_0_10.csv", "survey"),
    ("survey/rating_1_10.tsv", "survey"),
    ("survey/good_bad.csv", "survey"),
    ("bad/requests.csv", "canonical"),
    ("binary:portuguese", None),
]


@pytest.fixture(scope="module")
def binary(tmp_path_factory) -> dict[str, Path]:
    return write_all(tmp_path_factory.mktemp("binary-fixtures"))


def fixture_path(spec: str, binary: dict[str, Path]) -> Path:
    return binary[spec.split(":", 1)[1]] if spec.startswith("binary:") else FIXTURES / spec


# --- preset files -----------------------------------------------------------------------------

def test_every_preset_file_loads_with_a_header_source_and_signature():
    presets = available_presets()
    assert set(presets) == set(PRESET_FIXTURES), "each preset needs a fixture below"
    for name, preset in presets.items():
        assert preset.name == name
        assert preset.header_source, f"{name}: say where the header list comes from"
        assert preset.signature, f"{name}: a signature lets the importer recognise the export"


def test_kept_names_and_source_labels():
    presets = available_presets()
    sources = {name: preset.source for name, preset in presets.items()}
    assert sources == {
        "canonical": "canonical",
        "canonical_events": "canonical",
        "jira": "jira",
        "zendesk": "zendesk",
        "survey": "survey",
        # The incident list and its event log describe the same incidents.
        "servicenow": "servicenow",
        "servicenow_event_log": "servicenow",
        "freshdesk": "freshdesk",
        "freshservice": "freshservice",
        # Both header styles of the 311 portal update one source.
        "nyc311": "nyc311",
        "nyc311_api": "nyc311",
    }


@pytest.mark.parametrize(("fixture", "name"), RECOGNISED_BY, ids=[f for f, _ in RECOGNISED_BY])
def test_each_fixture_is_recognised_by_its_preset_only(fixture, name, binary):
    presets = available_presets()
    with open_export(fixture_path(fixture, binary)) as export:
        headers = set(export.headers)
    matched = match_preset(list(headers), presets)
    assert (matched.name if matched else None) == name
    fitting = [p for p in presets.values() if set(p.signature) <= headers]
    for other in fitting:  # another preset may fit only if the chosen one is strictly more specific
        if other is not matched:
            assert set(other.signature) < set(matched.signature), (other.name, name)


# --- validation errors name the file and the key ----------------------------------------------

TOP = 'title = "Test"\nkind = "requests"\nsource = "test"\n'
COLUMNS = '[columns]\nrequest_id = "Id"\ncreated_at = "Created"\n'


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (TOP + 'colour = "blue"\n' + COLUMNS, "unknown key(s) colour"),
        (TOP.replace("requests", "tickets") + COLUMNS, "kind must be one of"),
        (TOP + 'timezone = "Mars/Olympus"\n' + COLUMNS, "timezone 'Mars/Olympus' is not an IANA time zone"),
        (TOP + 'scale = "stars"\n' + COLUMNS, "scale must be auto, 1-5, 1-10, nps or good_bad"),
        (TOP + COLUMNS + 'colour = "Colour"\n', "[columns]: unknown field 'colour' for kind 'requests'"),
        (TOP + '[columns]\nrequest_id = "Id"\n', "no column for required field(s) created_at"),
        (TOP + COLUMNS + '[values.status]\n"done" = "finished"\n',
         "[values.status] 'done': 'finished' is not one of open, pending, on_hold, resolved, closed"),
        (TOP + COLUMNS + '[values.colour]\n"red" = "red"\n', "[values.colour]: value maps exist for"),
        (TOP + COLUMNS + '[constants]\npriority = "p1"\n', "[constants] priority: 'p1' is not one of"),
        (TOP + COLUMNS + '[durations]\nfirst_response_at = { column = "FRT", unit = "fortnights" }\n',
         "[durations] first_response_at: unit must be one of"),
        (TOP + COLUMNS + '[durations]\nsubject = { column = "S" }\n',
         "[durations] subject: only timestamps can come from durations"),
        (TOP + COLUMNS + '[combine]\ndue_at = ["Due"]\n', "[combine] due_at: give [date column, time column]"),
        (TOP + COLUMNS + '[provider_types]\n"IT" = "outsourced"\n',
         "[provider_types] 'IT': 'outsourced' is not one of"),
        (TOP + COLUMNS + '[requester]\ninternal_when = { field = "requester_department", is = "x" }\n',
         "[requester] internal_when: give field and exactly one of in, not_empty, ends_with"),
        (TOP + COLUMNS + '[offsets]\nsubject = 1\n',
         "[offsets] subject: offsets apply to reopen_count, reassignment_count"),
        (TOP + "[columns\n", "not valid TOML"),
        (TOP + 'timestamp_formats = ["dd.mm.yyyy HH:MM"]\n' + COLUMNS,
         "timestamp_formats 'dd.mm.yyyy HH:MM' holds no % code; write it as DuckDB's strptime reads it"),
        (TOP + 'timestamp_formats = ["%d/%m/%Y %k"]\n' + COLUMNS,
         "timestamp_formats '%d/%m/%Y %k' is not a strptime format DuckDB reads"),
        (TOP + "signature = 5\n" + COLUMNS, "signature must be a list of texts in quotes, got 5"),
        (TOP + 'due_dates_are_days = "false"\n' + COLUMNS,
         "due_dates_are_days must be true or false (no quotes), got 'false'"),
        (TOP + "delimiter = 59\n" + COLUMNS, "delimiter must be text in quotes, got 59"),
        (TOP + 'timestamp_format = ["%d.%m.%Y"]\n' + COLUMNS,
         "unknown key(s) timestamp_format (did you mean timestamp_formats?)"),
    ],
    ids=[
        "unknown-key", "bad-kind", "bad-timezone", "bad-scale", "unknown-field", "missing-required",
        "bad-status-code", "no-value-map", "bad-constant", "bad-duration-unit",
        "duration-not-timestamp", "combine-pair", "bad-provider-type", "bad-requester-rule",
        "bad-offset", "not-toml", "format-without-codes", "format-duckdb-refuses", "signature-not-a-list",
        "boolean-in-quotes", "delimiter-not-text", "misspelt-key",
    ],
)
def test_validation_errors_name_the_file_and_key(tmp_path, text, expected):
    path = tmp_path / "broken.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PresetError) as raised:
        load_preset_file(path)
    message = str(raised.value)
    assert str(path) in message
    assert expected in message


def test_one_text_where_a_list_is_expected_is_a_list_of_one(tmp_path):
    path = tmp_path / "single.toml"
    path.write_text(TOP + 'timestamp_formats = "%d.%m.%Y %H:%M"\nsignature = "Ticket No"\n' + COLUMNS, encoding="utf-8")
    preset = load_preset_file(path)
    assert (preset.timestamp_formats, preset.signature) == (("%d.%m.%Y %H:%M",), ("Ticket No",))


def test_a_preset_named_loads_even_when_another_file_in_the_folder_is_broken(tmp_path):
    (tmp_path / "good.toml").write_text(TOP + COLUMNS, encoding="utf-8")
    (tmp_path / "broken.toml").write_text(TOP + "[columns\n", encoding="utf-8")
    assert get_preset("good", tmp_path).name == "good"
    with pytest.raises(PresetError, match=r"no preset named 'gone' \(available: broken, good\)"):
        get_preset("gone", tmp_path)
    with pytest.raises(PresetError, match="no preset file"):
        get_preset(str(tmp_path / "gone.toml"), tmp_path)


def test_shipped_presets_load_from_their_own_folder():
    for path in sorted(PRESETS_DIR.glob("*.toml")):
        assert load_preset_file(path).path == path


# --- each preset's fixture, checked by hand -----------------------------------------------------

def test_canonical(con):
    report = import_checked(con, FIXTURES / "canonical/requests.csv")
    assert (report.preset, report.n_read, report.n_inserted, report.n_rejected) == ("canonical", 4, 4, 0)
    assert report.warnings == []  # canonical codes (walk_in, third_party) need no value map
    assert request_rows(con, "canonical") == {
        # +01:00 offset: 09:00 local is 08:00 UTC.
        "REQ-1": request(
            request_id="REQ-1", created_at=utc(2024, 3, 4, 8, 0), first_response_at=utc(2024, 3, 4, 8, 20),
            resolved_at=utc(2024, 3, 4, 14, 0), due_at=utc(2024, 3, 5, 16, 0), updated_at=utc(2024, 3, 4, 14, 0),
            status="resolved", status_raw="resolved", priority="high", priority_raw="high",
            requester_type="internal", requester_id="ann.example@example.org", requester_department="Finance",
            provider_department="IT Service Desk", provider_type="in_house", agent="Bob Example",
            channel="portal", channel_raw="portal", category="Access", subcategory="VPN",
            subject="Cannot connect to the VPN", reopen_count=0, reassignment_count=1,
        ),
        # "NA" is missing, like an empty field.
        "REQ-2": request(
            request_id="REQ-2", created_at=utc(2024, 3, 4, 10, 30), updated_at=utc(2024, 3, 4, 10, 30),
            status="open", status_raw="open", priority="normal", priority_raw="normal",
            requester_type="external", requester_id="cust-0077", requester_org="Globex Example Ltd",
            provider_department="Customer Care", provider_type="third_party", channel="email",
            channel_raw="email", category="Billing", subcategory="Invoice",
            subject="Invoice shows the wrong amount",
        ),
        # -05:00 offset; a date-only due_at is midnight in the preset's zone (UTC). An internal
        # requester keeps a department, not an organisation.
        "REQ-3": request(
            request_id="REQ-3", created_at=utc(2024, 3, 5, 13, 0), first_response_at=utc(2024, 3, 5, 13, 5),
            resolved_at=utc(2024, 3, 6, 17, 0), closed_at=utc(2024, 3, 8, 17, 0), due_at=utc(2024, 3, 8),
            updated_at=utc(2024, 3, 8, 17, 0), status="closed", status_raw="closed",
            priority="urgent", priority_raw="urgent", requester_type="internal",
            requester_id="carl.example@example.org", requester_department="Sales",
            provider_department="Facilities", provider_type="independent", agent="Dee Example",
            channel="walk_in", channel_raw="walk_in", category="Building", subcategory="Heating",
            subject='Office too cold, "again"', reopen_count=2, reassignment_count=0,
        ),
        # "+0000" offset without a colon; empty requester and provider types take the defaults.
        "REQ-4": request(
            request_id="REQ-4", created_at=utc(2024, 3, 6, 14, 45), status="pending", status_raw="pending",
            priority="low", priority_raw="low", requester_type="external",
            provider_department="IT Service Desk", provider_type="in_house", channel="phone",
            channel_raw="phone", category="Access", subject="Password reset",
        ),
    }


def test_canonical_events(con):
    report = import_checked(con, FIXTURES / "canonical_events/events.csv")
    assert (report.preset, report.n_read, report.n_inserted, report.n_events) == ("canonical_events", 5, 5, 5)
    assert event_rows(con, "canonical") == [
        ("REQ-1", utc(2024, 3, 4, 8, 0), "status_change", None, "open", "IT Service Desk", None),
        ("REQ-1", utc(2024, 3, 4, 8, 20), "reassign", "open", "open", "Network Team", "Bob Example"),
        ("REQ-1", utc(2024, 3, 4, 14, 0), "status_change", "open", "resolved", "Network Team", "Bob Example"),
        # "status change" and "Open" are spellings of the codes; an empty kind is a status change.
        ("REQ-2", utc(2024, 3, 4, 10, 30), "status_change", None, "open", "Customer Care", None),
        ("REQ-2", utc(2024, 3, 4, 11, 0), "status_change", "open", "pending", "Customer Care", "Eve Example"),
    ]


def end_of_day(year: int, month: int, day: int) -> datetime:
    """The last microsecond of a UTC day."""
    return utc(year, month, day, 23, 59, 59).replace(microsecond=999999)


def test_jira(con):
    report = import_checked(con, FIXTURES / "jira/issues.csv")
    assert (report.preset, report.n_read, report.n_inserted) == ("jira", 5, 5)
    assert report.missing_fields == ["closed_at", "requester_org", "reopen_count", "reassignment_count"]
    # Jira dates are dd/MMM/yy h:mm a in the preset's zone (UTC): 12:05 PM is noon, 12:30 AM is
    # half past midnight. Request Type wins over Issue Type for the category. The Due Date is a
    # day ("05/Mar/24 12:00 AM"): the promise runs to the last microsecond of 5 March.
    assert request_rows(con, "jira") == {
        "ITS-101": request(
            request_id="ITS-101", created_at=utc(2024, 3, 4, 9, 15), first_response_at=utc(2024, 3, 4, 9, 45),
            resolved_at=utc(2024, 3, 4, 15, 40), due_at=end_of_day(2024, 3, 5), updated_at=utc(2024, 3, 4, 15, 40),
            status="resolved", status_raw="Resolved", priority="high", priority_raw="High",
            requester_type="internal", requester_id="ann.example", requester_department="Finance",
            provider_department="IT Service Desk", provider_type="in_house", agent="Bob Example",
            channel="portal", channel_raw="Portal", category="Fix a problem", subcategory="Laptops",
            subject="Laptop does not start after update",
        ),
        # No department: a customer from outside.
        "ITS-102": request(
            request_id="ITS-102", created_at=utc(2024, 3, 4, 12, 5), updated_at=utc(2024, 3, 5, 10, 0),
            status="pending", status_raw="Waiting for customer", priority="normal", priority_raw="Medium",
            requester_type="external", requester_id="customer.example",
            provider_department="IT Service Desk", provider_type="in_house", agent="Bob Example",
            channel="email", channel_raw="Email", category="Get access", subcategory="File shares",
            subject="Access to shared drive",
        ),
        "ITS-103": request(
            request_id="ITS-103", created_at=utc(2024, 3, 1, 0, 30), first_response_at=utc(2024, 3, 1, 1, 0),
            resolved_at=utc(2024, 3, 2, 18, 10), updated_at=utc(2024, 3, 4, 8, 0),
            status="closed", status_raw="Closed", priority="urgent", priority_raw="Highest",
            requester_type="internal", requester_id="dee.example", requester_department="Human Resources",
            provider_department="HR Systems", provider_type="third_party", agent="Carl Vendor",
            channel="email", channel_raw="Email", category="Fix a problem", subject="Payroll export fails",
        ),
        "ITS-104": request(
            request_id="ITS-104", created_at=utc(2024, 3, 5, 16, 20), due_at=end_of_day(2024, 3, 8),
            updated_at=utc(2024, 3, 5, 16, 20), status="open", status_raw="In Progress",
            priority="low", priority_raw="Low", requester_type="internal", requester_id="fay.example",
            requester_department="Sales", provider_department="Facilities", provider_type="in_house",
            channel="phone", channel_raw="Phone", category="Request new hardware",
            subject="New starter needs a phone",
        ),
        "ITS-105": request(
            request_id="ITS-105", created_at=utc(2024, 3, 4, 9, 20), resolved_at=utc(2024, 3, 4, 9, 30),
            updated_at=utc(2024, 3, 4, 9, 30), status="closed", status_raw="Canceled",
            priority="low", priority_raw="Lowest", requester_type="internal", requester_id="ann.example",
            requester_department="Finance", provider_department="IT Service Desk",
            provider_type="in_house", agent="Bob Example", channel="chat", channel_raw="Chat",
            category="Fix a problem", subject="Duplicate of ITS-101",
        ),
    }


def test_zendesk(con):
    report = import_checked(con, FIXTURES / "zendesk/tickets.csv")
    assert (report.preset, report.n_read, report.n_inserted) == ("zendesk", 6, 6)
    # first_response_at = Created at + "First reply time in minutes"; reassignments = Group
    # stations - 1 (the first group is not a reassignment).
    assert request_rows(con, "zendesk") == {
        "4101": request(
            request_id="4101", created_at=utc(2024, 3, 4, 9, 15), first_response_at=utc(2024, 3, 4, 10, 0),
            resolved_at=utc(2024, 3, 4, 16, 30), updated_at=utc(2024, 3, 5, 11, 0),
            status="resolved", status_raw="Solved", priority="high", priority_raw="High",
            requester_type="external", requester_id="360001", requester_org="Globex Example Ltd",
            provider_department="Billing", provider_type="in_house", agent="Eve Agent",
            channel="portal", channel_raw="Web form", category="Payments",
            subject="Charged twice, please refund", reopen_count=0, reassignment_count=1,
        ),
        # The quoted subject keeps its line break; no priority, no category, no first reply yet.
        "4102": request(
            request_id="4102", created_at=utc(2024, 3, 4, 22, 50), updated_at=utc(2024, 3, 4, 22, 50),
            status="open", status_raw="New", requester_type="external", requester_id="360002",
            provider_department="Support", provider_type="in_house", channel="email",
            channel_raw="Mail", subject="Cannot log in\n(error 403)", reassignment_count=0,
        ),
        # The file has a "Category [list]" column, so an empty one is no category (not Ticket type).
        "4103": request(
            request_id="4103", created_at=utc(2024, 3, 5, 8, 0), first_response_at=utc(2024, 3, 5, 8, 12),
            due_at=utc(2024, 3, 7, 17, 0), updated_at=utc(2024, 3, 5, 8, 30), status="pending",
            status_raw="Pending", priority="normal", priority_raw="Normal", requester_type="external",
            requester_id="360003", requester_org="Initech Example Inc", provider_department="Support",
            provider_type="in_house", agent="Eve Agent", channel="chat", channel_raw="Chat",
            subject="Where is my order?", reopen_count=0, reassignment_count=0,
        ),
        "4104": request(
            request_id="4104", created_at=utc(2024, 3, 5, 10, 0), first_response_at=utc(2024, 3, 5, 10, 5),
            updated_at=utc(2024, 3, 6, 9, 0), status="on_hold", status_raw="Hold", priority="urgent",
            priority_raw="Urgent", requester_type="external", requester_id="360004",
            requester_org="Globex Example Ltd", provider_department="Logistics",
            provider_type="in_house", agent="Gil Agent", channel="phone",
            channel_raw="Phone call (incoming)", category="Shipping", subject="Parcel arrived damaged",
            reopen_count=1, reassignment_count=2,
        ),
        "4105": request(
            request_id="4105", created_at=utc(2024, 2, 28, 13, 0), first_response_at=utc(2024, 2, 28, 13, 20),
            resolved_at=utc(2024, 2, 28, 13, 20), updated_at=utc(2024, 3, 4, 9, 0), status="closed",
            status_raw="Closed", priority="low", priority_raw="Low", requester_type="external",
            requester_id="360001", requester_org="Globex Example Ltd", provider_department="Billing",
            provider_type="in_house", agent="Eve Agent", channel="other", channel_raw="Closed ticket",
            category="Payments", subject="Invoice copy", reopen_count=0, reassignment_count=0,
        ),
        "4106": request(
            request_id="4106", created_at=utc(2024, 3, 6, 7, 45), first_response_at=utc(2024, 3, 6, 8, 0),
            updated_at=utc(2024, 3, 6, 8, 0), status="open", status_raw="Open", priority="normal",
            priority_raw="Normal", requester_type="external", requester_id="360005",
            provider_department="Support", provider_type="in_house", agent="Gil Agent",
            channel="social", channel_raw="Twitter", category="App",
            subject="@globex_example your app crashes", reopen_count=0, reassignment_count=0,
        ),
    }


def test_servicenow_incident_list(con):
    report = import_checked(con, FIXTURES / "servicenow/incidents.csv")
    assert (report.preset, report.encoding, report.n_read, report.n_inserted) == (
        "servicenow", "utf-8-sig", 6, 6)
    # "3 - Moderate" is normal, "1 - Critical" urgent, "5 - Planning" low. A caller with a
    # department (caller_id.department) is internal; one with only a company is external.
    assert request_rows(con, "servicenow") == {
        "INC0010001": request(
            request_id="INC0010001", created_at=utc(2024, 3, 4, 8, 5, 11), resolved_at=utc(2024, 3, 4, 10, 35),
            updated_at=utc(2024, 3, 4, 10, 35), status="resolved", status_raw="Resolved",
            priority="normal", priority_raw="3 - Moderate", requester_type="internal",
            requester_id="Ann Example", requester_department="Finance", provider_department="Service Desk",
            provider_type="in_house", agent="Beth Example", channel="phone", channel_raw="Phone",
            category="Software", subcategory="Email", subject="Email not syncing on phone",
            reopen_count=0, reassignment_count=1,
        ),
        "INC0010002": request(
            request_id="INC0010002", created_at=utc(2024, 3, 4, 9, 12), due_at=utc(2024, 3, 4, 13, 12),
            updated_at=utc(2024, 3, 4, 9, 40), status="open", status_raw="In Progress",
            priority="urgent", priority_raw="1 - Critical", requester_type="external",
            requester_id="Warehouse Kiosk", requester_org="Globex Example Ltd",
            provider_department="Network Operations", provider_type="in_house", agent="Carl Example",
            channel="portal", channel_raw="Self-service", category="Network", subcategory="Wireless",
            subject="Network down in warehouse", reopen_count=0, reassignment_count=0,
        ),
        "INC0010003": request(
            request_id="INC0010003", created_at=utc(2024, 3, 4, 11, 0), updated_at=utc(2024, 3, 5, 9, 0),
            status="on_hold", status_raw="On Hold", priority="low", priority_raw="4 - Low",
            requester_type="internal", requester_id="Dee Example", requester_department="Sales",
            provider_department="Service Desk", provider_type="in_house", channel="walk_in",
            channel_raw="Walk-in", category="Hardware", subcategory="Telephony",
            subject="Desk phone crackles", reopen_count=0, reassignment_count=0,
        ),
        "INC0010004": request(
            request_id="INC0010004", created_at=utc(2024, 3, 1, 15, 30), resolved_at=utc(2024, 3, 1, 17, 0),
            closed_at=utc(2024, 3, 4, 17, 5), updated_at=utc(2024, 3, 4, 17, 5), status="closed",
            status_raw="Closed", priority="high", priority_raw="2 - High", requester_type="internal",
            requester_id="Fay Example", requester_department="Legal", provider_department="Field Services",
            provider_type="in_house", agent="Gil Example", channel="email", channel_raw="Email",
            category="Hardware", subcategory="Printer", subject="Cannot print to 3rd floor printer",
            reopen_count=1, reassignment_count=2,
        ),
        "INC0010005": request(
            request_id="INC0010005", created_at=utc(2024, 3, 5, 7, 55), closed_at=utc(2024, 3, 5, 8, 10),
            updated_at=utc(2024, 3, 5, 8, 10), status="closed", status_raw="Canceled", priority="low",
            priority_raw="5 - Planning", requester_type="internal", requester_id="Hal Example",
            requester_department="Finance", provider_department="Service Desk", provider_type="in_house",
            channel="chat", channel_raw="Virtual Agent", category="Hardware", subcategory="Monitor",
            subject="Request for new monitor", reopen_count=0, reassignment_count=0,
        ),
        "INC0010006": request(
            request_id="INC0010006", created_at=utc(2024, 3, 5, 12, 0), updated_at=utc(2024, 3, 5, 12, 0),
            status="open", status_raw="New", priority="normal", priority_raw="3 - Moderate",
            requester_type="internal", requester_id="Ann Example", requester_department="Finance",
            provider_department="Service Desk", provider_type="in_house", channel="chat",
            channel_raw="Chat", category="Network", subcategory="VPN",
            subject="VPN disconnects every hour", reopen_count=0, reassignment_count=0,
        ),
    }


def test_both_servicenow_presets_read_every_incident_state_the_same_way():
    # An event log's state no map knows is inferred from the timestamps: an "Awaiting Caller"
    # wait would silently count against the resolution clock.
    table = load_preset_file(PRESETS_DIR / "servicenow.toml").values["status"]
    log = load_preset_file(PRESETS_DIR / "servicenow_event_log.toml").values["status"]
    assert {state: log.get(state) for state in table} == table


def test_servicenow_event_log_folds_into_requests_and_events(con):
    report = import_checked(con, FIXTURES / "servicenow_event_log/incident_event_log.csv")
    # Nine update rows of three incidents: the latest row of each is the request, the six older
    # rows are superseded by design, and the changes between rows become events.
    assert (report.preset, report.kind, report.n_read, report.n_inserted, report.n_superseded,
            report.n_events) == ("servicenow_event_log", "event_log", 9, 3, 6, 7)
    assert report.warnings == ["unrecognised status values '-100' (1): inferred from the timestamps"]
    # Dates are d/m/yyyy HH:MM; "?" is missing; resolved_at and closed_at repeat on every row.
    assert request_rows(con, "servicenow") == {
        "INC0020001": request(
            request_id="INC0020001", created_at=utc(2024, 3, 1, 9, 14), resolved_at=utc(2024, 3, 1, 16, 2),
            closed_at=utc(2024, 3, 6, 16, 10), updated_at=utc(2024, 3, 6, 16, 10), status="closed",
            status_raw="Closed", priority="normal", priority_raw="3 - Moderate",
            requester_type="internal", requester_id="Caller 1001", provider_department="Group 30",
            provider_type="in_house", agent="Resolver 19", channel="phone", channel_raw="Phone",
            category="Category 26", subcategory="Subcategory 174", subject="Symptom 491",
            reopen_count=0, reassignment_count=1,
        ),
        "INC0020002": request(
            request_id="INC0020002", created_at=utc(2024, 3, 2, 14, 25), updated_at=utc(2024, 3, 2, 15, 0),
            status="pending", status_raw="Awaiting User Info", priority="low", priority_raw="4 - Low",
            requester_type="internal", requester_id="Caller 1002", provider_department="Group 24",
            provider_type="in_house", agent="Resolver 3", channel="portal", channel_raw="Self service",
            category="Category 53", subcategory="Subcategory 89", subject="Symptom 12",
            reopen_count=0, reassignment_count=0,
        ),
        # State -100 is unknown: the status follows the timestamps (none: open); the raw is kept.
        "INC0020003": request(
            request_id="INC0020003", created_at=utc(2024, 3, 4, 7, 58), updated_at=utc(2024, 3, 4, 9, 0),
            status="open", status_raw="-100", priority="high", priority_raw="2 - High",
            requester_type="internal", provider_department="Group 5", provider_type="in_house",
            agent="Resolver 2", channel="email", channel_raw="Email", category="Category 9",
            subcategory="Subcategory 61", subject="Symptom 7", reopen_count=0, reassignment_count=0,
        ),
    }
    assert event_rows(con, "servicenow") == [
        ("INC0020001", utc(2024, 3, 1, 9, 16), "status_change", None, "open", "Group 12", None),
        # 10:05 changed only the assignee: no event. 11:40 moved it to another group.
        ("INC0020001", utc(2024, 3, 1, 11, 40), "reassign", "open", "open", "Group 30", "Resolver 19"),
        ("INC0020001", utc(2024, 3, 1, 16, 2), "status_change", "open", "resolved", "Group 30", "Resolver 19"),
        ("INC0020001", utc(2024, 3, 6, 16, 10), "status_change", "resolved", "closed", "Group 30", "Resolver 19"),
        ("INC0020002", utc(2024, 3, 2, 14, 30), "status_change", None, "open", "Group 24", None),
        ("INC0020002", utc(2024, 3, 2, 15, 0), "status_change", "open", "pending", "Group 24", "Resolver 3"),
        ("INC0020003", utc(2024, 3, 4, 8, 0), "status_change", None, "open", "Group 5", None),
    ]


def test_freshdesk(con):
    report = import_checked(con, FIXTURES / "freshdesk/tickets.csv")
    assert (report.preset, report.n_read, report.n_inserted) == ("freshdesk", 5, 5)
    # "Initial response time" is the first reply's instant; the "(in hrs)" business-hour
    # durations are ignored. Requesters are contacts (Contact ID) of customer companies.
    assert request_rows(con, "freshdesk") == {
        "5001": request(
            request_id="5001", created_at=utc(2024, 3, 4, 9, 0), first_response_at=utc(2024, 3, 4, 9, 40),
            resolved_at=utc(2024, 3, 4, 13, 30), closed_at=utc(2024, 3, 6, 13, 30),
            due_at=utc(2024, 3, 5, 9, 0), updated_at=utc(2024, 3, 6, 13, 30), status="closed",
            status_raw="Closed", priority="high", priority_raw="High", requester_type="external",
            requester_id="80001", requester_org="Globex Example Ltd", provider_department="Billing",
            provider_type="in_house", agent="Ivy Agent", channel="email", channel_raw="Email",
            category="Refund", subject="Refund not received",
        ),
        "5002": request(
            request_id="5002", created_at=utc(2024, 3, 4, 10, 15), first_response_at=utc(2024, 3, 4, 10, 45),
            resolved_at=utc(2024, 3, 4, 10, 45), due_at=utc(2024, 3, 6, 10, 15),
            updated_at=utc(2024, 3, 4, 10, 45), status="resolved", status_raw="Resolved", priority="low",
            priority_raw="Low", requester_type="external", requester_id="80002",
            provider_department="Support", provider_type="in_house", agent="Jon Agent",
            channel="portal", channel_raw="Portal", category="Question",
            subject="How do I change my password?",
        ),
        "5003": request(
            request_id="5003", created_at=utc(2024, 3, 5, 11, 20), first_response_at=utc(2024, 3, 5, 11, 25),
            due_at=utc(2024, 3, 5, 15, 20), updated_at=utc(2024, 3, 5, 12, 0), status="on_hold",
            status_raw="Waiting on Third Party", priority="urgent", priority_raw="Urgent",
            requester_type="external", requester_id="80003", requester_org="Initech Example Inc",
            provider_department="Mobile Team", provider_type="in_house", agent="Ivy Agent",
            channel="chat", channel_raw="Chat", category="Problem", subject="App crashes on start",
        ),
        "5004": request(
            request_id="5004", created_at=utc(2024, 3, 5, 16, 0), first_response_at=utc(2024, 3, 6, 9, 10),
            due_at=utc(2024, 3, 7, 16, 0), updated_at=utc(2024, 3, 6, 9, 10), status="pending",
            status_raw="Waiting on Customer", priority="normal", priority_raw="Medium",
            requester_type="external", requester_id="80004", requester_org="Globex Example Ltd",
            provider_department="Support", provider_type="in_house", agent="Jon Agent",
            channel="phone", channel_raw="Phone", category="Question", subject="Where is my order?",
        ),
        "5005": request(
            request_id="5005", created_at=utc(2024, 3, 6, 8, 30), due_at=utc(2024, 3, 8, 8, 30),
            updated_at=utc(2024, 3, 6, 8, 30), status="open", status_raw="Open", priority="normal",
            priority_raw="Medium", requester_type="external", requester_id="80005",
            provider_department="Support", provider_type="in_house", channel="portal",
            channel_raw="Feedback Widget", category="Incident", subject="Cannot upload file",
        ),
    }


def test_freshservice_xlsx(con, binary):
    report = import_checked(con, binary["freshservice"])
    assert (report.preset, report.encoding, report.n_read, report.n_inserted) == (
        "freshservice", "spreadsheet", 5, 5)
    # Real date cells come out as timestamps; the requester's Department makes a request internal.
    assert request_rows(con, "freshservice") == {
        "INC-301": request(
            request_id="INC-301", created_at=utc(2024, 3, 4, 8, 30), first_response_at=utc(2024, 3, 4, 8, 50),
            resolved_at=utc(2024, 3, 4, 14, 0), due_at=utc(2024, 3, 5, 8, 30),
            updated_at=utc(2024, 3, 4, 14, 0), status="resolved", status_raw="Resolved", priority="high",
            priority_raw="High", requester_type="internal", requester_id="ann.example@example.org",
            requester_department="Finance", provider_department="Hardware Team", provider_type="in_house",
            agent="Kim Agent", channel="portal", channel_raw="Portal", category="Hardware",
            subcategory="Laptop", subject="Laptop battery swells",
        ),
        "INC-303": request(
            request_id="INC-303", created_at=utc(2024, 3, 5, 13, 15), due_at=utc(2024, 3, 5, 17, 15),
            updated_at=utc(2024, 3, 5, 13, 15), status="open", status_raw="Open", priority="urgent",
            priority_raw="Urgent", requester_type="internal", requester_id="carl.example@example.org",
            requester_department="Sales", provider_department="Network Team", provider_type="in_house",
            channel="walk_in", channel_raw="Walkup", category="Network", subcategory="Wireless",
            subject="Wi-Fi drops in meeting room",
        ),
        "INC-304": request(
            request_id="INC-304", created_at=utc(2024, 3, 5, 16, 45), first_response_at=utc(2024, 3, 6, 9, 0),
            due_at=utc(2024, 3, 8, 16, 45), updated_at=utc(2024, 3, 6, 9, 0), status="pending",
            status_raw="Pending", priority="low", priority_raw="Low", requester_type="internal",
            requester_id="dee.example@example.org", requester_department="Legal",
            provider_department="Hardware Team", provider_type="in_house", agent="Kim Agent",
            channel="phone", channel_raw="Phone", category="Hardware", subcategory="Printer",
            subject="Printer jams on every page",
        ),
        "SR-302": request(
            request_id="SR-302", created_at=utc(2024, 3, 4, 9, 0), first_response_at=utc(2024, 3, 4, 9, 45),
            resolved_at=utc(2024, 3, 5, 11, 0), closed_at=utc(2024, 3, 6, 9, 0), due_at=utc(2024, 3, 6, 9, 0),
            updated_at=utc(2024, 3, 6, 9, 0), status="closed", status_raw="Closed", priority="normal",
            priority_raw="Medium", requester_type="internal", requester_id="ida.example@example.org",
            requester_department="Human Resources", provider_department="Identity Team",
            provider_type="in_house", agent="Lee Agent", channel="email", channel_raw="Email",
            category="Access", subcategory="Accounts", subject="New starter account",
        ),
        # No department: an outside auditor, so external.
        "SR-305": request(
            request_id="SR-305", created_at=utc(2024, 3, 6, 10, 0), first_response_at=utc(2024, 3, 6, 10, 5),
            due_at=utc(2024, 3, 8, 10, 0), updated_at=utc(2024, 3, 6, 10, 5), status="open",
            status_raw="Open", priority="low", priority_raw="Low", requester_type="external",
            requester_id="auditor@example.net", provider_department="Identity Team",
            provider_type="in_house", agent="Lee Agent", channel="chat", channel_raw="MS Teams",
            category="Access", subcategory="Accounts", subject="Access for an external auditor",
        ),
    }


# The 311 requests of the Title Case fixture. New York is UTC-5 until the DST change at 02:00 on
# Sunday 10 March 2024, UTC-4 after it. Closed Date is both the resolution and the closing.
NYC311_TITLE_CASE = {
    "90000001": request(
        request_id="90000001", created_at=utc(2024, 3, 4, 13, 15, 30), resolved_at=utc(2024, 3, 4, 16, 2, 10),
        closed_at=utc(2024, 3, 4, 16, 2, 10), updated_at=utc(2024, 3, 4, 16, 2, 10), status="closed",
        status_raw="Closed", requester_type="external", provider_department="DSNY",
        provider_type="in_house", channel="phone", channel_raw="PHONE", category="Dirty Condition",
        subcategory="Trash",
    ),
    # 11:30 PM EST on the 9th is 04:30 UTC; 03:15 AM EDT on the 10th is 07:15 UTC: 2 h 45 min
    # elapsed, although the wall clock moved 3 h 45 min.
    "90000002": request(
        request_id="90000002", created_at=utc(2024, 3, 10, 4, 30), resolved_at=utc(2024, 3, 10, 7, 15),
        closed_at=utc(2024, 3, 10, 7, 15), updated_at=utc(2024, 3, 10, 7, 15), status="closed",
        status_raw="Closed", requester_type="external", provider_department="NYPD",
        provider_type="in_house", channel="portal", channel_raw="ONLINE", category="Noise - Residential",
        subcategory="Loud Music/Party",
    ),
    # 12:05 AM is five past midnight, EDT.
    "90000003": request(
        request_id="90000003", created_at=utc(2024, 3, 11, 4, 5), due_at=utc(2024, 3, 21, 4, 5),
        status="open", status_raw="In Progress", requester_type="external", provider_department="DOT",
        provider_type="in_house", channel="portal", channel_raw="MOBILE", category="Street Condition",
        subcategory="Pothole",
    ),
    "90000004": request(
        request_id="90000004", created_at=utc(2024, 3, 12, 16, 45, 10), status="open", status_raw="Open",
        requester_type="external", provider_department="HPD", provider_type="in_house",
        channel="other", channel_raw="UNKNOWN", category="HEAT/HOT WATER", subcategory="ENTIRE BUILDING",
    ),
    "90000005": request(
        request_id="90000005", created_at=utc(2024, 3, 12, 18, 0), resolved_at=utc(2024, 3, 13, 13, 30),
        closed_at=utc(2024, 3, 13, 13, 30), updated_at=utc(2024, 3, 13, 13, 30), status="closed",
        status_raw="Closed", requester_type="external", provider_department="DEP",
        provider_type="in_house", channel="phone", channel_raw="PHONE", category="Water System",
        subcategory="Hydrant Running (WC3)",
    ),
}


def test_nyc311_title_case(con):
    report = import_checked(con, FIXTURES / "nyc311/service_requests.csv")
    assert (report.preset, report.n_read, report.n_inserted, report.warnings) == ("nyc311", 5, 5, [])
    assert request_rows(con, "nyc311") == NYC311_TITLE_CASE


def test_nyc311_snake_case(con):
    report = import_checked(con, FIXTURES / "nyc311_api/service_requests.csv")
    assert (report.preset, report.n_read, report.n_inserted) == ("nyc311_api", 5, 5)
    # ISO 8601 floating timestamps, New York time.
    assert request_rows(con, "nyc311") == {
        "90000001": NYC311_TITLE_CASE["90000001"],
        "90000002": NYC311_TITLE_CASE["90000002"],
        "90000003": request(
            request_id="90000003", created_at=utc(2024, 3, 11, 4, 5), resolved_at=utc(2024, 3, 12, 14, 0),
            closed_at=utc(2024, 3, 12, 14, 0), due_at=utc(2024, 3, 21, 4, 5), updated_at=utc(2024, 3, 12, 14, 0),
            status="closed", status_raw="Closed", requester_type="external", provider_department="DOT",
            provider_type="in_house", channel="portal", channel_raw="MOBILE", category="Street Condition",
            subcategory="Pothole",
        ),
        "90000005": request(
            request_id="90000005", created_at=utc(2024, 3, 12, 18, 0), updated_at=utc(2024, 3, 12, 19, 0),
            status="open", status_raw="In Progress", requester_type="external", provider_department="DEP",
            provider_type="in_house", channel="phone", channel_raw="PHONE", category="Water System",
            subcategory="Hydrant Running (WC3)",
        ),
        "90000006": request(
            request_id="90000006", created_at=utc(2024, 3, 13, 11, 0), status="open", status_raw="Open",
            requester_type="external", provider_department="DSNY", provider_type="in_house",
            channel="portal", channel_raw="ONLINE", category="Missed Collection", subcategory="Trash",
        ),
    }


def test_survey_on_a_1_to_5_scale(con):
    import_checked(con, FIXTURES / "zendesk/tickets.csv")
    report = import_checked(con, FIXTURES / "survey/csat_1_5.csv")
    assert (report.preset, report.n_read, report.n_inserted) == ("survey", 4, 4)
    assert report.missing_fields == []  # scale and language are derived, not missing
    assert report.warnings == ["score scale: 1-5 (normalised to 1-5)"]
    # The ids are found among the Zendesk requests. "Resolved" is English; "Ainda ... muito" is
    # Portuguese.
    assert feedback_rows(con) == [
        ("zendesk", "4101", utc(2024, 3, 4, 17, 0), "5", "1-5", 5.0, "Resolved quickly. Thank you!", "en"),
        ("zendesk", "4103", utc(2024, 3, 5, 9, 0), "2", "1-5", 2.0, "Ainda estou esperando, muito demorado", "pt"),
        ("zendesk", "4104", utc(2024, 3, 6, 10, 0), "4", "1-5", 4.0, None, None),
        ("zendesk", "4105", utc(2024, 2, 28, 14, 0), "3", "1-5", 3.0, "Ok, but I had to ask twice", "en"),
    ]


def test_freshservice_csv_with_the_older_created_date_header(con, binary, tmp_path):
    import_checked(con, binary["freshservice"])
    sheet = load_workbook(binary["freshservice"]).active
    rows = [["" if cell is None else str(cell) for cell in row] for row in sheet.iter_rows(values_only=True)]
    rows[0] = ["Created Date" if h == "Created Time" else h for h in rows[0]]
    path = tmp_path / "tickets.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows(rows)
    report = import_checked(con, path)
    assert (report.preset, report.n_read, report.n_unchanged) == ("freshservice", 5, 5)


def test_nyc311_renamed_problem_columns(con, tmp_path):
    original = FIXTURES / "nyc311/service_requests.csv"
    import_checked(con, original)
    text = original.read_text(encoding="utf-8")
    renamed = text.replace("Complaint Type,Descriptor,", "Problem (formerly Complaint Type),"
                           "Problem Detail (formerly Descriptor),", 1)
    path = tmp_path / "service_requests.csv"
    path.write_text(renamed, encoding="utf-8")
    report = import_checked(con, path)
    assert (report.preset, report.n_read, report.n_unchanged) == ("nyc311", 5, 5)


def test_the_fingerprint_follows_the_mapping_not_the_description():
    zendesk = get_preset("zendesk")
    reworded = replace(zendesk, title="Tickets (reworded)", header_source="somewhere else")
    remapped = replace(zendesk, columns={**zendesk.columns, "subject": ("Description",)})
    assert fingerprint(reworded) == fingerprint(zendesk)
    assert fingerprint(remapped) != fingerprint(zendesk)
