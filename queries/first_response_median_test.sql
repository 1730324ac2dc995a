-- first_response_median_test
-- Returns: one row per segment ('all', 'internal', 'external') with first responses in the two
--   weeks compared: n_before and n_now (first responses given in [$start_at, $split_at) and in
--   [$split_at, $end_at), as weekly_kpis counts n_first_responses), and n_above_before,
--   n_above_now: how many of each took longer (business seconds) than the two weeks' pooled
--   median. Mood's median test reads them as a 2x2 table (Fisher's exact test): whether the
--   median first response moved by more than chance could make.
-- Params: $start_at, $split_at, $end_at TIMESTAMPTZ, and the shared filters ($requester_type,
--   $requester_departments, $provider_departments, $provider_types, $priorities, $channels).
with timed as (
    select requester_type, fr_elapsed_business_secs as secs, fr_stopped_at >= $split_at as is_now
    from filtered_request_facts(
        $requester_type, $requester_departments, $provider_departments,
        $provider_types, $priorities, $channels
    )
    where fr_stopped_at >= $start_at and fr_stopped_at < $end_at
      and fr_elapsed_business_secs is not null
),
-- A request without a requester type counts in 'all' only, as in weekly_kpis.
pooled as (
    select case when grouping(requester_type) = 1 then 'all' else requester_type end as segment,
           median(secs) as pooled_median
    from timed
    group by grouping sets ((requester_type), ())
    having grouping(requester_type) = 1 or requester_type is not null
)
select
    p.segment,
    count(*) filter (where not t.is_now) as n_before,
    count(*) filter (where not t.is_now and t.secs > p.pooled_median) as n_above_before,
    count(*) filter (where t.is_now) as n_now,
    count(*) filter (where t.is_now and t.secs > p.pooled_median) as n_above_now
from pooled as p
join timed as t on p.segment = 'all' or t.requester_type = p.segment
group by p.segment
order by p.segment
