-- answer_facts
-- Derived tables for the Feedback page, rebuilt by servicelevel/feedback.py after imports and
-- SLA refreshes (and whenever data/themes.toml changes). Joining every survey answer to its
-- request and SLA state at query time means scanning every request; these tables hold that
-- join once, ordered by submission so a period reads only its own row groups.
--   answer_facts: one row per survey answer whose request is known: the answer (score 1-5,
--     comment, its themes), the request's fields the filters and breakdowns use, and its SLA
--     states as of $as_of (NULL states: no SLA computed for it).
--   theme_lexicon: theme, label, dimension, polarity, theme_order (as data/themes.toml lists them).
--   filtered_answers(...): answer_facts narrowed by the shared sidebar filters, with exactly
--     the semantics of filtered_requests() in macros.sql (tests/test_feedback.py checks this).
-- Expects the temporary table answer_themes(comment, themes) (comment_themes.sql).
-- Params: $as_of TIMESTAMPTZ; $theme_names, $theme_labels, $theme_dimensions,
--   $theme_polarities VARCHAR[] (the lexicon's themes, in order)

create or replace table answer_facts as
with answers as (
    select
        request_source as source,
        request_id,
        submitted_at,
        score,
        score_raw,
        scale,
        nullif(trim(comment), '') as comment,
        language,
        survey_source
    from feedback
    where request_source is not null and score is not null
),
final as (
    select
        a.*,
        coalesce(t.themes, []) as themes,
        r.created_at,
        coalesce(r.resolved_at, r.closed_at) as resolved_at,
        r.requester_type,
        r.requester_id,
        r.requester_department,
        r.requester_org,
        r.provider_department,
        r.provider_type,
        r.priority,
        r.channel,
        r.category,
        r.subject,
        r.agent,
        r.reopen_count,
        r.reassignment_count,
        s.policy_name,
        s.fr_state,
        s.res_state,
        s.fr_elapsed_business_secs
    from answers as a
    join requests as r using (source, request_id)
    left join sla_states($as_of) as s using (source, request_id)
    left join answer_themes as t on t.comment = a.comment
)
select * from final
order by submitted_at;

create or replace table theme_lexicon as
select
    unnest($theme_names::varchar[]) as theme,
    unnest($theme_labels::varchar[]) as label,
    unnest($theme_dimensions::varchar[]) as dimension,
    unnest($theme_polarities::varchar[]) as polarity,
    generate_subscripts($theme_names::varchar[], 1) as theme_order;

create or replace macro filtered_answers(
    requester_type, requester_departments, provider_departments, provider_types, priorities, channels
) as table
select *
from answer_facts
where (requester_type = '' or answer_facts.requester_type = requester_type)
  and (len(requester_departments) = 0 or list_contains(requester_departments, answer_facts.requester_department))
  and (len(provider_departments) = 0 or list_contains(provider_departments, answer_facts.provider_department))
  and (len(provider_types) = 0 or list_contains(provider_types, answer_facts.provider_type))
  and (len(priorities) = 0 or list_contains(priorities, answer_facts.priority))
  and (len(channels) = 0 or list_contains(channels, answer_facts.channel));
