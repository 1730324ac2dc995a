-- calendar_inverse
-- The business clock's inverse. Inside one open piece of an hour the clock runs with UTC time,
-- so the instant it reaches C is C + shift_secs, where shift_secs = (the piece's start, epoch
-- seconds) - (the clock there). Clock values are cut into buckets of bucket_secs, the greatest
-- common divisor of every piece's length: pieces start and end on bucket edges, so bucket k,
-- the values (k * bucket_secs, (k + 1) * bucket_secs], lies inside one piece, and a deadline is
-- one equality join on k = (C - 1) // bucket_secs (whole hours make 3600-second buckets; a
-- 09:30 opening, 1800). k_id = calendar_id * (largest k + 1) + k is the dense join key. The row
-- k_id = -1 (shift NULL) stands for "no deadline" so that every request finds a row.
-- Params: none (reads calendar_hours)
create or replace table calendar_inverse as
with pieces as (
    select
        calendar_id,
        cast(hour_key as bigint) * 3600 + s1_from as start_s,
        cum_secs as start_clock,
        s1_to - s1_from as open_secs
    from calendar_hours
    where s1_to > s1_from
    union all
    select
        calendar_id,
        cast(hour_key as bigint) * 3600 + s2_from,
        cum_secs + s1_to - s1_from,
        s2_to - s2_from
    from calendar_hours
    where s2_to > s2_from
),
bucket as (
    select list_reduce(list(distinct open_secs), lambda a, b: gcd(a, b)) as secs from pieces
),
buckets as (
    select p.calendar_id, k, p.start_s - p.start_clock as shift_secs
    from pieces as p
    cross join bucket as b
    cross join unnest(generate_series(
        p.start_clock // b.secs, (p.start_clock + p.open_secs) // b.secs - 1
    )) as ks(k)
),
k_span as (
    select max(k) + 1 as n_k from buckets
),
final as (
    select
        cast(calendar_id as bigint) * (select n_k from k_span) + k as k_id,
        calendar_id,
        cast(k as bigint) as k,
        shift_secs,
        (select secs from bucket) as bucket_secs
    from buckets
)
select * from final
union all
select -1, -1, -1, NULL, (select secs from bucket)
order by k_id
