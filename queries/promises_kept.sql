-- promises_kept
-- Returns: one row per group for the requests whose promised date (due_at) falls in the period:
--   group_value ('all' without a dimension; '(none)' for requests without a value), n_promises,
--   n_kept (resolved, else closed, on or before due_at), n_broken (resolved late, or still open
--   past due_at as of $as_of), n_pending (open, due_at still ahead of $as_of),
--   kept_rate (0-1, kept / (kept + broken); NULL when nothing is decided).
-- Params: $start_at TIMESTAMPTZ (inclusive), $end_at TIMESTAMPTZ (exclusive) for due_at; $as_of
--   TIMESTAMPTZ (normally now); $dimension VARCHAR ('' | requester_type | requester_department |
--   provider_department | provider_type | priority | channel | category | agent); the shared filters
--   $requester_type, $requester_departments, $provider_departments, $provider_types,
--   $priorities, $channels.
-- request_facts, not requests: it is in creation order, which due dates follow, so the period's
-- due dates are read from a few row groups, not from all of them.
with promised as (
    select *  -- request_facts.resolved_at is the resolution, else the close
    from filtered_request_facts(
        $requester_type, $requester_departments, $provider_departments,
        $provider_types, $priorities, $channels
    )
    where due_at >= $start_at and due_at < $end_at
      and not stop_unknown(resolved_at, status)  -- neither kept nor broken: when it stopped is unknown
),
judged as (
    select
        case when $dimension = '' then 'all' else coalesce(dimension_value(
            $dimension, requester_type, requester_department, provider_department,
            provider_type, priority, channel, category, agent
        ), '(none)') end as group_value,
        promise_outcome(resolved_at, due_at, $as_of) as outcome
    from promised
),
final as (
    select
        group_value,
        count(*) as n_promises,
        count(*) filter (where outcome = 'kept') as n_kept,
        count(*) filter (where outcome = 'broken') as n_broken,
        count(*) filter (where outcome = 'pending') as n_pending,
        count(*) filter (where outcome = 'kept')
            / nullif(count(*) filter (where outcome in ('kept', 'broken')), 0) as kept_rate
    from judged
    group by group_value
)
select * from final
order by group_value
