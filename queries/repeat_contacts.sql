-- repeat_contacts
-- Returns: one row per (dimension, value) for dimension 'all' (value 'all'),
--   'provider_department' and 'category', over the requests created in [$start_at, $end_at)
--   that name their requester and category: n_requests, n_repeats (requests whose requester had
--   another request in the same category and source created at most $within_secs seconds
--   before (30 days = 2,592,000), whatever that earlier request's channel, priority or
--   department), repeat_rate (0-1). Requests without a requester id or category cannot be
--   judged and are left out ('(no provider department)' stands for a missing one, as in the
--   other breakdowns).
-- Params: $start_at, $end_at TIMESTAMPTZ, $within_secs INTEGER, and the shared filters
--   ($requester_type, $requester_departments, $provider_departments, $provider_types,
--   $priorities, $channels).
with judged as (
    select
        category,
        provider_department,
        coalesce(secs_since_previous <= $within_secs, false) as is_repeat
    from filtered_request_facts(
        $requester_type, $requester_departments, $provider_departments,
        $provider_types, $priorities, $channels
    )
    where created_at >= $start_at and created_at < $end_at
      and requester_id is not null
      and category is not null
),
final as (
    select
        case
            when grouping(provider_department) = 0 then 'provider_department'
            when grouping(category) = 0 then 'category'
            else 'all'
        end as dimension,
        case
            when grouping(provider_department) = 0 then coalesce(provider_department, '(no provider department)')
            when grouping(category) = 0 then category
            else 'all'
        end as value,
        count(*) as n_requests,
        count(*) filter (where is_repeat) as n_repeats,
        count(*) filter (where is_repeat) / count(*) as repeat_rate
    from judged
    group by grouping sets ((), (provider_department), (category))
    having count(*) > 0
)
select * from final
order by dimension, n_requests desc, value
