-- events_from_log
-- Turns an event-log export (one row per update of a request) into events: a status_change
-- whenever the status differs from the request's previous row, a reassign whenever the
-- provider department does. Rows already in the events table are skipped, so re-importing
-- adds nothing.
-- Params: $source, $import_id
insert into events (
    source, request_id, event_at, kind, from_status, to_status, provider_department, agent, import_id
)
with ordered as (
    select
        request_id,
        coalesce(updated_at, created_at) as event_at,
        status,
        provider_department,
        agent,
        lag(status) over oldest_first as previous_status,
        lag(provider_department) over oldest_first as previous_department,
        row_number() over oldest_first as n
    from staged
    where reason is null
    window oldest_first as (partition by request_id order by updated_at nulls first, record_no)
),
changes as (
    select request_id, event_at, 'status_change' as kind, previous_status as from_status,
           status as to_status, provider_department, agent
    from ordered
    where previous_status is distinct from status
    union all
    select request_id, event_at, 'reassign', status, status, provider_department, agent
    from ordered
    where n > 1 and previous_department is distinct from provider_department
),
fresh as (
    select c.*
    from changes as c
    anti join events as e
        on e.source = $source
        and e.request_id = c.request_id
        and e.event_at = c.event_at
        and e.kind = c.kind
)
select $source, request_id, event_at, kind, from_status, to_status, provider_department, agent, $import_id
from fresh
