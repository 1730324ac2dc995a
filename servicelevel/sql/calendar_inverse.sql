-- calendar_inverse
-- The business clock's inverse: one row per (calendar, business hour k, UTC hour) whose clock
-- range (cum_secs, cum_secs + open_secs] overlaps (k * 3600, (k + 1) * 3600]. The instant the
-- clock reaches C is in the row with k = ceil(C / 3600) - 1 and cum_secs < C <= cum_secs + open_secs,
-- at offset C - cum_secs into that hour's open spans; end_secs = cum_secs + open_secs.
-- k_id = calendar_id * (largest k + 1) + k is the dense join key; the row k_id = -1 stands for
-- "no deadline" so that every request finds a row: its (cum_secs, end_secs] spans every clock
-- value (and 0, which a missing one is read as), so the join needs no OR.
-- Params: none (reads calendar_hours)
create or replace table calendar_inverse as
with open_hours as (
    select *, cast(s1_to - s1_from + s2_to - s2_from as integer) as open_secs
    from calendar_hours
    where s1_to > s1_from
),
k_span as (
    select max((cum_secs + open_secs - 1) // 3600) + 1 as n_k from open_hours
),
final as (
    select
        cast(calendar_id as bigint) * (select n_k from k_span) + k as k_id,
        calendar_id,
        cast(k as bigint) as k,
        hour_key,
        cum_secs,
        open_secs,
        cum_secs + open_secs as end_secs,
        s1_from,
        s1_to,
        s2_from
    from open_hours
    cross join unnest(generate_series(cum_secs // 3600, (cum_secs + open_secs - 1) // 3600)) as ks(k)
)
select * from final
union all
select -1, -1, -1, -1, -1000000000000000000, 0, 1000000000000000000, 0, 0, 0
order by k_id, hour_key
