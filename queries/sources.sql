-- sources
-- Returns: one row per source: source, n_requests, first_created_at, last_created_at,
--   newest_at (the newest instant any of its requests mentions: how fresh the data is),
--   n_open (neither resolved nor closed: the macro is_open_at, as the backlog counts them, at an
--   instant after every export), last_import_at, n_imports.
-- Params: none
with per_source as (
    select
        source,
        count(*) as n_requests,
        min(created_at) as first_created_at,
        max(created_at) as last_created_at,
        max(mentioned_at(created_at, updated_at, first_response_at, resolved_at, closed_at)) as newest_at,
        count(*) filter (
            where is_open_at(created_at, coalesce(resolved_at, closed_at), status, timestamptz 'infinity')
        ) as n_open
    from requests
    group by source
),
loads as (
    select source, max(finished_at) as last_import_at, count(*) as n_imports
    from imports
    where status = 'ok' and kind in ('requests', 'event_log')
    group by source
),
final as (
    select p.*, l.last_import_at, l.n_imports
    from per_source as p
    left join loads as l using (source)
)
select * from final
order by source
