-- at_risk_now
-- Returns: one row per running target (request x metric) whose deadline is at most $within_secs
--   business seconds away, as of the data's newest instant (request_facts), least business time left first:
--   request_id, metric, remaining_business_secs, deadline_at (beside the time left: both say how
--   soon), who and what (provider_department, requester, agent, category, priority), is_paused,
--   created_at, policy_name, source. The same rows as sla_at_risk at that instant
--   (tests/test_page_queries.py checks); for any other instant, sla_at_risk computes them from
--   request_sla.
-- Params: $within_secs BIGINT, $max_rows INTEGER, and the shared filters.
-- not materialized: each use below reads only the columns it needs, instead of one copy of all.
with scoped as not materialized (
    select * from filtered_request_facts(
        $requester_type, $requester_departments, $provider_departments,
        $provider_types, $priorities, $channels
    )
),
running as (
    select
        request_id, source, policy_name, 'first_response' as metric, fr_deadline_at as deadline_at,
        fr_remaining_business_secs as remaining_business_secs, false as is_paused, created_at,
        provider_department, requester_department, requester_org, requester_id, agent, category,
        priority
    from scoped
    where fr_state = 'running' and fr_remaining_business_secs <= $within_secs
    union all
    select
        request_id, source, policy_name, 'resolution', res_deadline_at, res_remaining_business_secs,
        res_is_paused, created_at, provider_department, requester_department, requester_org,
        requester_id, agent, category, priority
    from scoped
    where res_state = 'running' and res_remaining_business_secs <= $within_secs
),
final as (
    select
        request_id,
        metric,
        remaining_business_secs,
        deadline_at,
        provider_department,
        coalesce(requester_department, requester_org, 'requester ' || requester_id) as requester,
        agent,
        category,
        priority,
        is_paused,
        created_at,
        policy_name,
        source
    from running
)
select * from final
order by remaining_business_secs, deadline_at, request_id, metric
limit $max_rows
