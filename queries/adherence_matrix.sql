-- adherence_matrix
-- Returns: one row per (row_value, column_value) of two chosen dimensions, over the SLA targets
--   decided in [$start_at, $end_at) (as of the data's newest instant, request_facts):
--   row_value, column_value, n_requests (requests created in the period), n_met, n_breached,
--   adherence (met / decided), goal (the decided targets' policy goals averaged).
--   $metric: 'first_response', 'resolution' or 'both'. A dimension of '' groups nothing
--   (its value is NULL).
-- Params: $row_dimension, $column_dimension ('' or one of requester_type, requester_department,
--   provider_department, provider_type, priority, channel, category, agent — checked against an
--   allowlist by the caller, and only compared here, never spliced in), $metric, $start_at,
--   $end_at, and the shared filters.
-- not materialized: each use below reads only the columns it needs, instead of one copy of all.
with scoped as not materialized (
    select
        *,
        dimension_value(
            $row_dimension, requester_type, requester_department, provider_department,
            provider_type, priority, channel, category, agent
        ) as row_value,
        dimension_value(
            $column_dimension, requester_type, requester_department, provider_department,
            provider_type, priority, channel, category, agent
        ) as column_value
    from filtered_request_facts(
        $requester_type, $requester_departments, $provider_departments,
        $provider_types, $priorities, $channels
    )
),
targets as (
    select row_value, column_value, fr_state as state, fr_decided_at as decided_at, fr_goal as goal
    from scoped
    where $metric in ('first_response', 'both')
      and fr_decided_at >= $start_at and fr_decided_at < $end_at
    union all
    select row_value, column_value, res_state, res_decided_at, res_goal
    from scoped
    where $metric in ('resolution', 'both')
      and res_decided_at >= $start_at and res_decided_at < $end_at
),
decided as (
    select
        row_value,
        column_value,
        count(*) filter (where state = 'met') as n_met,
        count(*) filter (where state = 'breached') as n_breached,
        avg(goal) as goal
    from targets
    where state in ('met', 'breached')
    group by all
),
volume as (
    select row_value, column_value, count(*) as n_requests
    from scoped
    where created_at >= $start_at and created_at < $end_at
    group by all
),
final as (
    select
        coalesce(d.row_value, v.row_value) as row_value,
        coalesce(d.column_value, v.column_value) as column_value,
        coalesce(v.n_requests, 0) as n_requests,
        coalesce(d.n_met, 0) as n_met,
        coalesce(d.n_breached, 0) as n_breached,
        d.n_met / nullif(d.n_met + d.n_breached, 0) as adherence,
        d.goal
    from decided as d
    full outer join volume as v
        on d.row_value is not distinct from v.row_value
        and d.column_value is not distinct from v.column_value
)
select * from final
order by row_value, column_value
