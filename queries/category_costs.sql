-- category_costs
-- Returns: one row per category of the requests created in [$start_at, $end_at), most requests
--   first: category ('(no category)' when none), n_requests, share (of all requests in scope,
--   0-1), n_resolved, business_hours (business time from
--   creation to resolution of the requests resolved by the as-of instant, waiting statuses
--   excluded, in the calendar of each request's SLA policy; requests without a policy add
--   nothing), n_breaches (first-response and resolution targets breached), n_answers (survey
--   answers about these requests, whenever given), n_dissatisfied (answers scoring below 3 of
--   5), examples: up to 3 requests, costliest first (most breached targets, then most business
--   time), as structs (source, request_id, subject).
--   SLA states are as of the last refresh of request_facts (servicelevel/sql/request_facts.sql).
-- Params: $start_at, $end_at TIMESTAMPTZ, and the shared filters ($requester_type,
--   $requester_departments, $provider_departments, $provider_types, $priorities, $channels).
with scoped as (
    select *
    from filtered_request_facts(
        $requester_type, $requester_departments, $provider_departments,
        $provider_types, $priorities, $channels
    )
    where created_at >= $start_at and created_at < $end_at
),
final as (
    select
        coalesce(category, '(no category)') as category,
        count(*) as n_requests,
        count(*) / sum(count(*)) over () as share,
        count(business_secs) as n_resolved,
        coalesce(sum(business_secs), 0) / 3600.0 as business_hours,
        sum(n_breaches) as n_breaches,
        sum(n_answers) as n_answers,
        sum(n_dissatisfied) as n_dissatisfied,
        -- A narrow struct: building a wide one for every request costs more than the rest.
        max_by(
            {'source': source, 'request_id': request_id, 'subject': subject},
            n_breaches * 1e12 + coalesce(business_secs, 0),
            3
        ) as examples
    from scoped
    group by all
)
select * from final
order by n_requests desc, category
