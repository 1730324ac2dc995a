"""SLA states for every request, computed set-based in DuckDB.

refresh_sla() assigns each request its policy (the first whose criteria match), measures first
response and resolution in business time of the policy's calendar (resolution without the
time spent in paused statuses), and finds each deadline; the result is the table request_sla.
The macro sla_states(as_of) (servicelevel/sql/macros.sql) turns it into met / breached /
running / n/a as of any instant. request_sla is derived data: it is replaced, never migrated.
"""

from __future__ import annotations

import hashlib
import json
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import duckdb

from servicelevel import store
from servicelevel.calendars import build_clock_tables
from servicelevel.derived import facts_as_of
from servicelevel.policies import (
    CODED_CRITERIA, CRITERIA, POLICIES_PATH, PolicySet, calendars_fingerprint, load_policies,
)
from servicelevel.sqlfiles import pipeline_sql, run_statements
from servicelevel.vocabulary import close_spellings

META_DATA_VERSION = "sla_data_version"
META_POLICIES = "sla_policies_sha256"
META_REFRESHED_AT = "sla_refreshed_at"
META_CLOCK = "sla_clock"  # calendars fingerprint | first date | last date of the clock tables
META_PAUSES = "pause_counts_for"  # the paused statuses requests.pause_count was counted for

# The clock tables reach this far past the latest timestamp (or now), so that every deadline,
# however long the target or the pauses, falls inside them.
CLOCK_DAYS_AHEAD = 400
CLOCK_DAYS_BEHIND = 7
# ensure_fresh() rebuilds when the tables end less than this far after now.
CLOCK_MARGIN_DAYS = 30

POLICY_MARKER = "/*policy_no*/"
# Bumped whenever calendar_hours / calendar_inverse change shape, so existing files rebuild them.
CLOCK_LAYOUT = "dense-keys-5"
# Bumped whenever request_sla changes shape, so existing files recompute it.
SLA_LAYOUT = "row-no-1"
# The SQL request_sla is computed by (macros.sql holds hour_clock): editing it recomputes too.
SLA_SQL = ("sla_request_sla", "macros")


def _layout(constant: str, *sql_names: str) -> str:
    """A derived table's layout: its constant and the text of the SQL that builds it, so that
    an edited statement recomputes existing files too."""
    text = "\n".join(pipeline_sql(name) for name in sql_names)
    return f"{constant}-{hashlib.sha256(text.encode('utf-8')).hexdigest()[:12]}"


# The values the queries' $dimension accepts ('' = no grouping); pages offer exactly these.
DIMENSIONS = (
    "",
    "requester_type",
    "requester_department",
    "provider_department",
    "provider_type",
    "priority",
    "channel",
    "category",
    "agent",
)


def policy_case(policy_set: PolicySet) -> tuple[str, dict]:
    """The CASE expression giving each request its policy number (0-based) and its parameters.

    Column names come from the CRITERIA allow-list; every value is a bound parameter.
    """
    whens = []
    params: dict[str, str] = {}
    for i, policy in enumerate(policy_set.policies):
        conditions = []
        for j, (field_name, values) in enumerate(policy.criteria.items()):
            if field_name not in CRITERIA:
                raise ValueError(f"not a policy criterion: {field_name}")
            names = []
            for k, value in enumerate(values):
                key = f"policy_{i}_{j}_{k}"
                params[key] = value
                names.append(f"${key}")
            conditions.append(f"{field_name} in ({', '.join(names)})")
        whens.append(f"when {' and '.join(conditions) or 'true'} then {int(i)}")
    return "case " + " ".join(whens) + " end", params


@dataclass(frozen=True)
class AbsentValue:
    """A value a policy's criterion names that no stored request has."""

    policy: str
    field: str
    value: str
    known_values: tuple[str, ...]  # what the requests do have in that field

    @property
    def is_code(self) -> bool:
        """A coded field's value: validation already knows it is a real code (say channel
        'walk_in'), so it cannot be misspelt; no request simply has it yet."""
        return self.field in CODED_CRITERIA

    def describe(self) -> str:
        if self.is_code:
            return (f"Policy '{self.policy}': no stored request has {self.field} '{self.value}' yet, so that "
                    f"value matches nothing for now (a valid code: it applies once such requests arrive)")
        suggestions = close_spellings(self.value, self.known_values)
        if suggestions:
            hint = f"did you mean {' or '.join(repr(v) for v in suggestions)}?"
        elif self.known_values:
            more = ", ..." if len(self.known_values) > 12 else ""
            hint = f"the requests have {', '.join(self.known_values[:12])}{more}"
        else:
            hint = f"no request has a {self.field}"
        return (f"Policy '{self.policy}': {self.field} '{self.value}' is in no stored request, so it matches "
                f"nothing (values are compared exactly; {hint})")


@dataclass(frozen=True)
class PolicyReach:
    """What a policy file does to the stored requests."""

    n_requests: tuple[int, ...]  # per policy, in the file's order: the requests it applies to
    n_unmatched: int  # requests no policy applies to
    absent: tuple[AbsentValue, ...]


def policy_reach(con: duckdb.DuckDBPyConnection, policy_set: PolicySet) -> PolicyReach:
    """Requests per policy (the first that matches) and criteria values no request has."""
    case_sql, params = policy_case(policy_set)
    counts = dict(con.execute(pipeline_sql("policy_reach").replace(POLICY_MARKER, case_sql), params).fetchall())
    pairs = [(policy.name, field_name, value) for policy in policy_set.policies
             for field_name, values in policy.criteria.items() for value in values]
    absent = con.execute(pipeline_sql("criteria_values_absent"), {
        "fields": [field_name for _, field_name, _ in pairs], "values": [value for _, _, value in pairs],
    }).fetchall()
    known = {(field_name, value): tuple(values) for field_name, value, values in absent}
    return PolicyReach(
        n_requests=tuple(counts.get(position, 0) for position in range(1, len(policy_set.policies) + 1)),
        n_unmatched=counts.get(None, 0),
        absent=tuple(AbsentValue(name, field_name, value, known[field_name, value])
                     for name, field_name, value in pairs if (field_name, value) in known),
    )


def request_sla_sql(con: duckdb.DuckDBPyConnection, policy_set: PolicySet, now: datetime) -> tuple[str, dict]:
    """The statement that (re)creates request_sla, and its parameters (after key_requests with
    the same paused statuses)."""
    if store.get_meta(con, META_PAUSES) != _pauses_fingerprint(policy_set.paused_statuses):
        raise RuntimeError("the requests' pauses were counted for other paused statuses: run key_requests first")
    case_sql, params = policy_case(policy_set)
    sql = pipeline_sql("sla_request_sla").replace(POLICY_MARKER, case_sql)
    policies = policy_set.policies
    no_fr, no_res = _imports_lacking(con)
    params.update(
        policy_names=[p.name for p in policies],
        policy_calendar_names=[p.calendar for p in policies],
        policy_calendar_ids=[policy_set.calendar_id(p.calendar) for p in policies],
        fr_targets=[p.first_response.secs if p.first_response else None for p in policies],
        fr_goals=[p.first_response.goal if p.first_response else None for p in policies],
        res_targets=[p.resolution.secs if p.resolution else None for p in policies],
        res_goals=[p.resolution.goal if p.resolution else None for p in policies],
        paused_statuses=list(policy_set.paused_statuses),
        no_first_response_imports=no_fr,
        no_resolution_imports=no_res,
        now=now,
        **_clock_layout(con, len(policy_set.calendar_list())),
    )
    return sql, params


def key_requests(con: duckdb.DuckDBPyConnection, paused_statuses: tuple[str, ...] | list[str]) -> None:
    """Key the requests and status events that have no request_key yet (new imports, or rows
    written directly), keeping next_status_at right, and count those requests' pauses under
    `paused_statuses` (every request's, when the counts were made for other statuses); cheap
    when nothing is new."""
    run_statements(con, pipeline_sql("key_requests"))
    counted_for = _pauses_fingerprint(paused_statuses)
    run_statements(con, pipeline_sql("count_pauses"), {
        "paused_statuses": list(paused_statuses),
        "recount_all": store.get_meta(con, META_PAUSES) != counted_for,
    })
    store.set_meta(con, META_PAUSES, counted_for)


def _pauses_fingerprint(paused_statuses: tuple[str, ...] | list[str]) -> str:
    return json.dumps(sorted(set(paused_statuses)))


@contextmanager
def joins_as_written(con: duckdb.DuckDBPyConnection):
    """Keep DuckDB from reordering joins (see sla_request_sla.sql), for the statements inside."""
    con.execute("set disabled_optimizers = 'join_order,build_side_probe_side'")
    yield
    # Not in a `finally`: a failed statement aborts the transaction, which then takes no other
    # statement; the caller rolls back first, then calls reset_optimizers.
    reset_optimizers(con)


def reset_optimizers(con: duckdb.DuckDBPyConnection) -> None:
    """Undo joins_as_written (outside an aborted transaction)."""
    con.execute("reset disabled_optimizers")


def _clock_layout(con: duckdb.DuckDBPyConnection, n_calendars: int) -> dict:
    """How calendar_hours and calendar_inverse number their rows (see their SQL files)."""
    first_hour, end_hour = con.execute(
        "select min(hour_key), max(hour_key) + 1 from calendar_hours where hour_id >= 0"
    ).fetchall()[0]
    max_k = dict(con.execute(
        "select calendar_id, max(k) from calendar_inverse where k_id >= 0 group by calendar_id"
    ).fetchall())
    bucket_secs = con.execute("select bucket_secs from calendar_inverse where k_id = -1").fetchall()[0][0]
    return {
        "first_hour": first_hour,
        "hours_per_calendar": end_hour - first_hour,
        # No open time in any calendar: every deadline finds the row -1 whatever the bucket.
        "bucket_secs": bucket_secs or 3600,
        "ks_per_calendar": max(max_k.values(), default=-1) + 1,
        "max_k_by_calendar": [max_k.get(i, -1) for i in range(n_calendars)],
    }


def _imports_lacking(con: duckdb.DuckDBPyConnection) -> tuple[list[int], list[int]]:
    """Request imports whose export has no first-response column, and none for resolution."""
    rows = con.execute(
        """select import_id,
                  list_contains(missing_fields, 'first_response_at'),
                  list_contains(missing_fields, 'resolved_at') and list_contains(missing_fields, 'closed_at')
           from imports
           where status = 'ok' and kind in ('requests', 'event_log') and missing_fields is not null"""
    ).fetchall()
    return [r[0] for r in rows if r[1]], [r[0] for r in rows if r[2]]


def _utc(now: datetime | None) -> datetime:
    now = now or datetime.now(timezone.utc)
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(timezone.utc)


def _clock_span(con: duckdb.DuckDBPyConnection, now: datetime) -> tuple[date, date]:
    """The local dates the clock tables must cover for the data and `now` (due dates are
    compared as instants, never read on the clock)."""
    first, last = con.execute(
        """select min(created_at),
                  max(greatest(created_at, first_response_at, resolved_at, closed_at))
           from requests"""
    ).fetchall()[0]
    last_event = con.execute("select max(event_at) from events").fetchall()[0][0]
    first_day = (first or now).date() - timedelta(days=CLOCK_DAYS_BEHIND)
    latest = max(x for x in (last, last_event, now) if x is not None)
    return first_day, latest.date() + timedelta(days=CLOCK_DAYS_AHEAD)


def _ensure_clock(con: duckdb.DuckDBPyConnection, policy_set: PolicySet, now: datetime) -> None:
    """Rebuild the clock tables when the calendars changed or the data outgrew their range."""
    calendars = policy_set.calendar_list()
    fingerprint = f"{calendars_fingerprint(calendars)}:{_layout(CLOCK_LAYOUT, 'calendar_hours', 'calendar_inverse')}"
    first, last = _clock_span(con, now)
    recorded = (store.get_meta(con, META_CLOCK) or "||").split("|")
    if recorded[0] == fingerprint and _clock_tables_built(con):
        have_first, have_last = date.fromisoformat(recorded[1]), date.fromisoformat(recorded[2])
        if have_first <= first and last <= have_last:
            return
        first, last = min(first, have_first), max(last, have_last)
    build_clock_tables(con, calendars, first, last)
    store.set_meta(con, META_CLOCK, f"{fingerprint}|{first.isoformat()}|{last.isoformat()}")


def _clock_tables_built(con: duckdb.DuckDBPyConnection) -> bool:
    """True when the inverse clock table exists and holds rows (macros.sql creates it empty)."""
    exists = con.execute(
        "select count(*) from information_schema.tables where table_name = 'calendar_inverse'"
    ).fetchall()[0][0]
    return bool(exists) and con.execute("select count(*) > 0 from calendar_inverse").fetchall()[0][0]


def data_version(con: duckdb.DuckDBPyConnection) -> str:
    """Changes whenever requests or events change (imports, or rows written directly)."""
    import_id, n_requests = con.execute(
        "select (select coalesce(max(import_id), 0) from imports), (select count(*) from requests)"
    ).fetchall()[0]
    n_events = con.execute("select count(*) from events").fetchall()[0][0]
    return f"{import_id}:{n_requests}:{n_events}"


def policies_digest(path: Path | str | None = None) -> str:
    """SHA-256 of the policies file's text (as load_policies fingerprints it)."""
    text = Path(path or POLICIES_PATH).read_text(encoding="utf-8")
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def refresh_sla(
    con: duckdb.DuckDBPyConnection, policies: PolicySet | None = None, now: datetime | None = None
) -> dict:
    """Recompute request_sla for every request; returns counts and the time taken (seconds)."""
    started = time.perf_counter()
    policy_set = policies or load_policies()
    now = _utc(now)
    try:
        with store.transaction(con):
            key_requests(con, policy_set.paused_statuses)
            _ensure_clock(con, policy_set, now)
            # An ongoing pause ends where the pages judge running SLAs (now, or the data's newest
            # instant if earlier), not at the wall clock of this refresh: an export looked at days
            # later would otherwise count those days as paused.
            sql, params = request_sla_sql(con, policy_set, facts_as_of(con, now))
            with joins_as_written(con):
                con.execute(sql, params)
            n_sla, n_requests = con.execute(
                "select (select count(*) from request_sla), (select count(*) from requests)"
            ).fetchall()[0]
            if n_sla != n_requests:
                raise RuntimeError(f"request_sla has {n_sla} rows for {n_requests} requests")
            store.set_meta(con, META_DATA_VERSION, data_version(con))
            store.set_meta(con, META_POLICIES, f"{policy_set.fingerprint}:{_layout(SLA_LAYOUT, *SLA_SQL)}")
            store.set_meta(con, META_REFRESHED_AT, now.isoformat())
    except BaseException:
        reset_optimizers(con)  # a failed statement leaves joins_as_written's setting behind
        raise
    n_requests, n_matched, n_applied = con.execute(
        "select count(*), count(policy_name), count(distinct policy_name) from request_sla"
    ).fetchall()[0]
    return {
        "n_requests": n_requests,
        "n_with_policy": n_matched,
        "n_policies": len(policy_set.policies),
        "n_policies_applied": n_applied,
        "policies": policy_set.source,
        "refreshed_at": now,
        "seconds": time.perf_counter() - started,
    }


def is_fresh(con: duckdb.DuckDBPyConnection, now: datetime | None = None, path: Path | str | None = None) -> bool:
    """True when request_sla reflects the current data and policies file."""
    now = _utc(now)
    if store.get_meta(con, META_DATA_VERSION) != data_version(con):
        return False
    if store.get_meta(con, META_POLICIES) != f"{policies_digest(path)}:{_layout(SLA_LAYOUT, *SLA_SQL)}":
        return False
    recorded = (store.get_meta(con, META_CLOCK) or "||").split("|")
    if not recorded[2]:
        return False
    return date.fromisoformat(recorded[2]) >= now.date() + timedelta(days=CLOCK_MARGIN_DAYS)


def ensure_fresh(con: duckdb.DuckDBPyConnection, now: datetime | None = None) -> bool:
    """Refresh request_sla if the data or the policies file changed since the last refresh.

    Returns True when it refreshed.
    """
    if is_fresh(con, now):
        return False
    refresh_sla(con, now=now)
    return True


def refresh_after_import(con: duckdb.DuckDBPyConnection) -> str:
    """Refresh the SLA states and summarise them in one line, judged as the pages judge them:
    as of the data's newest instant (an export imported days later is not all breached)."""
    result = refresh_sla(con)
    as_of = facts_as_of(con, result["refreshed_at"])
    counts = con.execute(
        """select
               count(*) filter (where fr_state = 'met'),
               count(*) filter (where fr_state = 'breached'),
               count(*) filter (where res_state = 'met'),
               count(*) filter (where res_state = 'breached'),
               count(*) filter (where res_state = 'running'),
               count(*) filter (where res_state = 'running' and res_is_paused)
           from sla_states($now)""",
        {"now": as_of},
    ).fetchall()[0]
    fr_met, fr_breached, res_met, res_breached, running, paused = counts
    no_policy = result["n_requests"] - result["n_with_policy"]
    return (
        f"SLA states: {result['n_requests']:,} request{'' if result['n_requests'] == 1 else 's'} under "
        f"{result['n_policies_applied']} of the {result['n_policies']} policies"
        f"{f' ({no_policy:,} match none)' if no_policy else ''}; first response "
        f"{_rate(fr_met, fr_breached)}, resolution {_rate(res_met, res_breached)}; "
        f"{running:,} running ({paused:,} paused) as of {as_of:%Y-%m-%d %H:%M} UTC [{result['seconds']:.1f} s]"
    )


def _rate(met: int, breached: int) -> str:
    return f"{met / (met + breached):.1%} met" if met + breached else "none decided"
