-- sla_at_risk
-- Returns: one row per running target (request x metric) whose deadline is at most $within_secs
--   business seconds away as of $as_of, least business time left first: request_id, metric
--   ('first_response' | 'resolution'), remaining_business_secs, deadline_at, provider_department,
--   requester (requester department, else organisation, else "requester <id>"), agent, category,
--   priority, is_paused (the resolution clock is paused now; its deadline assumes
--   work resumes), created_at, policy_name, source.
-- Params: $as_of TIMESTAMPTZ (the "now" to look from), $within_secs BIGINT (business seconds,
--   e.g. 4 h = 14400), $max_rows INTEGER, and the shared filters $requester_type,
--   $requester_departments, $provider_departments, $provider_types, $priorities, $channels.
with running as (
    select
        source, request_id, created_at, policy_name, 'first_response' as metric, fr_deadline_at as deadline_at,
        fr_remaining_business_secs as remaining_business_secs, false as is_paused
    from sla_states($as_of)
    where fr_state = 'running' and fr_remaining_business_secs <= $within_secs
      -- implied by 'running'; said on stored columns so that the scan skips the rest
      and fr_deadline_at > $as_of and coalesce(fr_stopped_at, timestamptz 'infinity') > $as_of
    union all
    select
        source, request_id, created_at, policy_name, 'resolution', res_deadline_at,
        res_remaining_business_secs, res_is_paused
    from sla_states($as_of)
    where res_state = 'running' and res_remaining_business_secs <= $within_secs
      and res_deadline_at > $as_of and coalesce(res_stopped_at, timestamptz 'infinity') > $as_of
),
-- Who and what from request_facts, which is in creation order: joined on created_at too, the
-- few at-risk requests' creation dates let its scan skip the row groups created before them.
scoped as (
    select * from filtered_request_facts(
        $requester_type, $requester_departments, $provider_departments,
        $provider_types, $priorities, $channels
    )
),
final as (
    select
        g.request_id,
        g.metric,
        g.remaining_business_secs,
        g.deadline_at,
        r.provider_department,
        coalesce(r.requester_department, r.requester_org, 'requester ' || r.requester_id) as requester,
        r.agent,
        r.category,
        r.priority,
        g.is_paused,
        g.created_at,
        g.policy_name,
        g.source
    from running as g
    join scoped as r using (created_at, source, request_id)
)
select * from final
order by remaining_business_secs, deadline_at, request_id, metric
limit $max_rows
