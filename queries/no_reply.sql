-- no_reply
-- Returns: one row per request open at $end_at with no first response yet although its
--   first-response deadline had passed, longest overdue first: request_id, hours_overdue
--   (calendar hours from the deadline to $end_at), provider_department, requester (requester
--   department, else organisation, else "requester <id>"), agent, category, priority,
--   status_now (at the data's newest instant, which looking back can be resolved), fr_deadline_at,
--   created_at, policy_name, source; and n_no_reply, the count of all such requests (the list
--   stops at $max_rows).
--   Open at $end_at as in backlog.sql (the macro is_open_at, macros.sql). A request resolved
--   without a reply counts its resolution as the first response (sla_request_sla.sql), so an
--   open request has none until someone answers.
-- Params: $end_at TIMESTAMPTZ, $max_rows INTEGER, and the shared filters $requester_type,
--   $requester_departments, $provider_departments, $provider_types, $priorities, $channels.
-- not materialized: as in overdue.sql, the list and the count both read waiting.
with scoped as not materialized (
    select * from filtered_request_facts(
        $requester_type, $requester_departments, $provider_departments,
        $provider_types, $priorities, $channels
    )
),
waiting as not materialized (
    -- request_facts' states are as of the data's newest instant, at or after $end_at: a first
    -- response due by $end_at and not given by then is breached there, whether it came later or
    -- not at all (fr_stopped_at is NULL: request_facts keeps those rows last, so they are cheap
    -- to find).
    select *
    from scoped
    where is_open_at(created_at, resolved_at, status, $end_at)
      and fr_state = 'breached'
      and fr_deadline_at <= $end_at
      and coalesce(fr_stopped_at, timestamptz 'infinity') > $end_at
),
listed as (
    select *
    from waiting
    order by fr_deadline_at, request_id
    limit $max_rows
),
final as (
    select
        request_id,
        (epoch_us($end_at) - epoch_us(fr_deadline_at)) / 3600e6 as hours_overdue,
        provider_department,
        coalesce(requester_department, requester_org, 'requester ' || requester_id) as requester,
        agent,
        category,
        priority,
        status as status_now,
        fr_deadline_at,
        created_at,
        policy_name,
        source,
        (select count(*) from waiting) as n_no_reply  -- counted apart from the list, as in overdue.sql
    from listed
)
select * from final
order by fr_deadline_at, request_id
