-- apply_events
-- Loads an events export: rows already present (same request, instant, kind and status) are
-- unchanged; repeated rows within the file after the first are superseded. An event without a
-- kind is a status change; it gets that kind before the comparison, so a re-import finds it.
-- Params: $source, $import_id
create or replace temp table event_outcomes as
with with_kind as (
    select * replace (coalesce(kind, 'status_change') as kind)
    from staged
    where reason is null
),
valid as (
    select
        *,
        row_number() over (
            partition by request_id, event_at, kind, to_status order by record_no
        ) as copy_in_file
    from with_kind
)
select
    v.*,
    case
        when v.copy_in_file > 1 then 'superseded'
        when e.request_id is not null then 'unchanged'
        else 'inserted'
    end as outcome
from valid as v
left join events as e
    on e.source = $source
    and e.request_id = v.request_id
    and e.event_at = v.event_at
    and e.kind is not distinct from v.kind
    and e.to_status is not distinct from v.to_status;

insert into events (
    source, request_id, event_at, kind, from_status, to_status, provider_department, agent, import_id
)
select $source, request_id, event_at, kind, from_status, to_status,
       provider_department, agent, $import_id
from event_outcomes
where outcome = 'inserted'
