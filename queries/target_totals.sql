-- target_totals
-- Returns: one row per SLA target (metric: 'first_response', 'resolution') with any decided in
--   [$start_at, $end_at) (as of the data's newest instant, request_facts): metric, n_met,
--   n_breached, goal (the decided targets' policy goals averaged, as the overview's tiles average
--   them). The SLA adherence page's headlines, for the period and the period before: the
--   adherence_matrix cells of each target added up, in one scan for both targets.
-- Params: $start_at, $end_at, and the shared filters.
with scoped as not materialized (
    select *
    from filtered_request_facts(
        $requester_type, $requester_departments, $provider_departments,
        $provider_types, $priorities, $channels
    )
),
targets as (
    select 'first_response' as metric, fr_state as state, fr_goal as goal
    from scoped
    where fr_decided_at >= $start_at and fr_decided_at < $end_at
    union all
    select 'resolution', res_state, res_goal
    from scoped
    where res_decided_at >= $start_at and res_decided_at < $end_at
)
select
    metric,
    count(*) filter (where state = 'met') as n_met,
    count(*) filter (where state = 'breached') as n_breached,
    avg(goal) as goal
from targets
where state in ('met', 'breached')
group by metric
order by metric
