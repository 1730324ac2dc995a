-- feedback_theme_weeks
-- Returns: one row per ISO week (Monday start, organisation time zone) in [$start_at, $end_at)
--   and dimension x polarity of data/themes.toml: week_start DATE, dimension, polarity,
--   n_comments (comments touching any theme of that dimension and polarity), n_all_comments
--   (every comment that week, for the share). Weeks without comments have no rows.
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
final as (
    select t.week_start, t.dimension, t.polarity, count(*) as n_comments, w.n_all_comments
    from touches as t
    join weekly_totals as w using (week_start)
    group by all
)
select * from final
order by week_start, dimension, polarity
