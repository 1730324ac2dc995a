-- events_from_log
-- Turns an event-log export (one row per update of a request) into events: a status_change
-- whenever the status differs from the request's previous row, a reassign whenever the
-- provider department does. A request's first row in the file is compared with the latest
-- event already stored before it, so an export that overlaps an earlier one continues its
-- history instead of starting it again. Rows already in the events table are skipped, so
-- re-importing adds nothing.
-- Params: $source, $import_id
insert into events (
    source, request_id, event_at, kind, from_status, to_status, provider_department, agent, import_id
)
with in_file as (
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
stored_states as (
    -- every stored event that says what the status and the department were from then on
    select request_id, event_at, to_status, provider_department
    from events
    where source = $source and kind in ('status_change', 'reassign')
),
first_rows as (
    select f.request_id, f.n, s.to_status as stored_status, s.provider_department as stored_department
    from in_file as f
    asof left join stored_states as s
        on s.request_id = f.request_id and f.event_at > s.event_at
    where f.n = 1
),
ordered as (
    select
        -- a request's first row has no previous row in the file (lag gave null)
        f.* replace (
            coalesce(r.stored_status, f.previous_status) as previous_status,
            coalesce(r.stored_department, f.previous_department) as previous_department
        ),
        -- a first row is a reassign only against a stored department
        f.n > 1 or r.stored_department is not null as compare_department
    from in_file as f
    left join first_rows as r using (request_id, n)
),
changes as (
    select request_id, event_at, 'status_change' as kind, previous_status as from_status,
           status as to_status, provider_department, agent
    from ordered
    where previous_status is distinct from status
    union all
    select request_id, event_at, 'reassign', status, status, provider_department, agent
    from ordered
    where compare_department and previous_department is distinct from provider_department
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
