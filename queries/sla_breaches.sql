-- sla_breaches
-- A reference query: no page runs it. It asks the SLA engine's request_sla directly, and the
-- tests check the pages' faster queries over request_facts (breaches) against it.
-- Returns: one row per breached target (request x metric) decided in the period, largest overrun
--   first: request_id, source, policy_name, metric ('first_response' | 'resolution'),
--   target_secs, elapsed_business_secs (target + overrun), overrun_business_secs, deadline_at
--   (= the decision instant), stopped_at (NULL while still open), is_stopped, provider_department,
--   requester (requester department, else organisation, else "requester <id>"), category, priority.
--   A breach is decided at its deadline, whether the request stopped later or is still running.
-- Params: $start_at TIMESTAMPTZ (inclusive), $end_at TIMESTAMPTZ (exclusive), $as_of TIMESTAMPTZ
--   (normally now), $max_rows INTEGER, and the shared filters $requester_type,
--   $requester_departments, $provider_departments, $provider_types, $priorities, $channels.
with breached as (
    select
        source, request_id, policy_name, 'first_response' as metric, fr_target_secs as target_secs,
        fr_overrun_business_secs as overrun_business_secs, fr_deadline_at as deadline_at,
        case when fr_stopped_at <= $as_of then fr_stopped_at end as stopped_at
    from sla_states($as_of)
    where fr_state = 'breached' and fr_decided_at >= $start_at and fr_decided_at < $end_at
    union all
    select
        source, request_id, policy_name, 'resolution', res_target_secs,
        res_overrun_business_secs, res_deadline_at,
        case when res_stopped_at <= $as_of then res_stopped_at end
    from sla_states($as_of)
    where res_state = 'breached' and res_decided_at >= $start_at and res_decided_at < $end_at
),
scoped as (
    select * from filtered_requests(
        $requester_type, $requester_departments, $provider_departments,
        $provider_types, $priorities, $channels
    )
),
final as (
    select
        b.request_id,
        b.source,
        b.policy_name,
        b.metric,
        b.target_secs,
        b.target_secs + b.overrun_business_secs as elapsed_business_secs,
        b.overrun_business_secs,
        b.deadline_at,
        b.stopped_at,
        b.stopped_at is not null as is_stopped,
        r.provider_department,
        coalesce(r.requester_department, r.requester_org, 'requester ' || r.requester_id) as requester,
        r.category,
        r.priority
    from breached as b
    join scoped as r using (source, request_id)
)
select * from final
order by overrun_business_secs desc, deadline_at, request_id, metric
limit $max_rows
