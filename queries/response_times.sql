-- response_times
-- A reference query: no page runs it. It asks the SLA engine's request_sla directly, and the
-- tests check the pages' faster queries over request_facts (duration_histogram's median and p90)
-- against it.
-- Returns: one row per metric x group over the requests whose clock stopped in the period:
--   metric ('first_response' | 'resolution'), group_value ('all' without a dimension; '(none)'
--   for requests without a value), n_stopped, n_business (with a business time: a policy
--   applied), median_business_secs, p90_business_secs, median_calendar_secs, p90_calendar_secs.
--   First response stops at the first reply (or the resolution when there was none); resolution
--   at resolved_at, else closed_at. Business time excludes paused time for resolution. Medians
--   and p90 interpolate linearly (quantile_cont).
-- Params: $start_at TIMESTAMPTZ (inclusive), $end_at TIMESTAMPTZ (exclusive), $dimension VARCHAR
--   ('' | requester_type | requester_department | provider_department | provider_type |
--   priority | channel | category | agent), and the shared filters $requester_type, $requester_departments,
--   $provider_departments, $provider_types, $priorities, $channels.
with stopped as (
    select
        source, request_id, 'first_response' as metric,
        fr_elapsed_business_secs as business_secs, fr_elapsed_calendar_secs as calendar_secs
    from request_sla
    where fr_stopped_at >= $start_at and fr_stopped_at < $end_at
    union all
    select
        source, request_id, 'resolution',
        res_elapsed_business_secs, res_elapsed_calendar_secs
    from request_sla
    where res_stopped_at >= $start_at and res_stopped_at < $end_at
),
scoped as (
    select * from filtered_requests(
        $requester_type, $requester_departments, $provider_departments,
        $provider_types, $priorities, $channels
    )
),
grouped as (
    select
        s.*,
        case when $dimension = '' then 'all' else coalesce(dimension_value(
            $dimension, r.requester_type, r.requester_department, r.provider_department,
            r.provider_type, r.priority, r.channel, r.category, r.agent
        ), '(none)') end as group_value
    from stopped as s
    join scoped as r using (source, request_id)
),
final as (
    select
        metric,
        group_value,
        count(*) as n_stopped,
        count(business_secs) as n_business,
        quantile_cont(business_secs, 0.5) as median_business_secs,
        quantile_cont(business_secs, 0.9) as p90_business_secs,
        quantile_cont(calendar_secs, 0.5) as median_calendar_secs,
        quantile_cont(calendar_secs, 0.9) as p90_calendar_secs
    from grouped
    group by all
)
select * from final
order by metric, group_value
