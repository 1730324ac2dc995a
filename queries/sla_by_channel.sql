-- sla_by_channel
-- Returns: one row per channel ('(none)' when missing) with SLA targets decided in
--   [$start_at, $end_at): channel, n_met, n_breached, adherence (met / (met + breached), 0-1),
--   goal (the decided targets' policy goals averaged), counting first-response and resolution
--   targets together, by the instant each was decided: the definition of adherence_matrix.sql,
--   read from request_facts (SLA states as of its last refresh) so it costs one scan.
-- Params: $start_at, $end_at TIMESTAMPTZ, and the shared filters ($requester_type,
--   $requester_departments, $provider_departments, $provider_types, $priorities, $channels).
with targets as (
    select
        coalesce(channel, '(none)') as channel,
        unnest([
            {'state': fr_state, 'decided_at': fr_decided_at, 'goal': fr_goal},
            {'state': res_state, 'decided_at': res_decided_at, 'goal': res_goal}
        ]) as target
    from filtered_request_facts(
        $requester_type, $requester_departments, $provider_departments,
        $provider_types, $priorities, $channels
    )
    where (fr_decided_at >= $start_at and fr_decided_at < $end_at)
       or (res_decided_at >= $start_at and res_decided_at < $end_at)
),
final as (
    select
        channel,
        count(*) filter (where target.state = 'met') as n_met,
        count(*) filter (where target.state = 'breached') as n_breached,
        count(*) filter (where target.state = 'met') / count(*) as adherence,
        avg(target.goal) as goal
    from targets
    where target.decided_at >= $start_at and target.decided_at < $end_at
      and target.state in ('met', 'breached')
    group by all
)
select * from final
order by n_met + n_breached desc, channel
