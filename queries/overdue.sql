-- overdue
-- Returns: one row per request open at $end_at beyond its resolution deadline (the backlog's
--   n_past_deadline, listed), longest overdue first: request_id, days_overdue (calendar days from
--   the deadline to $end_at), provider_department, requester (requester department, else
--   organisation, else "requester <id>"), agent, category, priority, status_now (at the data's
--   newest instant, which looking back can be resolved), res_deadline_at, created_at, policy_name,
--   source; and n_overdue, the count of all such requests (the list stops at $max_rows).
--   Open at $end_at as in backlog.sql (the macro is_open_at, macros.sql).
-- Params: $end_at TIMESTAMPTZ, $max_rows INTEGER, and the shared filters $requester_type,
--   $requester_departments, $provider_departments, $provider_types, $priorities, $channels.
-- not materialized: the list and the count both read overdue, and a materialized copy would hold
-- every overdue row's columns.
with scoped as not materialized (
    select * from filtered_request_facts(
        $requester_type, $requester_departments, $provider_departments,
        $provider_types, $priorities, $channels
    )
),
overdue as not materialized (
    select *
    from scoped
    where is_open_at(created_at, resolved_at, status, $end_at)
      and res_deadline_at <= $end_at
),
listed as (
    select *
    from overdue
    order by res_deadline_at, request_id
    limit $max_rows
),
final as (
    select
        request_id,
        (epoch_us($end_at) - epoch_us(res_deadline_at)) / 86400e6 as days_overdue,  -- as backlog.sql
        provider_department,
        coalesce(requester_department, requester_org, 'requester ' || requester_id) as requester,
        agent,
        category,
        priority,
        status as status_now,
        res_deadline_at,
        created_at,
        policy_name,
        source,
        -- counted apart rather than over the rows: a window would carry every overdue row's
        -- columns to the sort, where the list needs only its first $max_rows
        (select count(*) from overdue) as n_overdue
    from listed
)
select * from final
order by res_deadline_at, request_id
