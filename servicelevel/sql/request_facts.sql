-- request_facts
-- The table the pages read: one row per request with everything they filter, group and count
-- on, rebuilt by servicelevel/recurring.py after imports and SLA refreshes. It holds, once, what
-- the pages would otherwise join at every view: the request's fields, its FAQ subject key, its
-- requester's previous request in the same category, its SLA clocks and states as of $as_of
-- (the data's newest instant, which is also the pages' "now") and its survey answers. Rows are
-- sorted by created_at, so a period reads only its own row groups whatever order the exports
-- came in; decisions (met at the stop, breached at the deadline) come days after creation, so
-- filters on decided_at skip most row groups too. The few requests without a first response
-- (open ones nobody has answered yet, and sources without first-response times) come last, in
-- creation order too: the SLA page's no-reply list then reads their row groups only, where
-- scattered through the year they made it read every row group (0.11 s against 0.02 s at 10
-- million requests). request_sla is joined on row_no, the requests rowid it was computed from
-- in the same refresh (an integer join, not two strings).
--   request_facts: one row per request:
--     the request: source, request_id, created_at, category, subject, status, requester_id and
--       the shared filters' fields (requester_type, requester_department, provider_department,
--       provider_type, priority, channel);
--     resolved_at: when it was resolved, or closed when the export has no resolution time;
--     created_week, resolved_week, due_week, fr_stopped_week, fr_decided_week, res_decided_week:
--       the ISO weeks (Monday, in $timezone) of those instants, so weekly counts need no
--       time-zone conversion per row;
--     subject_key (subject_keys; NULL without a subject);
--     previous_same_at: when the same requester (same source) last created a request in the
--       same category before this one, over every request whatever the filters (NULL: none, or
--       no requester id / category); secs_since_previous: created_at - previous_same_at in
--       seconds (comparing numbers is far cheaper than interval arithmetic on timestamps);
--     due_at, agent; policy_name and, per metric (fr_, res_), the sla_states columns as of
--       $as_of: target_secs, goal, stopped_at, elapsed_business_secs, elapsed_calendar_secs,
--       deadline_at, state, decided_at, overrun_business_secs, remaining_business_secs
--       (NULL without an SLA refresh); res_paused_business_secs, res_is_paused;
--     business_secs: business time to resolution when resolved by $as_of, waiting statuses
--       excluded; n_breaches: breached targets (0-2);
--     n_answers, n_dissatisfied: its survey answers, and those scoring below 3 of 5;
--     reopen_count, reassignment_count (NULL where the export gives none).
--   filtered_request_facts(...): request_facts narrowed by the shared sidebar filters, with
--     exactly the semantics of filtered_requests() in macros.sql (tests/test_recurring.py checks).
-- Params: $as_of TIMESTAMPTZ, $timezone VARCHAR (the organisation's)

create or replace table request_facts as
with history as (
    select
        source,
        request_id,
        lag(created_at) over (
            partition by source, requester_id, category order by created_at, request_id
        ) as previous_same_at
    from requests
    where requester_id is not null and category is not null
),
answers as (
    select
        request_source as source,
        request_id,
        count(*) as n_answers,
        count(*) filter (where score < 3) as n_dissatisfied
    from feedback
    where request_source is not null and score is not null
    group by all
),
final as (
    select
        r.source,
        r.request_id,
        r.created_at,
        coalesce(r.resolved_at, r.closed_at) as resolved_at,
        cast(date_trunc('week', timezone($timezone, r.created_at)) as date) as created_week,
        cast(date_trunc('week', timezone($timezone, coalesce(r.resolved_at, r.closed_at))) as date) as resolved_week,
        cast(date_trunc('week', timezone($timezone, r.due_at)) as date) as due_week,
        r.category,
        r.subject,
        r.status,
        r.requester_id,
        r.requester_org,
        r.requester_type,
        r.requester_department,
        r.provider_department,
        r.provider_type,
        r.priority,
        r.channel,
        k.subject_key,
        h.previous_same_at,
        epoch(r.created_at) - epoch(h.previous_same_at) as secs_since_previous,
        r.due_at,
        r.agent,
        s.policy_name,
        s.fr_target_secs,
        s.fr_goal,
        case when s.fr_stopped_at <= $as_of then s.fr_stopped_at end as fr_stopped_at,
        case when s.fr_stopped_at <= $as_of then s.fr_elapsed_business_secs end as fr_elapsed_business_secs,
        case when s.fr_stopped_at <= $as_of then s.fr_elapsed_calendar_secs end as fr_elapsed_calendar_secs,
        s.fr_deadline_at,
        s.fr_state,
        s.fr_decided_at,
        cast(date_trunc('week', timezone($timezone, s.fr_decided_at)) as date) as fr_decided_week,
        case when s.fr_stopped_at <= $as_of
            then cast(date_trunc('week', timezone($timezone, s.fr_stopped_at)) as date) end as fr_stopped_week,
        s.fr_overrun_business_secs,
        s.fr_remaining_business_secs,
        s.res_target_secs,
        s.res_goal,
        case when s.res_stopped_at <= $as_of then s.res_stopped_at end as res_stopped_at,
        case when s.res_stopped_at <= $as_of then s.res_elapsed_business_secs end as res_elapsed_business_secs,
        case when s.res_stopped_at <= $as_of then s.res_elapsed_calendar_secs end as res_elapsed_calendar_secs,
        s.res_deadline_at,
        s.res_state,
        s.res_decided_at,
        cast(date_trunc('week', timezone($timezone, s.res_decided_at)) as date) as res_decided_week,
        s.res_overrun_business_secs,
        s.res_remaining_business_secs,
        s.res_paused_business_secs,
        s.res_is_paused,
        case when s.res_stopped_at <= $as_of then s.res_elapsed_business_secs end as business_secs,
        coalesce((s.fr_state = 'breached')::integer, 0) + coalesce((s.res_state = 'breached')::integer, 0)
            as n_breaches,
        coalesce(a.n_answers, 0) as n_answers,
        coalesce(a.n_dissatisfied, 0) as n_dissatisfied,
        r.reopen_count,
        r.reassignment_count
    from (select rowid as row_no, * from requests) as r
    left join history as h using (source, request_id)
    left join sla_states($as_of) as s on s.row_no = r.row_no
    left join answers as a using (source, request_id)
    left join subject_keys as k on k.subject = r.subject
)
select * from final
order by fr_stopped_at is null, created_at;

create or replace macro filtered_request_facts(
    requester_type, requester_departments, provider_departments, provider_types, priorities, channels
) as table
select *
from request_facts
where (requester_type = '' or request_facts.requester_type = requester_type)
  and (len(requester_departments) = 0 or list_contains(requester_departments, request_facts.requester_department))
  and (len(provider_departments) = 0 or list_contains(provider_departments, request_facts.provider_department))
  and (len(provider_types) = 0 or list_contains(provider_types, request_facts.provider_type))
  and (len(priorities) = 0 or list_contains(priorities, request_facts.priority))
  and (len(channels) = 0 or list_contains(channels, request_facts.channel));
