-- backlog
-- Returns: one row per ageing bucket, youngest first, for the requests open at $end_at:
--   bucket ('< 1 day', '1-3 days', '3-7 days', '7-30 days', '30+ days'; calendar age at $end_at),
--   bucket_order (1-5), n_open, n_past_deadline (open beyond their resolution deadline),
--   oldest_created_at. Every bucket appears, with 0 when empty.
--   Open at $end_at = created before it and not resolved or closed before it (is_open_at,
--   macros.sql: requests whose status is resolved or closed but whose export gives no
--   resolution time are left out, as when they stopped is unknown).
-- Params: $end_at TIMESTAMPTZ (the end of the period), and the shared filters $requester_type,
--   $requester_departments, $provider_departments, $provider_types, $priorities, $channels.
-- request_facts holds each request's resolution (or close) time and its resolution deadline, so
-- no join is needed (joining request_sla on (source, request_id) cost most of a second at 10 M).
with scoped as (
    select * from filtered_request_facts(
        $requester_type, $requester_departments, $provider_departments,
        $provider_types, $priorities, $channels
    )
),
open_requests as (
    select
        created_at,
        -- in microseconds: an interval from subtracting timestamps costs far more per row
        (epoch_us($end_at) - epoch_us(created_at)) / 86400e6 as age_days,
        res_deadline_at <= $end_at as is_past_deadline
    from scoped
    where is_open_at(created_at, resolved_at, status, $end_at)
),
buckets as (
    select * from (values
        (1, '< 1 day', 0, 1),
        (2, '1-3 days', 1, 3),
        (3, '3-7 days', 3, 7),
        (4, '7-30 days', 7, 30),
        (5, '30+ days', 30, null)
    ) as b(bucket_order, bucket, min_days, max_days)
),
aged as (
    select
        *,
        case
            when age_days < 1 then 1
            when age_days < 3 then 2
            when age_days < 7 then 3
            when age_days < 30 then 4
            else 5
        end as bucket_order
    from open_requests
),
per_bucket as (
    select
        bucket_order,
        count(*) as n_open,
        count(*) filter (where is_past_deadline) as n_past_deadline,
        min(created_at) as oldest_created_at
    from aged
    group by bucket_order
),
final as (
    select
        b.bucket,
        b.bucket_order,
        coalesce(p.n_open, 0) as n_open,
        coalesce(p.n_past_deadline, 0) as n_past_deadline,
        p.oldest_created_at
    from buckets as b
    left join per_bucket as p using (bucket_order)
)
select * from final
order by bucket_order
