-- broken_promises
-- Returns: one row per broken promise: a request whose due date (due_at, the export's promised
--   date) falls in [$start_at, $end_at) and that was resolved after it, or is still open past it
--   as of $as_of; the n_broken of promises_kept.sql, listed. Still open first (they can still be
--   chased), then most hours late: request_id, hours_late (calendar hours from due_at to the resolution,
--   or to $as_of while open: a promise missed by minutes is not "0.0 days" late),
--   provider_department, requester (requester department, else organisation, else "requester
--   <id>"), agent, category, priority, is_open, due_at, resolved_at (resolved, else closed; NULL
--   while open), status, source; and n_broken, the count of all of them (the list stops at
--   $max_rows).
-- Params: $start_at TIMESTAMPTZ (inclusive), $end_at TIMESTAMPTZ (exclusive) for due_at; $as_of
--   TIMESTAMPTZ (the data's newest instant); $max_rows INTEGER; and the shared filters.
with scoped as (
    select * from filtered_request_facts(
        $requester_type, $requester_departments, $provider_departments,
        $provider_types, $priorities, $channels
    )
),
promised as (
    select
        *,
        -- as promises_kept.sql: a resolution after $as_of is not known yet
        case when resolved_at <= $as_of then resolved_at end as stopped_at
    from scoped
    where due_at >= $start_at and due_at < $end_at
      and not stop_unknown(resolved_at, status)  -- neither kept nor broken: when it stopped is unknown
),
broken as (
    select *
    from promised
    where promise_outcome(resolved_at, due_at, $as_of) = 'broken'
),
final as (
    select
        request_id,
        (epoch_us(coalesce(stopped_at, $as_of)) - epoch_us(due_at)) / 3600e6 as hours_late,
        provider_department,
        coalesce(requester_department, requester_org, 'requester ' || requester_id) as requester,
        agent,
        category,
        priority,
        stopped_at is null as is_open,
        due_at,
        stopped_at as resolved_at,
        status,
        source,
        count(*) over () as n_broken
    from broken
)
select * from final
order by is_open desc, hours_late desc, request_id
limit $max_rows
