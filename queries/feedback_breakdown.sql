-- feedback_breakdown
-- Returns: one row per (dimension, value) over the survey answers submitted in
--   [$start_at, $end_at) about requests in scope: dimension, value, n_answers, n_satisfied
--   (score >= 4 of 5), n_neutral (3 <= score < 4), n_dissatisfied (score < 3), sum_score.
--   Dimensions and their values:
--     all            'all'
--     score          '1'..'5': the whole part of the normalised score
--     scale          the survey's own scale (1-5, 1-10, nps, good_bad)
--     channel, provider_type   ('(none)' when the request has none)
--     provider_department   ('(no provider department)' when it has none, as in the other breakdowns)
--     requester_department   internal requesters only
--     sla_outcome    'breached' (a first-response or resolution target breached), 'met' (none
--                    breached, at least one met), 'no SLA decided' (as of when answer_facts was built)
--     first_response business time to the first response: 'under 1 h', '1-4 h', '4-8 h',
--                    '8-24 h', '24 h or more', 'not recorded'
--     reopened       'reopened' (reopen_count > 0), 'not reopened', 'not recorded'
--     reassigned     'reassigned' (reassignment_count > 0), 'not reassigned', 'not recorded'
-- Params: $start_at, $end_at TIMESTAMPTZ, and the shared filters ($requester_type,
--   $requester_departments, $provider_departments, $provider_types, $priorities, $channels).
with answers as (
    select
        score,
        cast(least(floor(score), 5) as integer)::varchar as score_band,
        coalesce(scale, '(none)') as scale,
        coalesce(channel, '(none)') as channel,
        coalesce(provider_department, '(no provider department)') as provider_department,
        coalesce(provider_type, '(none)') as provider_type,
        case when requester_type = 'internal' then coalesce(requester_department, '(none)') end
            as requester_department,
        case
            when fr_state = 'breached' or res_state = 'breached' then 'breached'
            when fr_state = 'met' or res_state = 'met' then 'met'
            else 'no SLA decided'
        end as sla_outcome,
        case
            when fr_elapsed_business_secs is null then 'not recorded'
            when fr_elapsed_business_secs < 3600 then 'under 1 h'
            when fr_elapsed_business_secs < 4 * 3600 then '1-4 h'
            when fr_elapsed_business_secs < 8 * 3600 then '4-8 h'
            when fr_elapsed_business_secs < 24 * 3600 then '8-24 h'
            else '24 h or more'
        end as first_response,
        case
            when reopen_count is null then 'not recorded'
            when reopen_count > 0 then 'reopened'
            else 'not reopened'
        end as reopened,
        case
            when reassignment_count is null then 'not recorded'
            when reassignment_count > 0 then 'reassigned'
            else 'not reassigned'
        end as reassigned
    from filtered_answers(
        $requester_type, $requester_departments, $provider_departments,
        $provider_types, $priorities, $channels
    )
    where submitted_at >= $start_at and submitted_at < $end_at
),
grouped as (
    select
        case
            when grouping(score_band) = 0 then 'score'
            when grouping(scale) = 0 then 'scale'
            when grouping(channel) = 0 then 'channel'
            when grouping(provider_department) = 0 then 'provider_department'
            when grouping(provider_type) = 0 then 'provider_type'
            when grouping(requester_department) = 0 then 'requester_department'
            when grouping(sla_outcome) = 0 then 'sla_outcome'
            when grouping(first_response) = 0 then 'first_response'
            when grouping(reopened) = 0 then 'reopened'
            when grouping(reassigned) = 0 then 'reassigned'
            else 'all'
        end as dimension,
        coalesce(score_band, scale, channel, provider_department, provider_type, requester_department,
                 sla_outcome, first_response, reopened, reassigned, 'all') as value,
        grouping(requester_department) = 0 and requester_department is null as is_external_only,
        count(*) as n_answers,
        count(*) filter (where score >= 4) as n_satisfied,
        count(*) filter (where score >= 3 and score < 4) as n_neutral,
        count(*) filter (where score < 3) as n_dissatisfied,
        sum(score) as sum_score
    from answers
    group by grouping sets (
        (), (score_band), (scale), (channel), (provider_department), (provider_type),
        (requester_department), (sla_outcome), (first_response), (reopened), (reassigned)
    )
),
final as (
    -- requester_department is NULL for external requesters: that group is not a department.
    -- (The grand total of no answers at all is a row of zeros: left out, so no answers = no rows.)
    select * exclude (is_external_only)
    from grouped
    where not is_external_only and n_answers > 0
)
select * from final
order by dimension, n_answers desc, value
