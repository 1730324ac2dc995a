-- faq_candidates
-- Returns: one row per subject key (request_facts.subject_key, see servicelevel/sql/subject_keys.sql:
--   the subject lowercased, accents folded, numbers, ids, e-mails, URLs and stop words removed)
--   among the requests
--   created in [$start_at, $end_at), most requests first, at most $max_rows rows: subject_key,
--   n_requests, share (of the requests with a non-empty key, 0-1), n_requesters, n_variants
--   (distinct wordings: subjects alike up to case and numbers are one), examples (the 3
--   most common wordings, each as one of its original subjects, without its ticket references),
--   top_category, top_provider_department, newest_source and newest_request_id (the newest
--   request in the group), first_created_at, last_created_at.
-- Params: $start_at, $end_at TIMESTAMPTZ, $max_rows INTEGER, and the shared filters
--   ($requester_type, $requester_departments, $provider_departments, $provider_types,
--   $priorities, $channels).
with keyed as (
    select source, request_id, created_at, subject, subject_key, category, provider_department, requester_id
    from filtered_request_facts(
        $requester_type, $requester_departments, $provider_departments,
        $provider_types, $priorities, $channels
    )
    where created_at >= $start_at and created_at < $end_at and subject_key <> ''
),
counted as (
    select subject_key, count(*) as n_requests
    from keyed
    group by subject_key
),
top_groups as (
    select subject_key, n_requests, n_requests / sum(n_requests) over () as share
    from counted
    order by n_requests desc, subject_key
    limit $max_rows
),
-- The details only for the groups shown: distinct counts over every group cost the most.
top_rows as (
    select k.*
    from keyed as k
    semi join top_groups as t using (subject_key)
),
-- A wording is a subject up to case, spacing and its numbers: "Order 1041 has not arrived",
-- "order 2210 has not arrived" and "Order has not arrived #5001" are one way of asking, not three
-- (a number is dropped with a '#' before it); each is shown by its most common original subject
-- (of equally common ones, one in mixed case before one all in capitals or all in lower case,
-- then the first in byte order: arg_max picked either, and the page changed between runs), less
-- any ticket reference ("#11439"): the wording leaves it out, and "VPN muito lenta #11439" read as
-- one request's subject, not the question asked. The subjects are counted first, so each distinct
-- one is rewritten once.
subjects as (
    select subject_key, subject, count(*) as n
    from top_rows
    group by all
),
variants as (
    select
        subject_key,
        trim(regexp_replace(regexp_replace(lower(subject), '#?[0-9]+', ' ', 'g'), '\s+', ' ', 'g')) as wording,
        sum(n) as n,
        first(subject order by n desc, subject = upper(subject), subject = lower(subject), subject)
            as example
    from subjects
    group by all
),
examples as (
    select
        subject_key,
        count(*) as n_variants,
        -- (A subject that is nothing but a reference has no subject key: it is in no group.)
        list(trim(regexp_replace(example, '\s*#[0-9]+', '', 'g')) order by n desc, wording)[1:3] as examples
    from variants
    group by subject_key
),
details as (
    select
        subject_key,
        count(distinct requester_id) as n_requesters,
        -- Ties broken by name, and the newest by id: mode and arg_max alone picked either.
        mode(category order by category) as top_category,
        mode(provider_department order by provider_department) as top_provider_department,
        first({'source': source, 'request_id': request_id} order by created_at desc, source, request_id) as newest,
        min(created_at) as first_created_at,
        max(created_at) as last_created_at
    from top_rows
    group by subject_key
),
final as (
    select
        t.subject_key,
        t.n_requests,
        t.share,
        d.n_requesters,
        e.n_variants,
        e.examples,
        d.top_category,
        d.top_provider_department,
        d.newest.source as newest_source,
        d.newest.request_id as newest_request_id,
        d.first_created_at,
        d.last_created_at
    from top_groups as t
    join details as d using (subject_key)
    join examples as e using (subject_key)
)
select * from final
order by n_requests desc, subject_key
