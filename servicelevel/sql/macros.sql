-- macros
-- Table macros every query builds on. They are stored in the database (a temporary macro
-- would be invisible to the per-query cursors) and re-created by every read-write connection,
-- so changing one needs no migration.

-- filtered_requests: requests narrowed by the shared sidebar filters; an empty value or list
-- means "all". Every argument is bound by the caller, never formatted into SQL.
create or replace macro filtered_requests(
    requester_type, requester_departments, provider_departments, provider_types, priorities, channels
) as table
select *
from requests
where (requester_type = '' or requests.requester_type = requester_type)
  and (len(requester_departments) = 0 or list_contains(requester_departments, requests.requester_department))
  and (len(provider_departments) = 0 or list_contains(provider_departments, requests.provider_department))
  and (len(provider_types) = 0 or list_contains(provider_types, requests.provider_type))
  and (len(priorities) = 0 or list_contains(priorities, requests.priority))
  and (len(channels) = 0 or list_contains(channels, requests.channel));

-- dimension_value: a request's value for one of the dimensions the pages group by (the
-- allow-list sla.DIMENSIONS), NULL for any other (such as '', "no grouping").
-- The queries pass the dimension as a bound parameter and the request's columns.
create or replace macro dimension_value(
    dimension, requester_type, requester_department, provider_department, provider_type, priority, channel,
    category, agent
) as
case dimension
    when 'requester_type' then requester_type
    when 'requester_department' then requester_department
    when 'provider_department' then provider_department
    when 'provider_type' then provider_type
    when 'priority' then priority
    when 'channel' then channel
    when 'category' then category
    when 'agent' then agent
end;

-- stop_unknown: the request's status says resolved or closed but its export gives no time
-- (resolved_at: the resolution, else the close). Such a request is neither open nor a promise
-- kept or broken: when it stopped is unknown.
create or replace macro stop_unknown(resolved_at, status) as
resolved_at is null and status in ('resolved', 'closed');

-- promise_outcome: a due date (due_at) as of `as_of`, for a request whose stop is known
-- (stop_unknown): 'kept' (resolved, else closed, by it), 'broken' (resolved after it, or still
-- open past it) or 'pending' (open, not due yet). A resolution after `as_of` is not known yet.
create or replace macro promise_outcome(resolved_at, due_at, as_of) as
case
    when resolved_at <= least(due_at, as_of) then 'kept'
    when resolved_at <= as_of or due_at <= as_of then 'broken'
    else 'pending'
end;

-- is_open_at: whether a request was open at `instant`: created before it and not resolved or
-- closed before it, its stop known (stop_unknown).
create or replace macro is_open_at(created_at, resolved_at, status, instant) as
created_at < instant
and coalesce(resolved_at, timestamptz 'infinity') >= instant
and not stop_unknown(resolved_at, status);

-- mentioned_at: the newest instant a request's row mentions (greatest skips NULLs): how far
-- the export it came from reaches, which is how fresh the data is.
create or replace macro mentioned_at(created_at, updated_at, first_response_at, resolved_at, closed_at) as
greatest(created_at, updated_at, first_response_at, resolved_at, closed_at);

-- SLA. request_sla and the clock tables are derived data that servicelevel/sla.py and
-- calendars.py replace on every refresh; these empty shapes only let sla_states be created
-- before the first refresh (a macro's tables must exist when it is created).
create table if not exists calendar_hours (
    hour_id bigint, calendar_id integer, hour_key integer, cum_secs bigint,
    s1_from smallint, s1_to smallint, s2_from smallint, s2_to smallint,
    kind utinyint, base_secs bigint
);
create table if not exists request_sla (
    row_no bigint, source varchar, request_id varchar, policy_name varchar, calendar_name varchar,
    calendar_id integer, created_at timestamptz,
    fr_target_secs bigint, fr_goal double, fr_stopped_at timestamptz,
    fr_elapsed_business_secs bigint, fr_elapsed_calendar_secs bigint, fr_deadline_at timestamptz,
    fr_deadline_clock bigint, fr_na_reason varchar,
    res_target_secs bigint, res_goal double, res_stopped_at timestamptz,
    res_elapsed_business_secs bigint, res_elapsed_calendar_secs bigint,
    res_paused_business_secs bigint, res_is_paused boolean, res_deadline_at timestamptz,
    res_deadline_clock bigint, res_na_reason varchar
);

-- hour_clock: the business clock `secs` seconds into an hour, from that hour's calendar_hours
-- row (see calendar_hours.sql): a closed hour (kind 0) holds the clock, an open one (1) runs it,
-- a partly open one (2) clamps the seconds into its spans. NULL on the row -1 (no instant).
-- Branching on kind is cheaper than the clamps, as most instants fall in kind 0 or 1 hours.
create or replace macro hour_clock(kind, cum_secs, base_secs, s1_from, s1_to, s2_from, s2_to, secs) as
case kind when 0 then cum_secs when 1 then cum_secs + secs
    else base_secs + least(greatest(secs, s1_from), s1_to) + least(greatest(secs, s2_from), s2_to)
end;

-- sla_states(as_of): request_sla as it stood at the instant as_of, for requests created by then,
-- plus per metric (fr_ first response, res_ resolution):
--   <m>_state: 'met' (stopped by as_of within the target), 'breached' (stopped late, or not
--     stopped and the deadline has passed), 'running' (not stopped, deadline still ahead) or
--     'n/a' (no policy, no target, or the export lacks the times: <m>_na_reason says which);
--   <m>_decided_at: the stop for met, the deadline for breached, else NULL;
--   <m>_overrun_business_secs: business time past the target (breached only);
--   <m>_remaining_business_secs: business time left until the deadline (running only).
-- A stop after as_of counts as not yet stopped. Adherence = met / (met + breached).
create or replace macro sla_states(as_of) as table
with as_of_clock as (
    select
        calendar_id,
        hour_clock(kind, cum_secs, base_secs, s1_from, s1_to, s2_from, s2_to, epoch_us(as_of) // 1000000 % 3600)
            as as_of_clock
    from calendar_hours
    where hour_key = epoch_us(as_of) // 1000000 // 3600
),
judged as (
    select
        s.*,
        case
            when s.fr_na_reason is not null or s.fr_target_secs is null then 'n/a'
            when s.fr_stopped_at <= as_of then
                case when s.fr_elapsed_business_secs <= s.fr_target_secs then 'met' else 'breached' end
            when s.fr_deadline_at <= as_of then 'breached'
            else 'running'
        end as fr_state,
        case
            when s.res_na_reason is not null or s.res_target_secs is null then 'n/a'
            when s.res_stopped_at <= as_of then
                case when s.res_elapsed_business_secs <= s.res_target_secs then 'met' else 'breached' end
            when s.res_deadline_at <= as_of then 'breached'
            else 'running'
        end as res_state,
        c.as_of_clock
    from request_sla as s
    left join as_of_clock as c on c.calendar_id = s.calendar_id
    where s.created_at <= as_of
)
select
    * exclude (as_of_clock),
    case fr_state when 'met' then fr_stopped_at when 'breached' then fr_deadline_at end as fr_decided_at,
    case res_state when 'met' then res_stopped_at when 'breached' then res_deadline_at end as res_decided_at,
    case when fr_state = 'breached' then
        case when fr_stopped_at <= as_of then fr_elapsed_business_secs - fr_target_secs
             else greatest(as_of_clock - fr_deadline_clock, 0) end
    end as fr_overrun_business_secs,
    case when res_state = 'breached' then
        case when res_stopped_at <= as_of then res_elapsed_business_secs - res_target_secs
             else greatest(as_of_clock - res_deadline_clock, 0) end
    end as res_overrun_business_secs,
    case when fr_state = 'running' then fr_deadline_clock - as_of_clock end as fr_remaining_business_secs,
    case when res_state = 'running' then res_deadline_clock - as_of_clock end as res_remaining_business_secs
from judged
