-- breaches
-- Returns: one row per breached target (request x metric) decided in [$start_at, $end_at), as of
--   the data's newest instant (request_facts), largest overrun first: request_id, metric
--   ('first_response' | 'resolution'), overrun_business_secs, who and what (provider_department,
--   requester: requester department, else organisation, else "requester <id>"; agent, category,
--   priority: what a reader chasing a breach looks at first), then is_stopped, stopped_at (NULL
--   while still open), deadline_at (= the decision instant), target_secs, elapsed_business_secs
--   (target + overrun), policy_name, source. The same rows as sla_breaches
--   with $as_of at that instant (tests/test_page_queries.py checks), read from one table.
-- Params: $start_at, $end_at TIMESTAMPTZ, $max_rows INTEGER, and the shared filters.
-- not materialized: each use below reads only the columns it needs, instead of one copy of all.
with scoped as not materialized (
    select * from filtered_request_facts(
        $requester_type, $requester_departments, $provider_departments,
        $provider_types, $priorities, $channels
    )
),
breached as (
    select
        request_id, source, policy_name, 'first_response' as metric, fr_target_secs as target_secs,
        fr_overrun_business_secs as overrun_business_secs, fr_deadline_at as deadline_at,
        fr_stopped_at as stopped_at, provider_department, requester_department, requester_org,
        requester_id, agent, category, priority
    from scoped
    where fr_state = 'breached' and fr_decided_at >= $start_at and fr_decided_at < $end_at
    union all
    select
        request_id, source, policy_name, 'resolution', res_target_secs,
        res_overrun_business_secs, res_deadline_at, res_stopped_at, provider_department,
        requester_department, requester_org, requester_id, agent, category, priority
    from scoped
    where res_state = 'breached' and res_decided_at >= $start_at and res_decided_at < $end_at
),
final as (
    select
        request_id,
        metric,
        overrun_business_secs,
        provider_department,
        coalesce(requester_department, requester_org, 'requester ' || requester_id) as requester,
        agent,
        category,
        priority,
        stopped_at is not null as is_stopped,
        stopped_at,
        deadline_at,
        target_secs,
        target_secs + overrun_business_secs as elapsed_business_secs,
        policy_name,
        source
    from breached
)
select * from final
order by overrun_business_secs desc, deadline_at, request_id, metric
limit $max_rows
