-- feedback_followup
-- Returns: the survey answers submitted in [$start_at, $end_at) about requests in scope that
--   scored below 3 of 5 (1-2) and left a comment, newest first, at most $max_rows rows:
--   submitted_at, request_id, score (1-5), comment, provider_department, agent, sla_outcome
--   ('breached' / 'met' / 'no SLA decided', as feedback_breakdown defines it), themes (labels,
--   comma-separated), requester (department for internal requesters, organisation for external,
--   else "requester <id>"), requester_type, category, channel, source, score_raw, scale,
--   fr_state, res_state, n_total (how many answers qualify, before $max_rows).
-- Params: $start_at, $end_at TIMESTAMPTZ, $max_rows INTEGER, and the shared filters
--   ($requester_type, $requester_departments, $provider_departments, $provider_types,
--   $priorities, $channels).
with unhappy as (
    select *, count(*) over () as n_total
    from filtered_answers(
        $requester_type, $requester_departments, $provider_departments,
        $provider_types, $priorities, $channels
    )
    where submitted_at >= $start_at and submitted_at < $end_at
      and score < 3
      and comment is not null
    order by submitted_at desc, source, request_id
    limit $max_rows
),
final as (
    select
        u.submitted_at,
        u.request_id,
        u.score,
        u.comment,
        -- Who should act on it, in view beside the comment; the answer's particulars after.
        u.provider_department,
        u.agent,
        case
            when u.fr_state = 'breached' or u.res_state = 'breached' then 'breached'
            when u.fr_state = 'met' or u.res_state = 'met' then 'met'
            else 'no SLA decided'
        end as sla_outcome,
        (
            select string_agg(l.label, ', ' order by l.theme_order)
            from theme_lexicon as l
            where list_contains(u.themes, l.theme)
        ) as themes,
        coalesce(
            case when u.requester_type = 'internal' then u.requester_department else u.requester_org end,
            'requester ' || u.requester_id
        ) as requester,
        u.requester_type,
        u.category,
        u.channel,
        u.source,
        u.score_raw,
        u.scale,
        u.fr_state,
        u.res_state,
        u.n_total
    from unhappy as u
)
select * from final
order by submitted_at desc, source, request_id
