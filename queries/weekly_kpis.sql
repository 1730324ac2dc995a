-- weekly_kpis
-- Returns: one row per ISO week (org time zone) in [$start_at, $end_at) and segment ('all',
--   'internal', 'external'): week_start DATE, segment,
--   n_created (volume), fr_met, fr_breached, fr_goal, res_met, res_breached, res_goal
--   (adherence counts by the week the outcome was decided; goal = the decided metrics' own
--   policy goals averaged, i.e. what adherence would be if every policy met its goal exactly),
--   median_frt_business_secs and n_first_responses (first responses given that week),
--   n_answers, n_satisfied (score >= 4 of 5), mean_score, n_resolved (for the response rate),
--   backlog_at_end (open at the week's end), n_promises_due, n_promises_kept (due that week).
--   SLA states are as of the data's newest instant (request_facts); answers come from
--   answer_facts (answers whose request is known).
-- Params: $start_at, $end_at TIMESTAMPTZ (week boundaries), $as_of TIMESTAMPTZ (promises due by
--   then and still open count as broken), $timezone VARCHAR, and the shared filters
--   ($requester_type, $requester_departments, $provider_departments, $provider_types,
--   $priorities, $channels).
-- not materialized: each use below reads only the columns it needs, instead of one copy of all.
-- A segment is named by grouping(): a request without a requester type counts in 'all' only
-- (coalescing its NULL group to 'all' made a second 'all' row, and every join doubled).
with scoped as not materialized (
    select * from filtered_request_facts(
        $requester_type, $requester_departments, $provider_departments,
        $provider_types, $priorities, $channels
    )
),
weeks as (
    select cast(range as date) as week_start, segment
    from range(
        cast(date_trunc('week', timezone($timezone, $start_at)) as date),
        cast(timezone($timezone, $end_at) as date),
        interval 7 day
    )
    cross join (values ('all'), ('internal'), ('external')) as segments(segment)
),
volume as (
    select created_week as week_start,
           case when grouping(requester_type) = 1 then 'all' else requester_type end as segment,
           count(*) as n_created
    from scoped
    where created_at >= $start_at and created_at < $end_at
    group by grouping sets ((week_start, requester_type), (week_start))
),
first_response_outcomes as (
    select fr_decided_week as week_start,
           case when grouping(requester_type) = 1 then 'all' else requester_type end as segment,
           count(*) filter (where fr_state = 'met') as fr_met,
           count(*) filter (where fr_state = 'breached') as fr_breached,
           avg(fr_goal) as fr_goal
    from scoped
    where fr_decided_at >= $start_at and fr_decided_at < $end_at
      and fr_state in ('met', 'breached')
    group by grouping sets ((week_start, requester_type), (week_start))
),
resolution_outcomes as (
    select res_decided_week as week_start,
           case when grouping(requester_type) = 1 then 'all' else requester_type end as segment,
           count(*) filter (where res_state = 'met') as res_met,
           count(*) filter (where res_state = 'breached') as res_breached,
           avg(res_goal) as res_goal
    from scoped
    where res_decided_at >= $start_at and res_decided_at < $end_at
      and res_state in ('met', 'breached')
    group by grouping sets ((week_start, requester_type), (week_start))
),
first_responses as (
    select fr_stopped_week as week_start,
           case when grouping(requester_type) = 1 then 'all' else requester_type end as segment,
           median(fr_elapsed_business_secs) as median_frt_business_secs,
           count(fr_elapsed_business_secs) as n_first_responses
    from scoped
    where fr_stopped_at >= $start_at and fr_stopped_at < $end_at
    group by grouping sets ((week_start, requester_type), (week_start))
),
answers as (
    select cast(date_trunc('week', timezone($timezone, submitted_at)) as date) as week_start,
           case when grouping(requester_type) = 1 then 'all' else requester_type end as segment,
           count(*) as n_answers,
           count(*) filter (where score >= 4) as n_satisfied,
           avg(score) as mean_score
    from filtered_answers(
        $requester_type, $requester_departments, $provider_departments,
        $provider_types, $priorities, $channels
    )
    where submitted_at >= $start_at and submitted_at < $end_at
    group by grouping sets ((week_start, requester_type), (week_start))
),
resolved as (
    select resolved_week as week_start,
           case when grouping(requester_type) = 1 then 'all' else requester_type end as segment,
           count(*) as n_resolved
    from scoped
    where resolved_at >= $start_at and resolved_at < $end_at
    group by grouping sets ((week_start, requester_type), (week_start))
),
-- Backlog at a week's end = open when the range starts (is_open_at, macros.sql) + opened - stopped
-- in its weeks so far.
-- A request whose status says resolved or closed but whose export gives no time never counts
-- (when it stopped is unknown), as in backlog.sql.
open_at_start as (
    select case when grouping(requester_type) = 1 then 'all' else requester_type end as segment,
           count(*) as n_open
    from scoped
    where is_open_at(created_at, resolved_at, status, $start_at)
    group by grouping sets ((requester_type), ())
),
flows as (
    select created_week as week_start, requester_type, 1 as opened, 0 as stopped
    from scoped
    where created_at >= $start_at and created_at < $end_at
      and not stop_unknown(resolved_at, status)
    union all
    select resolved_week, requester_type, 0, 1
    from scoped
    where resolved_at >= $start_at and resolved_at < $end_at
),
weekly_flows as (
    select week_start, case when grouping(requester_type) = 1 then 'all' else requester_type end as segment,
           sum(opened) - sum(stopped) as net
    from flows
    group by grouping sets ((week_start, requester_type), (week_start))
),
backlog as (
    select w.week_start, w.segment,
           cast(coalesce(o.n_open, 0) + sum(coalesce(f.net, 0)) over (
               partition by w.segment order by w.week_start
           ) as bigint) as backlog_at_end
    from weeks as w
    left join weekly_flows as f using (week_start, segment)
    left join open_at_start as o using (segment)
),
promises as (
    select due_week as week_start,
           case when grouping(requester_type) = 1 then 'all' else requester_type end as segment,
           -- decided: kept or broken, as promises_kept.sql judges them
           count(*) filter (where promise_outcome(resolved_at, due_at, $as_of) <> 'pending') as n_promises_due,
           count(*) filter (where promise_outcome(resolved_at, due_at, $as_of) = 'kept') as n_promises_kept
    from scoped
    where due_at >= $start_at and due_at < $end_at
      and not stop_unknown(resolved_at, status)  -- neither kept nor broken: when it stopped is unknown
    group by grouping sets ((week_start, requester_type), (week_start))
),
final as (
    select
        w.week_start,
        w.segment,
        coalesce(v.n_created, 0) as n_created,
        coalesce(fro.fr_met, 0) as fr_met,
        coalesce(fro.fr_breached, 0) as fr_breached,
        fro.fr_goal,
        coalesce(ro.res_met, 0) as res_met,
        coalesce(ro.res_breached, 0) as res_breached,
        ro.res_goal,
        fr.median_frt_business_secs,
        coalesce(fr.n_first_responses, 0) as n_first_responses,
        coalesce(a.n_answers, 0) as n_answers,
        coalesce(a.n_satisfied, 0) as n_satisfied,
        a.mean_score,
        coalesce(rs.n_resolved, 0) as n_resolved,
        coalesce(b.backlog_at_end, 0) as backlog_at_end,
        coalesce(p.n_promises_due, 0) as n_promises_due,
        coalesce(p.n_promises_kept, 0) as n_promises_kept
    from weeks as w
    left join volume as v using (week_start, segment)
    left join first_response_outcomes as fro using (week_start, segment)
    left join resolution_outcomes as ro using (week_start, segment)
    left join first_responses as fr using (week_start, segment)
    left join answers as a using (week_start, segment)
    left join resolved as rs using (week_start, segment)
    left join backlog as b using (week_start, segment)
    left join promises as p using (week_start, segment)
)
select * from final
order by segment, week_start
