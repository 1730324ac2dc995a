-- feedback_themes
-- Returns: the comments of the survey answers submitted in [$start_at, $end_at) about requests
--   in scope, by theme of data/themes.toml (answer_facts.themes), one row per:
--     level 'theme':     theme, label, dimension, polarity, theme_order, n_comments (touching
--                        the theme), n_satisfied, n_dissatisfied, sum_score, examples (the 3
--                        newest comments);
--     level 'dimension': dimension, polarity, n_comments (touching any theme of it);
--     level 'total':     n_comments (all comments), n_classified (touching any theme).
--   Columns a level does not use are NULL.
-- Params: $start_at, $end_at TIMESTAMPTZ, and the shared filters ($requester_type,
--   $requester_departments, $provider_departments, $provider_types, $priorities, $channels).
with comments as (
    select submitted_at, score, comment, themes,
           row_number() over () as answer_no
    from filtered_answers(
        $requester_type, $requester_departments, $provider_departments,
        $provider_types, $priorities, $channels
    )
    where submitted_at >= $start_at and submitted_at < $end_at and comment is not null
),
touches as (
    select c.answer_no, c.submitted_at, c.score, c.comment, l.*
    from (select *, unnest(themes) as theme from comments) as c
    join theme_lexicon as l using (theme)
),
by_theme as (
    select
        'theme' as level, theme, label, dimension, polarity, theme_order,
        count(*) as n_comments,
        count(*) filter (where score >= 4) as n_satisfied,
        count(*) filter (where score < 3) as n_dissatisfied,
        sum(score) as sum_score,
        list_distinct(list(comment order by submitted_at desc))[1:3] as examples,
        null::bigint as n_classified
    from touches
    group by all
),
by_dimension as (
    select
        'dimension' as level,
        dimension,
        polarity,
        count(distinct answer_no) as n_comments
    from touches
    group by all
),
total as (
    select
        'total' as level,
        count(*) as n_comments,
        count(*) filter (where len(themes) > 0) as n_classified
    from comments
),
final as (
    select * exclude (n_classified) from by_theme
    union all by name
    select * from by_dimension
    union all by name
    select * from total
)
select * from final
order by level, theme_order, dimension, polarity
