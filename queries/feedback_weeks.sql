-- feedback_weeks
-- Returns: one row per ISO week (Monday start, organisation time zone) in [$start_at, $end_at):
--   week_start DATE, n_answers (survey answers submitted that week about requests in scope),
--   n_satisfied (score >= 4 of 5), n_neutral (3 <= score < 4), n_dissatisfied (score < 3),
--   sum_score and sum_score_squares (for the mean, and its spread), n_resolved (requests in
--   scope resolved or closed that week: the response rate's denominator, from
--   request_facts.resolved_week). Scores are normalised to 1-5 on import.
-- Params: $start_at, $end_at TIMESTAMPTZ, $timezone VARCHAR (the organisation's, as
--   request_facts.resolved_week was computed with), and the shared
--   filters ($requester_type, $requester_departments, $provider_departments, $provider_types,
--   $priorities, $channels).
with weeks as (
    select cast(range as date) as week_start
    from range(
        cast(date_trunc('week', timezone($timezone, $start_at)) as date),
        cast(timezone($timezone, $end_at) as date),
        interval 7 day
    )
),
answers as (
    select
        cast(date_trunc('week', timezone($timezone, submitted_at)) as date) as week_start,
        count(*) as n_answers,
        count(*) filter (where score >= 4) as n_satisfied,
        count(*) filter (where score >= 3 and score < 4) as n_neutral,
        count(*) filter (where score < 3) as n_dissatisfied,
        sum(score) as sum_score,
        sum(score * score) as sum_score_squares
    from filtered_answers(
        $requester_type, $requester_departments, $provider_departments,
        $provider_types, $priorities, $channels
    )
    where submitted_at >= $start_at and submitted_at < $end_at
    group by all
),
resolved as (
    select resolved_week as week_start, count(*) as n_resolved
    from filtered_request_facts(
        $requester_type, $requester_departments, $provider_departments,
        $provider_types, $priorities, $channels
    )
    where resolved_at >= $start_at and resolved_at < $end_at
    group by all
),
final as (
    select
        w.week_start,
        coalesce(a.n_answers, 0) as n_answers,
        coalesce(a.n_satisfied, 0) as n_satisfied,
        coalesce(a.n_neutral, 0) as n_neutral,
        coalesce(a.n_dissatisfied, 0) as n_dissatisfied,
        coalesce(a.sum_score, 0) as sum_score,
        coalesce(a.sum_score_squares, 0) as sum_score_squares,
        coalesce(r.n_resolved, 0) as n_resolved
    from weeks as w
    left join answers as a using (week_start)
    left join resolved as r using (week_start)
)
select * from final
order by week_start
