-- calendar_hours
-- The business clock per calendar and UTC hour: hour_key = epoch seconds // 3600,
-- cum_secs = open seconds from the clock's origin to the hour's start, and the (at most two)
-- open spans inside the hour as second offsets [s1_from, s1_to) and [s2_from, s2_to)
-- (0, 0 when absent). clock(ts) = cum_secs + clamp(s - s1_from, 0, s1_to - s1_from)
-- + clamp(s - s2_from, 0, s2_to - s2_from), s = seconds into the hour. kind says which hours
-- need that arithmetic: 0 closed (clock = cum_secs), 1 open all hour (cum_secs + s), 2 partly
-- open (base_secs + least(greatest(s, s1_from), s1_to) + least(greatest(s, s2_from), s2_to),
-- base_secs = cum_secs - s1_from - s2_from); most timestamps fall in kind 0 or 1 hours.
-- hour_id = calendar_id * (hours per calendar) + hours since $first_hour: one dense integer
-- key, which DuckDB joins on without hashing. The extra row hour_id = -1 stands for "no
-- instant or no calendar" (its clock is NULL) so that every request finds a row.
-- Params: $calendar_ids, $span_starts, $span_ends (open spans, epoch seconds, merged and
--   sorted per calendar), $n_calendars, $first_hour, $end_hour (hour keys, end exclusive)
create or replace table calendar_hours as
with spans as (
    select
        unnest($calendar_ids) as calendar_id,
        unnest($span_starts) as span_start,
        unnest($span_ends) as span_end
),
pieces as (
    select
        calendar_id,
        hour_key,
        greatest(span_start - hour_key * 3600, 0) as piece_from,
        least(span_end - hour_key * 3600, 3600) as piece_to
    from spans
    cross join unnest(generate_series(span_start // 3600, (span_end - 1) // 3600)) as hours(hour_key)
),
numbered as (
    select *, row_number() over (partition by calendar_id, hour_key order by piece_from) as n
    from pieces
),
per_hour as (
    select
        calendar_id,
        hour_key,
        coalesce(max(piece_from) filter (where n = 1), 0) as s1_from,
        coalesce(max(piece_to) filter (where n = 1), 0) as s1_to,
        coalesce(max(piece_from) filter (where n = 2), 0) as s2_from,
        coalesce(max(piece_to) filter (where n = 2), 0) as s2_to
    from numbered
    group by calendar_id, hour_key
),
grid as (
    select calendar_id, hour_key
    from range($n_calendars) as calendars(calendar_id)
    cross join range($first_hour, $end_hour) as hours(hour_key)
),
final as (
    select
        cast(g.calendar_id as bigint) * ($end_hour - $first_hour) + (g.hour_key - $first_hour) as hour_id,
        cast(g.calendar_id as integer) as calendar_id,
        cast(g.hour_key as integer) as hour_key,
        cast(coalesce(sum(coalesce(p.s1_to - p.s1_from + p.s2_to - p.s2_from, 0)) over (
            partition by g.calendar_id order by g.hour_key
            rows between unbounded preceding and 1 preceding
        ), 0) as bigint) as cum_secs,
        cast(coalesce(p.s1_from, 0) as smallint) as s1_from,
        cast(coalesce(p.s1_to, 0) as smallint) as s1_to,
        cast(coalesce(p.s2_from, 0) as smallint) as s2_from,
        cast(coalesce(p.s2_to, 0) as smallint) as s2_to
    from grid as g
    left join per_hour as p using (calendar_id, hour_key)
),
classified as (
    select
        *,
        cast(case
            when s1_to = s1_from then 0
            when s1_from = 0 and s1_to = 3600 then 1
            else 2
        end as utinyint) as kind,
        cum_secs - s1_from - s2_from as base_secs
    from final
)
select * from classified
union all
select -1, -1, -1, NULL, 0, 0, 0, 0, 0, NULL  -- no instant, no calendar: no clock value
order by hour_id
