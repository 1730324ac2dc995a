-- feedback_theme_weeks
-- Returns: one row per ISO week (Monday start, organisation time zone) in [$start_at, $end_at)
--   and dimension x polarity of data/themes.toml: week_start DATE, dimension, polarity,
--   n_comments (comments touching any theme of that dimension and polarity), n_all_comments
--   (every comment that week, for the share). Each dimension x polarity touched in the span has a
--   row on every week with comments, n_comments 0 where none touched it (a line drawn from week to
--   week would otherwise run straight across weeks without such comments). Weeks without any
--   comment have no rows: their share is undefined.
-- Params: $start_at, $end_at TIMESTAMPTZ, $timezone VARCHAR, and the shared filters
--   ($requester_type, $requester_departments, $provider_departments, $provider_types,
--   $priorities, $channels).
with comments as (
    select
        cast(date_trunc('week', timezone($timezone, submitted_at)) as date) as week_start,
        themes,
        row_number() over () as answer_no
    from filtered_answers(
        $requester_type, $requester_departments, $provider_departments,
        $provider_types, $priorities, $channels
    )
    where submitted_at >= $start_at and submitted_at < $end_at and comment is not null
),
weekly_totals as (
    select week_start, count(*) as n_all_comments
    from comments
    group by week_start
),
touches as (
    select distinct c.week_start, c.answer_no, l.dimension, l.polarity
    from (select week_start, answer_no, unnest(themes) as theme from comments) as c
    join theme_lexicon as l using (theme)
),
counted as (
    select week_start, dimension, polarity, count(*) as n_comments
    from touches
    group by all
),
final as (
    select w.week_start, p.dimension, p.polarity, coalesce(c.n_comments, 0) as n_comments, w.n_all_comments
    from weekly_totals as w
    cross join (select distinct dimension, polarity from touches) as p
    left join counted as c using (week_start, dimension, polarity)
)
select * from final
order by week_start, dimension, polarity
