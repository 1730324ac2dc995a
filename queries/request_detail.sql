-- request_detail
-- Returns: the request ($source in any letter case, $request_id) with its SLA state per metric as of $as_of
--   (zero or one row): every requests column plus the sla_states columns, and per metric
--   (<m> = fr | res) <m>_business_secs_so_far and <m>_calendar_secs_so_far: the elapsed time
--   when the clock has stopped by $as_of, else the time it has run until $as_of (business:
--   target + overrun once breached, target - remaining while running; NULL when n/a);
--   promise_outcome: its due date (due_at) as of $as_of, as promises_kept judges it
--   (promise_outcome: 'kept', 'broken' or 'pending'), or 'unknown' (its status says stopped
--   without a time); NULL without a due date. is_open: neither resolved nor closed, as the
--   sources query counts it (the macro is_open_at, at no particular instant). import_file_name and
--   imported_at: the file and start of the import that last changed it (import_id; a later export
--   holding it unchanged writes nothing).
-- Params: $source, $request_id, $as_of
select
    r.*,
    s.* exclude (source, request_id, created_at),
    case
        when s.fr_stopped_at <= $as_of then s.fr_elapsed_business_secs
        when s.fr_state = 'breached' then s.fr_target_secs + s.fr_overrun_business_secs
        when s.fr_state = 'running' then s.fr_target_secs - s.fr_remaining_business_secs
    end as fr_business_secs_so_far,
    case
        when s.fr_stopped_at <= $as_of then s.fr_elapsed_calendar_secs
        when s.fr_state in ('breached', 'running') then epoch($as_of) - epoch(r.created_at)
    end as fr_calendar_secs_so_far,
    case
        when s.res_stopped_at <= $as_of then s.res_elapsed_business_secs
        when s.res_state = 'breached' then s.res_target_secs + s.res_overrun_business_secs
        when s.res_state = 'running' then s.res_target_secs - s.res_remaining_business_secs
    end as res_business_secs_so_far,
    case
        when s.res_stopped_at <= $as_of then s.res_elapsed_calendar_secs
        when s.res_state in ('breached', 'running') then epoch($as_of) - epoch(r.created_at)
    end as res_calendar_secs_so_far,
    case
        when r.due_at is null then null
        when stop_unknown(coalesce(r.resolved_at, r.closed_at), r.status) then 'unknown'
        else promise_outcome(coalesce(r.resolved_at, r.closed_at), r.due_at, $as_of)
    end as promise_outcome,
    is_open_at(r.created_at, coalesce(r.resolved_at, r.closed_at), r.status, timestamptz 'infinity') as is_open,
    i.file_name as import_file_name,
    i.started_at as imported_at
from requests as r
left join sla_states($as_of) as s using (source, request_id)
left join imports as i on i.import_id = r.import_id
where lower(r.source) = lower($source) and r.request_id = $request_id  -- 'JIRA' finds jira
