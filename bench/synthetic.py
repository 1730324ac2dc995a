"""A synthetic database of realistic-looking requests, generated set-based in DuckDB.

    python bench/synthetic.py /tmp/synthetic.duckdb 10000000 [seed]

Every value is a deterministic function of (row number, seed) through DuckDB's hash(), so the
same call builds the same data on any machine, whatever the thread count.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from servicelevel import store  # noqa: E402

# The last instant of the generated history; requests span the two years before it.
END_AT = "2026-11-02 03:00:00+00"
HISTORY_DAYS = 730

PROVIDERS = ["IT Service Desk", "Facilities", "People & HR", "Finance", "Legal", "Procurement",
             "Customer Support", "Billing", "Logistics", "Field Service"]
REQUESTER_DEPARTMENTS = ["Sales", "Marketing", "Operations", "Engineering", "Finance", "Legal",
                         "People & HR", "Procurement", "Logistics", "Customer Support",
                         "Executive Office", "Facilities"]
CATEGORIES = ["Access request", "Password reset", "Hardware", "Software install", "Network",
              "Invoice question", "Refund", "Delivery delay", "Damaged item", "Contract review",
              "Payroll", "Onboarding", "Offboarding", "Purchase order", "Office repair",
              "Cleaning", "Account change", "Complaint", "Information", "Other"]

REQUESTS_SQL = """
insert into requests by name
with seq as (
    select range as i from range($n)
),
draws as (
    -- Independent uniform draws in [0, 1) per row, from hash(row, seed, k).
    select
        i,
        (hash(i, $seed, 1) % 1000003) / 1000003.0 as u_day,
        (hash(i, $seed, 2) % 1000003) / 1000003.0 as u_hour,
        (hash(i, $seed, 3) % 1000003) / 1000003.0 as u_type,
        (hash(i, $seed, 4) % 1000003) / 1000003.0 as u_priority,
        (hash(i, $seed, 5) % 1000003) / 1000003.0 as u_frt,
        (hash(i, $seed, 6) % 1000003) / 1000003.0 as u_res,
        (hash(i, $seed, 7) % 1000003) / 1000003.0 as u_close,
        (hash(i, $seed, 8) % 1000003) / 1000003.0 as u_misc,
        cast(hash(i, $seed, 9) >> 1 as bigint) as h_pick
    from seq
),
shaped as (
    select
        i,
        u_type < 0.55 as is_internal,
        -- Most requests arrive in office hours of Sao Paulo (11:00-22:00 UTC), fewer at night.
        timestamptz '2026-11-02 03:00:00+00'
            - to_days(cast(floor(u_day * $days) as integer) + 1)
            + to_seconds(cast(
                case when u_hour < 0.85 then 11 * 3600 + (u_hour / 0.85) * 11 * 3600
                     else ((u_hour - 0.85) / 0.15) * 86400 end as bigint)) as created_at,
        case when u_priority < 0.05 then 'urgent' when u_priority < 0.25 then 'high'
             when u_priority < 0.80 then 'normal' else 'low' end as priority,
        -- Response and resolution times: long-tailed (exponential), in seconds.
        cast(-ln(1 - u_frt) * 4 * 3600 as bigint) + 60 as frt_secs,
        cast(-ln(1 - u_res) * 3 * 86400 as bigint) + 600 as res_secs,
        u_close, u_misc, h_pick
    from draws
),
timed as (
    select
        *,
        created_at + to_seconds(frt_secs) as response_at,
        created_at + to_seconds(greatest(res_secs, frt_secs + 60)) as resolution_at
    from shaped
)
select
    case when is_internal then 'jira' else 'zendesk' end as source,
    (case when is_internal then 'INT-' else 'EXT-' end) || i as request_id,
    created_at,
    case when response_at <= timestamptz '2026-11-02 03:00:00+00' and u_misc < 0.97
         then response_at end as first_response_at,
    case when resolution_at <= timestamptz '2026-11-02 03:00:00+00' and u_close < 0.93
         then resolution_at end as resolved_at,
    case when resolution_at + interval 2 day <= timestamptz '2026-11-02 03:00:00+00' and u_close < 0.55
         then resolution_at + interval 2 day end as closed_at,
    case when u_misc > 0.85 then created_at + interval 3 day end as due_at,
    greatest(created_at, least(resolution_at, timestamptz '2026-11-02 03:00:00+00')) as updated_at,
    case when resolution_at + interval 2 day <= timestamptz '2026-11-02 03:00:00+00' and u_close < 0.55 then 'closed'
         when resolution_at <= timestamptz '2026-11-02 03:00:00+00' and u_close < 0.93 then 'resolved'
         when u_close > 0.98 then 'on_hold'
         when u_close > 0.96 then 'pending'
         else 'open' end as status,
    null as status_raw,
    priority,
    null as priority_raw,
    case when is_internal then 'internal' else 'external' end as requester_type,
    'user-' || (h_pick % 20000) as requester_id,
    case when is_internal then $requester_departments[cast(1 + (h_pick >> 8) % len($requester_departments) as bigint)] end
        as requester_department,
    case when not is_internal then 'Customer ' || ((h_pick >> 16) % 500) end as requester_org,
    case when is_internal then $providers[cast(1 + (h_pick >> 24) % 6 as bigint)]
         else $providers[cast(7 + (h_pick >> 24) % 4 as bigint)] end as provider_department,
    case when (h_pick >> 32) % 20 < 14 then 'in_house'
         when (h_pick >> 32) % 20 < 19 then 'third_party' else 'independent' end as provider_type,
    'agent-' || ((h_pick >> 40) % 300) as agent,
    case when is_internal then ['portal', 'email', 'chat'][cast(1 + (h_pick >> 44) % 3 as bigint)]
         else ['email', 'phone', 'chat', 'portal', 'social'][cast(1 + (h_pick >> 44) % 5 as bigint)] end as channel,
    null as channel_raw,
    $categories[cast(1 + (h_pick >> 48) % len($categories) as bigint)] as category,
    null as subcategory,
    'Request ' || i as subject,
    case when u_misc < 0.04 then 1 else 0 end as reopen_count,
    cast((h_pick >> 52) % 3 as integer) as reassignment_count,
    case when is_internal then 1 else 2 end as import_id,
    hash(i, $seed) as row_hash
from timed
"""

# About one request in eight waits on its requester once (pending, then open again); requests
# whose current status is pending or on hold got there with one status change.
EVENTS_SQL = """
insert into events (
    source, request_id, event_at, kind, from_status, to_status, provider_department, agent, import_id
)
with waits as (
    select
        source, request_id, created_at, status,
        coalesce(resolved_at, closed_at) as stopped_at,
        (hash(request_id, $seed) % 1000003) / 1000003.0 as u
    from requests
),
chosen as (
    select *,
           created_at + to_seconds(cast(600 + u * 8 * 3600 as bigint)) as paused_at,
           created_at + to_seconds(cast(600 + u * 8 * 3600 + 3600 + u * 30 * 3600 as bigint)) as resumed_at
    from waits
    where u < 0.125 or status in ('pending', 'on_hold')
)
select source, request_id, paused_at, 'status_change', 'open',
       case when status = 'on_hold' then 'on_hold' else 'pending' end, null, null, 3
from chosen
where stopped_at is null or paused_at < stopped_at
union all
select source, request_id, resumed_at, 'status_change', 'pending', 'open', null, null, 3
from chosen
where status not in ('pending', 'on_hold')
  and (stopped_at is null or resumed_at < stopped_at)
"""

IMPORTS_SQL = """
insert into imports (import_id, source, kind, file_name, started_at, finished_at, status,
                     n_read, n_inserted, mapped_fields, missing_fields)
values
    (1, 'jira', 'requests', 'synthetic-jira.csv', now(), now(), 'ok', $n_internal, $n_internal,
     $all_fields, []),
    (2, 'zendesk', 'requests', 'synthetic-zendesk.csv', now(), now(), 'ok', $n_external, $n_external,
     $all_fields, []),
    (3, 'jira', 'events', 'synthetic-events.csv', now(), now(), 'ok', $n_events, $n_events,
     ['request_id', 'event_at', 'kind', 'from_status', 'to_status'], [])
"""


def make_synthetic_db(path: Path | str, n_requests: int, seed: int = 7) -> Path:
    """Create (replacing) a migrated DuckDB file with n_requests requests and their events."""
    from servicelevel.fields import REQUEST_FIELDS

    path = Path(path)
    for stale in (path, path.with_name(path.name + ".wal")):
        stale.unlink(missing_ok=True)
    con = store.connect(path)
    try:
        con.execute(REQUESTS_SQL, {
            "n": n_requests, "seed": seed, "days": HISTORY_DAYS, "providers": PROVIDERS,
            "requester_departments": REQUESTER_DEPARTMENTS, "categories": CATEGORIES,
        })
        con.execute(EVENTS_SQL, {"seed": seed})
        n_internal, n_external = con.execute(
            "select count(*) filter (where source = 'jira'), count(*) filter (where source = 'zendesk') "
            "from requests"
        ).fetchone()
        n_events = con.execute("select count(*) from events").fetchone()[0]
        con.execute(IMPORTS_SQL, {
            "n_internal": n_internal, "n_external": n_external, "n_events": n_events,
            "all_fields": list(REQUEST_FIELDS),
        })
        con.execute("checkpoint")
    finally:
        con.close()
    return path


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__)
        return 2
    n = int(argv[1].replace("_", ""))
    seed = int(argv[2]) if len(argv) > 2 else 7
    started = time.perf_counter()
    make_synthetic_db(argv[0], n, seed)
    print(f"{argv[0]}: {n:,} requests in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
