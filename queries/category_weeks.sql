-- category_weeks
-- Returns: one row per ISO week (Monday start, organisation time zone) and category with
--   requests created in [$start_at, $end_at): week_start DATE, category ('(no category)' when
--   the request has none), n_requests. Weeks without requests in a category have no row.
--   The week is request_facts.created_week, computed in the organisation's time zone when the
--   table was refreshed ($start_at and $end_at are local midnights, so they cut whole weeks).
-- Params: $start_at, $end_at TIMESTAMPTZ, and the shared filters ($requester_type,
--   $requester_departments, $provider_departments, $provider_types, $priorities, $channels).
with scoped as (
    select created_week, category
    from filtered_request_facts(
        $requester_type, $requester_departments, $provider_departments,
        $provider_types, $priorities, $channels
    )
    where created_at >= $start_at and created_at < $end_at
),
final as (
    select
        created_week as week_start,
        coalesce(category, '(no category)') as category,
        count(*) as n_requests
    from scoped
    group by all
)
select * from final
order by week_start, category
