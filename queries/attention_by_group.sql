-- attention_by_group
-- Returns: one row per value of $split (provider_department; or, for one provider department's
--   own view, requester: the requester department, else the requester's organisation) with open
--   work needing attention now (request_facts' running states are as of the data's newest
--   instant), most overdue first:
--   group_value (NULL: requests without one), n_overdue (requests open at $as_of past their
--   resolution deadline: the SLA page's overdue list for a period ending now), n_long_overdue
--   (those of them more than $long_overdue_days calendar days past it, as that list counts its
--   days overdue: a backlog that old is often work done but never closed in the tool), n_no_reply
--   (requests open at $as_of with no first response yet, past its deadline: the SLA page's
--   no-reply list for a period ending now; a request can be counted in both), n_due_soon
--   (running targets due within $within_secs business seconds, a request's first response and
--   resolution counted apart: the SLA page's at-risk list as of now). Values with none are
--   left out.
-- Params: $split VARCHAR ('provider_department' | 'requester'), $as_of TIMESTAMPTZ (just after
--   the data's newest instant: Selection.open_work_at, so a request resolved at it is done),
--   $within_secs BIGINT, $long_overdue_days INTEGER, and the shared filters $requester_type,
--   $requester_departments, $provider_departments, $provider_types, $priorities, $channels.
with scoped as (
    select * from filtered_request_facts(
        $requester_type, $requester_departments, $provider_departments,
        $provider_types, $priorities, $channels
    )
),
counted as (
    select
        case $split
            when 'requester' then coalesce(requester_department, requester_org)
            else provider_department
        end as group_value,
        count(*) filter (where is_open_at(created_at, resolved_at, status, $as_of)
                           and res_deadline_at <= $as_of) as n_overdue,
        count(*) filter (where is_open_at(created_at, resolved_at, status, $as_of)
                           and res_deadline_at < $as_of - to_days($long_overdue_days)) as n_long_overdue,
        -- request_facts' states are as of the data's newest instant: a breached first response
        -- without a stop is one still awaited
        count(*) filter (where is_open_at(created_at, resolved_at, status, $as_of)
                           and fr_state = 'breached' and fr_stopped_at is null) as n_no_reply,
        count(*) filter (where fr_state = 'running' and fr_remaining_business_secs <= $within_secs)
            + count(*) filter (where res_state = 'running' and res_remaining_business_secs <= $within_secs)
            as n_due_soon
    from scoped
    -- Every request counted is unresolved at $as_of (a running target's request too): the
    -- filter skips reading the rest's states.
    where coalesce(resolved_at, timestamptz 'infinity') >= $as_of
    group by group_value
)
select group_value, n_overdue, n_long_overdue, n_no_reply, n_due_soon
from counted
where n_overdue > 0 or n_no_reply > 0 or n_due_soon > 0
order by n_overdue desc, n_no_reply desc, n_due_soon desc, group_value nulls last
