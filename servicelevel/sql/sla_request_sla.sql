-- sla_request_sla
-- One row per request: its SLA policy, and per metric the target, stop instant, elapsed business
-- and calendar time, (resolution) paused time, deadline and why it is n/a where it is. row_no is
-- the request's rowid in requests when this ran: tables derived in the same refresh join on it.
-- The marker /*policy_no*/ is replaced by sla.py with a CASE over allow-listed columns whose
-- values are bound parameters ($policy_<i>_<j>); the first matching policy wins, and its
-- 1-based position indexes the $policy_* / target / goal lists (NULL when none matches).
-- A request's pauses: one, the usual case, is read from its own row (only_pause_at/_until, kept
-- by count_pauses.sql) with two more clock look-ups; only requests with more (pause_count > 1)
-- join the events, to order them and see which came before the deadline.
-- Instants are handled as whole epoch seconds. clock(t) looks up t's UTC hour in calendar_hours
-- (one dense integer key per calendar and hour; the row -1 answers "no instant"), and the macro
-- hour_clock (macros.sql) reads the clock inside that hour. A deadline is the instant the clock
-- reaches C = clock(created) + target (+ paused business time before it): C plus the shift
-- calendar_inverse holds for C's bucket. sla.py runs this with join reordering off: the plan as
-- written (requests probing the small clock tables) is the fast one, and the optimizer's
-- estimates after several joins would otherwise turn a 10-million-row intermediate into a hash
-- table. The CTEs are NOT MATERIALIZED: recomputing the cheap per-request steps for the pause
-- branch costs less than writing ten million rows aside for two readers. It needs every request
-- and status event keyed and the pauses counted first (key_requests.sql, count_pauses.sql;
-- refresh_sla runs them in one transaction).
-- Params: $policy_names, $policy_calendar_names VARCHAR[]; $policy_calendar_ids INTEGER[];
--   $fr_targets, $res_targets BIGINT[] (NULL = no target); $fr_goals, $res_goals DOUBLE[];
--   $paused_statuses VARCHAR[]; $no_first_response_imports, $no_resolution_imports INTEGER[]
--   (imports whose export lacks the field); $now TIMESTAMPTZ (an ongoing pause ends here);
--   $first_hour, $hours_per_calendar BIGINT (calendar_hours' key layout); $ks_per_calendar
--   BIGINT, $max_k_by_calendar BIGINT[] and $bucket_secs BIGINT (calendar_inverse's key layout)
create or replace table request_sla as
with classified as not materialized (
    select
        rowid as row_no,
        request_key,
        source,
        request_id,
        created_at,
        status,
        pause_count,
        only_pause_at,
        only_pause_until,
        /*policy_no*/ + 1 as policy_pos,
        -- A stored time shows the field was there (kept when a narrower export last wrote the row).
        not list_contains($no_first_response_imports, import_id) or first_response_at is not null
            as has_fr_field,
        not list_contains($no_resolution_imports, import_id) or resolved_at is not null or closed_at is not null
            as has_res_field,
        first_response_at,
        coalesce(resolved_at, closed_at) as resolution_at
    from requests
),
stops as not materialized (
    select
        c.row_no,
        c.request_key,
        c.source,
        c.request_id,
        c.created_at,
        c.status,
        c.pause_count,
        c.has_fr_field,
        c.has_res_field,
        $policy_names[c.policy_pos] as policy_name,
        $policy_calendar_names[c.policy_pos] as calendar_name,
        $policy_calendar_ids[c.policy_pos] as calendar_id,
        $fr_targets[c.policy_pos] as fr_target_secs,
        $fr_goals[c.policy_pos] as fr_goal,
        $res_targets[c.policy_pos] as res_target_secs,
        $res_goals[c.policy_pos] as res_goal,
        case when c.has_res_field then c.resolution_at end as res_stopped_at,
        c.only_pause_at,
        c.only_pause_until,
        -- A request resolved without any reply counts its resolution as the first response.
        case when c.has_fr_field then coalesce(
            c.first_response_at, case when c.has_res_field then c.resolution_at end
        ) end as fr_stopped_at,
        epoch_us(c.created_at) // 1000000 as created_s
    from classified as c
),
keyed as not materialized (
    select
        *,
        -- Stops before creation (bad data) count as immediate. (greatest() skips NULLs.)
        case when fr_stopped_at is not null
            then greatest(epoch_us(fr_stopped_at) // 1000000, created_s) end as fr_stop_s,
        case when res_stopped_at is not null
            then greatest(epoch_us(res_stopped_at) // 1000000, created_s) end as res_stop_s,
        cast(calendar_id as bigint) * $hours_per_calendar - $first_hour as hour_base
    from stops
),
-- A request's only pause, clipped as pause_spans clips the events' ones (and, like them, on the
-- resolution clock only); it is empty unless lone_from_s < lone_to_s.
lone_paused as not materialized (
    select
        *,
        case when pause_count = 1 and has_res_field and res_target_secs is not null
            then greatest(epoch_us(only_pause_at) // 1000000, created_s) end as lone_from_s,
        least(
            coalesce(epoch_us(only_pause_until) // 1000000, res_stop_s, epoch_us($now) // 1000000),
            coalesce(res_stop_s, epoch_us($now) // 1000000)
        ) as lone_to_s
    from keyed
),
started as not materialized (
    select
        k.*,
        hour_clock(h0.kind, h0.cum_secs, h0.base_secs, h0.s1_from, h0.s1_to, h0.s2_from, h0.s2_to,
                   k.created_s % 3600) as start_clock
    from lone_paused as k
    join calendar_hours as h0 on h0.hour_id = coalesce(k.hour_base + k.created_s // 3600, -1)
),
clocked as not materialized (
    select
        s.*,
        -- A missing instant (no stop, no lone pause) finds the row -1, whose clock is NULL.
        hour_clock(h1.kind, h1.cum_secs, h1.base_secs, h1.s1_from, h1.s1_to, h1.s2_from, h1.s2_to,
                   s.fr_stop_s % 3600) as fr_stop_clock,
        hour_clock(h2.kind, h2.cum_secs, h2.base_secs, h2.s1_from, h2.s1_to, h2.s2_from, h2.s2_to,
                   s.res_stop_s % 3600) as res_stop_clock,
        hour_clock(h3.kind, h3.cum_secs, h3.base_secs, h3.s1_from, h3.s1_to, h3.s2_from, h3.s2_to,
                   s.lone_from_s % 3600) as lone_from_clock,
        hour_clock(h4.kind, h4.cum_secs, h4.base_secs, h4.s1_from, h4.s1_to, h4.s2_from, h4.s2_to,
                   s.lone_to_s % 3600) as lone_to_clock,
        case when s.lone_from_s < s.lone_to_s then s.only_pause_until is null and s.res_stop_s is null end
            as lone_is_ongoing
    from started as s
    join calendar_hours as h1 on h1.hour_id = coalesce(s.hour_base + s.fr_stop_s // 3600, -1)
    join calendar_hours as h2 on h2.hour_id = coalesce(s.hour_base + s.res_stop_s // 3600, -1)
    join calendar_hours as h3 on h3.hour_id = case when s.lone_from_s < s.lone_to_s
        then s.hour_base + s.lone_from_s // 3600 else -1 end
    join calendar_hours as h4 on h4.hour_id = case when s.lone_from_s < s.lone_to_s
        then s.hour_base + s.lone_to_s // 3600 else -1 end
),
-- Requests with several pauses: a status_change to a paused status holds until the request's
-- next status_change (next_status_at, kept by key_requests.sql); only the part between creation
-- and the resolution (or $now, while open) counts. Events find their request by its integer
-- key. The pause_count filter reaches the scan, so this branch repeats the per-request steps for
-- those rows only. (With join reordering off, the right side of each join is the one hashed:
-- those requests, usually fewer than the paused status changes.)
pause_spans as (
    select
        c.row_no,
        greatest(e.event_s, c.created_s) as from_s,
        least(
            coalesce(e.next_s, c.res_stop_s, epoch_us($now) // 1000000),
            coalesce(c.res_stop_s, epoch_us($now) // 1000000)
        ) as to_s,
        e.next_s is null and c.res_stop_s is null as is_ongoing,
        c.hour_base,
        c.start_clock,
        c.res_target_secs
    from (
        select
            request_key,
            epoch_us(event_at) // 1000000 as event_s,
            epoch_us(next_status_at) // 1000000 as next_s
        from events
        where kind = 'status_change' and list_contains($paused_statuses, to_status)
    ) as e
    join (
        -- Counts are NULL only until count_pauses.sql ran: such a request is looked up here.
        select * from started where pause_count is null or pause_count > 1
    ) as c
        on e.request_key = c.request_key
    where c.has_res_field and c.res_target_secs is not null
),
pause_clocks as (
    select
        p.row_no,
        p.from_s,
        p.is_ongoing,
        p.res_target_secs,
        p.start_clock,
        hour_clock(h0.kind, h0.cum_secs, h0.base_secs, h0.s1_from, h0.s1_to, h0.s2_from, h0.s2_to,
                   p.from_s % 3600) as from_clock,
        hour_clock(h1.kind, h1.cum_secs, h1.base_secs, h1.s1_from, h1.s1_to, h1.s2_from, h1.s2_to,
                   p.to_s % 3600) as to_clock
    from pause_spans as p
    join calendar_hours as h0 on h0.hour_id = p.hour_base + p.from_s // 3600
    join calendar_hours as h1 on h1.hour_id = p.hour_base + p.to_s // 3600
    where p.from_s < p.to_s
),
pause_running as (
    select
        *,
        to_clock - from_clock as paused_secs,
        -- Business time the request had been active when this pause began.
        from_clock - start_clock - coalesce(sum(to_clock - from_clock) over (
            partition by row_no order by from_s
            rows between unbounded preceding and 1 preceding
        ), 0) as active_before
    from pause_clocks
),
pause_totals as (
    select
        row_no,
        cast(sum(paused_secs) as bigint) as paused_secs,
        -- Pauses after the deadline was reached do not move it.
        cast(coalesce(sum(paused_secs) filter (where active_before < res_target_secs), 0) as bigint)
            as deadline_extra,
        bool_or(is_ongoing) as is_paused
    from pause_running
    group by row_no
),
targeted as (
    select
        c.*,
        coalesce(t.paused_secs, c.lone_to_clock - c.lone_from_clock, 0) as res_paused_secs,
        coalesce(t.is_paused, c.lone_is_ongoing, false) as res_is_paused,
        c.start_clock + c.fr_target_secs as fr_deadline_clock,
        c.start_clock + c.res_target_secs + coalesce(
            t.deadline_extra,
            -- A lone pause that began after the deadline was reached does not move it.
            case when c.lone_from_clock - c.start_clock < c.res_target_secs
                then c.lone_to_clock - c.lone_from_clock end,
            0
        ) as res_deadline_clock
    from clocked as c
    -- Only requests with several pauses look for their totals (a NULL key finds none).
    left join pause_totals as t
        on t.row_no = case when c.pause_count is null or c.pause_count > 1 then c.row_no end
),
inverse_keyed as (
    select
        *,
        -- A clock value past the calendar's table (or none at all) finds the row -1: no deadline.
        case when (fr_deadline_clock - 1) // $bucket_secs <= $max_k_by_calendar[calendar_id + 1]
            then cast(calendar_id as bigint) * $ks_per_calendar + (fr_deadline_clock - 1) // $bucket_secs
        end as fr_k_id,
        case when (res_deadline_clock - 1) // $bucket_secs <= $max_k_by_calendar[calendar_id + 1]
            then cast(calendar_id as bigint) * $ks_per_calendar + (res_deadline_clock - 1) // $bucket_secs
        end as res_k_id
    from targeted
),
deadlines as (
    select
        t.*,
        t.fr_deadline_clock + i1.shift_secs as fr_deadline_s,
        t.res_deadline_clock + i2.shift_secs as res_deadline_s
    from inverse_keyed as t
    join calendar_inverse as i1 on i1.k_id = coalesce(t.fr_k_id, -1)
    join calendar_inverse as i2 on i2.k_id = coalesce(t.res_k_id, -1)
),
final as (
    select
        row_no,
        source,
        request_id,
        policy_name,
        calendar_name,
        calendar_id,
        created_at,
        fr_target_secs,
        fr_goal,
        fr_stopped_at,
        cast(fr_stop_clock - start_clock as bigint) as fr_elapsed_business_secs,
        fr_stop_s - created_s as fr_elapsed_calendar_secs,
        to_timestamp(fr_deadline_s) as fr_deadline_at,
        fr_deadline_clock,
        case
            when policy_name is null then 'no SLA policy matches this request'
            when fr_target_secs is null then 'policy ''' || policy_name || ''' has no first-response target'
            when not has_fr_field then 'source ''' || source || ''' has no first-response times'
            when fr_stopped_at is null and status in ('resolved', 'closed')
                then 'status is ' || status || ' but the export has no response or resolution time'
        end as fr_na_reason,
        res_target_secs,
        res_goal,
        res_stopped_at,
        cast(res_stop_clock - start_clock - res_paused_secs as bigint) as res_elapsed_business_secs,
        res_stop_s - created_s as res_elapsed_calendar_secs,
        cast(res_paused_secs as bigint) as res_paused_business_secs,
        res_is_paused,
        to_timestamp(res_deadline_s) as res_deadline_at,
        res_deadline_clock,
        case
            when policy_name is null then 'no SLA policy matches this request'
            when res_target_secs is null then 'policy ''' || policy_name || ''' has no resolution target'
            when not has_res_field then 'source ''' || source || ''' has no resolution times'
            when res_stopped_at is null and status in ('resolved', 'closed')
                then 'status is ' || status || ' but the export has no resolution time'
        end as res_na_reason
    from deadlines
)
select * from final
