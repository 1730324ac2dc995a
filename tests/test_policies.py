"""SLA policies file: validation messages, first match wins, durations."""

from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import datetime, timezone

import pytest

from servicelevel.policies import (
    POLICIES_PATH,
    PolicyError,
    describe_calendars,
    describe_policies,
    load_policies,
    parse_duration,
    parse_policies,
)
from servicelevel import PROJECT_ROOT
from servicelevel.sla import policy_case, refresh_sla

OFFICE = """
[calendars.office]
timezone = "America/Sao_Paulo"
holidays = { country = "BR", subdivision = "SP" }
[calendars.office.hours]
mon = ["09:00-18:00"]
tue = ["09:00-18:00"]
wed = ["09:00-18:00"]
thu = ["09:00-18:00"]
fri = ["09:00-18:00"]

[calendars.shop]
timezone = "America/Sao_Paulo"
[calendars.shop.hours]
mon = ["09:00-12:00", "13:00-18:00"]
sat = ["09:00-13:00"]
"""


def policies(body: str, calendars: str = OFFICE):
    return parse_policies(calendars + body, "test.toml")


def error_of(body: str, calendars: str = OFFICE) -> str:
    with pytest.raises(PolicyError) as caught:
        policies(body, calendars)
    return str(caught.value)


POLICY = """
[[policies]]
name = "Standard"
calendar = "office"
first_response = { target = "4h", goal = 0.9 }
resolution = { target = "2d", goal = 0.85 }
"""


def test_the_default_file_is_valid_and_urgent_runs_around_the_clock():
    loaded = load_policies(POLICIES_PATH)
    first = loaded.policies[0]
    assert first.criteria == {"priority": ("urgent",)}
    assert first.calendar == "24x7"
    internal = [p for p in loaded.policies if p.criteria.get("requester_type") == ("internal",)]
    external = [p for p in loaded.policies if p.criteria.get("requester_type") == ("external",)]
    assert internal and external
    assert {p.first_response.secs for p in internal} != {p.first_response.secs for p in external}


def test_days_mean_working_days_of_the_calendar():
    loaded = policies(POLICY)
    assert loaded.policies[0].resolution.secs == 18 * 3600  # two 9-hour days
    calendar = loaded.calendars["office"]
    assert parse_duration("1h30m", calendar) == 5400
    assert parse_duration("2d", loaded.calendars["24x7"]) == 48 * 3600
    assert parse_duration("1d4h", calendar) == 13 * 3600


def test_days_are_refused_on_a_calendar_with_unequal_days():
    message = error_of(POLICY.replace('"office"', '"shop"'))
    assert "test.toml" in message and "policy 'Standard'" in message and "resolution" in message
    assert "calendar 'shop' has working days of different lengths" in message


@pytest.mark.parametrize("text", ["4hh", "4 hours", "h4", "", "0m", "30s"])
def test_bad_durations_are_named(text):
    message = error_of(POLICY.replace('"4h"', f'"{text}"'))
    assert "policy 'Standard', field 'first_response.target'" in message
    assert "duration" in message


def test_unknown_keys_are_named():
    assert "policy 'Standard': unknown key 'targets'" in error_of(POLICY + 'targets = "x"\n')
    assert "the top level: unknown key 'policy'" in error_of(POLICY, 'policy = "x"\n' + OFFICE)
    assert "field 'match': unknown key 'team'" in error_of(POLICY + 'match = { team = "IT" }\n')
    bad_calendar = OFFICE.replace('timezone = "America/Sao_Paulo"\nholidays', 'tz = "x"\ntimezone = "UTC"\nholidays', 1)
    assert "calendar 'office': unknown key 'tz'" in error_of(POLICY, bad_calendar)


def test_unknown_calendar_is_named():
    message = error_of(POLICY.replace('"office"', '"night"'))
    assert "policy 'Standard': field 'calendar': unknown calendar 'night'" in message
    assert "defined: 24x7, office, shop" in message


def test_empty_week_is_refused():
    empty = '[calendars.never]\ntimezone = "UTC"\n[calendars.never.hours]\n'
    message = error_of(POLICY, OFFICE + empty)
    assert "calendar 'never': field 'hours': the week has no opening hours" in message


def test_unknown_time_zone_and_holiday_country_are_named():
    assert "unknown time zone 'Mars/Olympus'" in error_of(
        POLICY, OFFICE.replace("America/Sao_Paulo", "Mars/Olympus", 1))
    assert "unknown holiday country 'XX'" in error_of(POLICY, OFFICE.replace('"BR"', '"XX"'))
    assert "'ZZ' is not a subdivision of BR" in error_of(POLICY, OFFICE.replace('"SP"', '"ZZ"'))


def test_bad_hours_are_named():
    overlapping = OFFICE.replace('mon = ["09:00-18:00"]', 'mon = ["09:00-13:00", "12:00-18:00"]')
    assert "field 'hours.mon': intervals '09:00-13:00' and '12:00-18:00' overlap" in error_of(POLICY, overlapping)
    backwards = OFFICE.replace('mon = ["09:00-18:00"]', 'mon = ["18:00-09:00"]')
    assert "'18:00-09:00' must start before it ends" in error_of(POLICY, backwards)


def test_a_policy_behind_a_broader_one_can_never_match():
    body = """
[[policies]]
name = "Internal"
calendar = "office"
match = { requester_type = "internal" }
first_response = { target = "4h" }

[[policies]]
name = "Internal high"
calendar = "office"
match = { requester_type = "internal", priority = ["high", "urgent"] }
first_response = { target = "1h" }
"""
    message = error_of(body)
    assert "policy 'Internal high' can never match" in message
    assert "earlier policy 'Internal'" in message


def test_a_policy_covered_by_several_earlier_ones_can_never_match():
    body = """
[[policies]]
name = "Internal"
match = { requester_type = "internal" }
first_response = { target = "4h" }

[[policies]]
name = "External"
match = { requester_type = "external" }
first_response = { target = "4h" }

[[policies]]
name = "Urgent"
match = { priority = "urgent", requester_type = ["internal", "external"] }
first_response = { target = "1h" }
"""
    message = error_of(body)
    assert "policy 'Urgent' can never match" in message
    assert "earlier policies 'Internal', 'External'" in message


def test_a_catch_all_after_specific_policies_is_fine():
    body = """
[[policies]]
name = "Internal"
match = { requester_type = "internal" }
first_response = { target = "4h" }

[[policies]]
name = "External"
match = { requester_type = "external" }
first_response = { target = "4h" }

[[policies]]
name = "Unknown requester"
first_response = { target = "8h" }
"""
    assert [p.name for p in policies(body).policies] == ["Internal", "External", "Unknown requester"]


def test_a_criterion_value_that_is_not_a_code_can_never_match():
    message = error_of(POLICY + 'match = { priority = "p1" }\n')
    assert "field 'match.priority': 'p1' is not a valid code" in message


def test_a_policy_needs_a_target_and_a_sane_goal():
    no_target = '\n[[policies]]\nname = "Empty"\n'
    assert "give a 'first_response' or a 'resolution' target" in error_of(no_target)
    assert "field 'first_response.goal': 95 must be a share between 0 and 1" in error_of(POLICY.replace("0.9", "95"))


def test_paused_statuses_are_checked():
    assert "'paused_statuses': 'waiting' is not a status" in error_of(POLICY, 'paused_statuses = ["waiting"]\n' + OFFICE)
    assert policies(POLICY, 'paused_statuses = ["on_hold"]\n' + OFFICE).paused_statuses == ("on_hold",)


def test_policy_values_are_bound_parameters_not_sql_text():
    loaded = policies("""
[[policies]]
name = "Tricky"
match = { provider_department = "O'Brien; drop table requests" }
first_response = { target = "1h" }
""")
    sql, params = policy_case(loaded)
    assert "O'Brien" not in sql
    assert params == {"policy_0_0_0": "O'Brien; drop table requests"}


def test_first_matching_policy_wins(con):
    loaded = policies("""
[[policies]]
name = "Urgent"
match = { priority = "urgent" }
first_response = { target = "1h" }

[[policies]]
name = "Internal"
calendar = "office"
match = { requester_type = "internal", channel = ["email", "portal"] }
first_response = { target = "4h" }

[[policies]]
name = "Rest"
first_response = { target = "8h" }
""")
    created = datetime(2026, 3, 9, 12, tzinfo=timezone.utc)
    for request_id, priority, requester_type, channel in (
        ("a", "urgent", "internal", "email"),
        ("b", "normal", "internal", "email"),
        ("c", "normal", "internal", "phone"),
        ("d", None, None, None),
    ):
        con.execute(
            """insert into requests (source, request_id, created_at, priority, requester_type, channel,
                                     import_id, row_hash)
               values ('t', $id, $created, $priority, $rtype, $channel, 0, 0)""",
            {"id": request_id, "created": created, "priority": priority, "rtype": requester_type,
             "channel": channel},
        )
    refresh_sla(con, loaded, now=created)
    assigned = dict(con.execute("select request_id, policy_name from request_sla").fetchall())
    assert assigned == {"a": "Urgent", "b": "Internal", "c": "Rest", "d": "Rest"}


def test_a_policy_can_hold_for_one_source_only(con):
    loaded = policies("""
[[policies]]
name = "Payroll vendor desk"
match = { provider_department = "Payroll", source = "vendor_desk" }
first_response = { target = "2h" }

[[policies]]
name = "Payroll"
match = { provider_department = "Payroll" }
first_response = { target = "8h" }
""")
    created = datetime(2026, 3, 9, 12, tzinfo=timezone.utc)
    for source in ("vendor_desk", "jira"):
        con.execute(
            """insert into requests (source, request_id, created_at, provider_department, import_id, row_hash)
               values ($source, 'P-1', $created, 'Payroll', 0, 0)""",
            {"source": source, "created": created},
        )
    refresh_sla(con, loaded, now=created)
    assigned = dict(con.execute("select source, policy_name from request_sla").fetchall())
    assert assigned == {"vendor_desk": "Payroll vendor desk", "jira": "Payroll"}


def test_described_policies_and_calendars_read_as_tables():
    loaded = policies(POLICY)
    (row,) = describe_policies(loaded)
    assert row["policy"] == "Standard"
    assert row["applies to"] == "every request not matched above"
    assert row["resolution target"] == "2d (18h business time)"
    rows = {r["calendar"]: r for r in describe_calendars(loaded)}
    assert rows["24x7"]["hours per week"] == 168
    assert rows["office"]["public holidays"] == "BR/SP"
    assert rows["office"]["1d means"] == "9h"
    assert rows["shop"]["hours"] == "mon 09:00-12:00, 13:00-18:00; sat 09:00-13:00"
    assert rows["shop"]["used by"] == "no policy"


def test_the_readme_example_policy_file_loads():
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index('    paused_statuses = ["pending", "on_hold"]')
    end = readme.index("`python -m servicelevel policies` checks the file", start)
    example = "\n".join(line[4:] for line in readme[start:end].splitlines())
    policy_set = parse_policies(example, "README.md")
    assert [p.name for p in policy_set.policies] == ["Urgent, around the clock", "Internal, standard"]
    assert policy_set.policies[1].resolution.secs == 40 * 3600


def test_the_policies_command_checks_a_file_and_lists_it_in_matching_order(tmp_path, capsys):
    from servicelevel.cli import main

    path = tmp_path / "draft.toml"
    standard = POLICY.replace('"2d"', '"3d"') + 'match = { requester_type = "internal", channel = ["email", "chat"] }\n'
    path.write_text(OFFICE + standard + '\n[[policies]]\nname = "Rest"\n'
                    'first_response = { target = "30m", goal = 0.8 }\n', encoding="utf-8")
    no_database = tmp_path / "none.duckdb"
    assert main(["--db", str(no_database), "policies", "--file", str(path)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(f"{path}: valid; 2 policies")
    assert f"Not counted on the data: no database at {no_database}." in out
    assert not no_database.exists()  # checking a file creates no database
    # 3 days of the 9-hour office calendar; the second policy has no calendar, so 24x7.
    assert out[1:6] == [
        "  1. Standard [office]: requester type = internal; channel = email or chat",
        "       first response: 4h business time, goal 90%",
        "       resolution: 3d (27h business time), goal 85%",
        "  2. Rest [24x7]: every request not matched above",
        "       first response: 30m round the clock, goal 80%",
    ]

    path.write_text(OFFICE + POLICY.replace('"4h"', '"4hh"'), encoding="utf-8")
    assert main(["--db", str(no_database), "policies", "--file", str(path)]) == 1
    error = capsys.readouterr().err
    assert error.startswith(f"error: {path}") and "policy 'Standard', field 'first_response.target'" in error


def test_a_reader_that_stops_early_gets_no_traceback():
    # `python -m servicelevel policies | head -1`: the pipe is closed before the command writes.
    command = subprocess.Popen([sys.executable, "-m", "servicelevel", "policies"], cwd=PROJECT_ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    command.stdout.close()
    error = command.stderr.read().decode()
    assert command.wait(timeout=60) == 0
    assert error == ""


# --------------------------------------------------------------------------------------
# A policy file on the stored requests


DRAFT = """
[[policies]]
name = "Finance, for others"
calendar = "office"
match = { provider_department = ["finance", "Information Tech"], requester_type = "internal" }
first_response = { target = "2h", goal = 0.9 }

[[policies]]
name = "Urgent"
match = { priority = "urgent", channel = ["phone", "chat", "walk_in"] }
first_response = { target = "1h", goal = 0.9 }

[[policies]]
name = "Internal"
calendar = "office"
match = { requester_type = "internal" }
first_response = { target = "4h", goal = 0.9 }
"""


def test_each_policy_counts_the_stored_requests_it_applies_to(sample_db_path):
    from servicelevel import store
    from servicelevel.sla import policy_reach

    def count(con, where: str) -> int:
        return con.execute(f"select count(*) from requests where {where}").fetchone()[0]

    con = store.connect(sample_db_path)  # as the session's other connections to it are opened
    try:
        reach = policy_reach(con, load_policies())
        # The SLA engine's own assignment (request_sla), counted independently.
        assigned = dict(con.execute("select policy_name, count(*) from request_sla group by all").fetchall())
        draft = policy_reach(con, policies(DRAFT))
        total = count(con, "true")
        urgent_live = count(con, "priority = 'urgent' and channel in ('phone', 'chat')")
        internal_rest = count(con, "requester_type = 'internal' and not "
                                   "coalesce(priority = 'urgent' and channel in ('phone', 'chat'), false)")
    finally:
        con.close()
    names = [p.name for p in load_policies().policies]
    assert dict(zip(names, reach.n_requests)) == {name: assigned.get(name, 0) for name in names}
    assert sum(reach.n_requests) == total and reach.n_unmatched == 0

    # 'finance' and 'Information Tech' are in no request: the first policy matches nothing.
    assert draft.n_requests == (0, urgent_live, internal_rest)
    assert draft.n_unmatched == total - urgent_live - internal_rest > 0
    assert [(a.policy, a.field, a.value) for a in draft.absent] == [
        ("Finance, for others", "provider_department", "finance"),
        ("Finance, for others", "provider_department", "Information Tech"),
        ("Urgent", "channel", "walk_in"),
    ]  # priority 'urgent', channels 'phone' and 'chat' and requester type 'internal' all occur
    finance, unknown, walk_in = draft.absent
    assert finance.describe().endswith("(values are compared exactly; did you mean 'Finance'?)")
    assert "the requests have Customer Support, Facilities, Finance, Human Resources, IT," in unknown.describe()
    # A valid channel code no request has yet is not a misspelling: no spelling is suggested.
    assert [a.is_code for a in draft.absent] == [False, False, True]
    assert walk_in.describe() == ("Policy 'Urgent': no stored request has channel 'walk_in' yet, so that value "
                                  "matches nothing for now (a valid code: it applies once such requests arrive)")


def test_the_policies_command_counts_and_warns_on_the_database(sample_db_path, tmp_path, capsys):
    from servicelevel.cli import main

    path = tmp_path / "draft.toml"
    path.write_text(OFFICE + DRAFT, encoding="utf-8")
    # A copy: the command opens the file read-only, which DuckDB refuses next to this test
    # session's read-write connections to the shared sample.
    database = shutil.copy(sample_db_path, tmp_path / "sample.duckdb")
    assert main(["--db", str(database), "policies", "--file", str(path)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[1] == ("  1. Finance, for others [office]: requester type = internal; "
                      "provider department = finance or Information Tech (0 stored requests)")
    assert sum(line.startswith("warning: Policy 'Finance, for others': provider_department ") for line in out) == 2
    assert "note: Policy 'Urgent': no stored request has channel 'walk_in' yet, so that value matches nothing " \
           "for now (a valid code: it applies once such requests arrive)" in out
    assert any(line.startswith("Stored requests no policy applies to: ") for line in out)
