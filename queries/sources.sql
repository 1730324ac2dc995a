-- sources
-- Returns: one row per source: source, n_requests, first_created_at, last_created_at,
--   newest_at (the newest instant any of its requests mentions: how fresh the data is),
--   n_open (neither a resolution or closing time nor a resolved or closed status: as the backlog
--   counts them), last_import_at, n_imports.
-- Params: none
with per_source as (
    select
        source,
        count(*) as n_requests,
        min(created_at) as first_created_at,
        max(created_at) as last_created_at,
        max(greatest(created_at, coalesce(updated_at, created_at), coalesce(resolved_at, created_at),
                     coalesce(closed_at, created_at), coalesce(first_response_at, created_at))) as newest_at,
        count(*) filter (
            where resolved_at is null and closed_at is null and status not in ('resolved', 'closed')
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
