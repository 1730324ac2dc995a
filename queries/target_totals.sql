-- target_totals
-- Returns: one row per period and SLA target with any decided (as of the data's newest instant,
--   request_facts): period ('now': decided in [$start_at, $end_at); 'before': in
--   [$before_start_at, $start_at), the period of the same length before, or nothing when
--   $before_start_at is $start_at), metric ('first_response', 'resolution'), n_met, n_breached,
--   goal (the decided targets' policy goals averaged, as the overview's tiles average them). The
--   SLA adherence page's headlines and their change: the adherence_matrix cells of each target
--   added up, both periods and both targets in one scan.
-- Params: $before_start_at, $start_at, $end_at, and the shared filters.
with scoped as not materialized (
    select *
    from filtered_request_facts(
        $requester_type, $requester_departments, $provider_departments,
        $provider_types, $priorities, $channels
    )
),
targets as (
    select 'first_response' as metric, fr_state as state, fr_goal as goal, fr_decided_at >= $start_at as is_now
    from scoped
    where fr_decided_at >= $before_start_at and fr_decided_at < $end_at
    union all
    select 'resolution', res_state, res_goal, res_decided_at >= $start_at
    from scoped
    where res_decided_at >= $before_start_at and res_decided_at < $end_at
)
select
    case when is_now then 'now' else 'before' end as period,
    metric,
    count(*) filter (where state = 'met') as n_met,
    count(*) filter (where state = 'breached') as n_breached,
    avg(goal) as goal
from targets
where state in ('met', 'breached')
group by all
order by period, metric
