-- adherence_by_week
-- A reference query: no page runs it. It asks the SLA engine's request_sla directly, and the
-- tests check the pages' faster queries over request_facts (adherence_matrix, weekly_kpis) against it.
-- Returns: one row per ISO week (Monday start, organisation time zone) x group x metric with at
--   least one target decided that week: week_start DATE, group_value VARCHAR ('all' without a
--   dimension; '(none)' for requests without a value), metric ('first_response' | 'resolution'),
--   n_met, n_breached, adherence (0-1, met / (met + breached)), goal (0-1).
--   A target is decided when met (at the stop) or breached (at the deadline); its week is the
--   week of that instant. goal is weighted: the average of the decided targets' own policy goals,
--   i.e. the adherence the group would have if every policy exactly met its goal.
-- Params: $start_at TIMESTAMPTZ (inclusive), $end_at TIMESTAMPTZ (exclusive): decisions in that
--   range; $as_of TIMESTAMPTZ: states as of this instant (normally now); $timezone VARCHAR (IANA);
--   $dimension VARCHAR: '' | requester_type | requester_department | provider_department |
--   provider_type | priority | channel | category | agent (from servicelevel.sla.DIMENSIONS);
--   shared filters $requester_type, $requester_departments, $provider_departments, $provider_types,
--   $priorities, $channels.
with decided as (
    select *
    from sla_states($as_of)
    where (fr_decided_at >= $start_at and fr_decided_at < $end_at)
       or (res_decided_at >= $start_at and res_decided_at < $end_at)
),
scoped as (
    select * from filtered_requests(
        $requester_type, $requester_departments, $provider_departments,
        $provider_types, $priorities, $channels
    )
),
grouped as (
    select
        d.*,
        case when $dimension = '' then 'all' else coalesce(dimension_value(
            $dimension, r.requester_type, r.requester_department, r.provider_department,
            r.provider_type, r.priority, r.channel, r.category, r.agent
        ), '(none)') end as group_value
    from decided as d
    join scoped as r using (source, request_id)
),
outcomes as (
    select group_value, 'first_response' as metric, fr_state as state, fr_decided_at as decided_at, fr_goal as goal
    from grouped
    where fr_state in ('met', 'breached')
    union all
    select group_value, 'resolution', res_state, res_decided_at, res_goal
    from grouped
    where res_state in ('met', 'breached')
),
final as (
    select
        cast(date_trunc('week', timezone($timezone, decided_at)) as date) as week_start,
        group_value,
        metric,
        count(*) filter (where state = 'met') as n_met,
        count(*) filter (where state = 'breached') as n_breached,
        count(*) filter (where state = 'met') / count(*) as adherence,
        avg(goal) as goal
    from outcomes
    where decided_at >= $start_at and decided_at < $end_at
    group by all
)
select * from final
order by week_start, group_value, metric
