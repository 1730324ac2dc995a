-- duration_histogram
-- Returns: the distribution of first-response or resolution times of requests whose clock
--   stopped in [$start_at, $end_at), binned in SQL (no per-request rows leave the database):
--   bin_start_hours, bin_end_hours, n_requests, plus on every row n_total, median_hours,
--   p90_hours and target_hours (the most common target among them, of equally common ones the
--   tighter).
--   $metric: 'first_response' | 'resolution'; $clock: 'business' | 'calendar'; $bin_hours: width;
--   durations of $max_hours or more share the last bin (its bin_end_hours is NULL: "and over").
-- Params: $metric, $clock, $bin_hours, $max_hours DOUBLE, $start_at, $end_at, and the shared filters.
with scoped as (
    select *
    from filtered_request_facts(
        $requester_type, $requester_departments, $provider_departments,
        $provider_types, $priorities, $channels
    )
),
durations as (
    select
        case $metric
            when 'first_response' then
                case $clock when 'business' then fr_elapsed_business_secs else fr_elapsed_calendar_secs end
            else
                case $clock when 'business' then res_elapsed_business_secs else res_elapsed_calendar_secs end
        end / 3600.0 as hours,
        case $metric when 'first_response' then fr_target_secs else res_target_secs end / 3600.0 as target_hours
    from scoped
    where case $metric when 'first_response' then fr_stopped_at else res_stopped_at end >= $start_at
      and case $metric when 'first_response' then fr_stopped_at else res_stopped_at end < $end_at
),
summary as (
    select
        count(hours) as n_total,
        median(hours) as median_hours,
        quantile_cont(hours, 0.9) as p90_hours,
        mode(target_hours order by target_hours) as target_hours  -- of equally common, the tighter
    from durations
),
bins as (
    select floor(least(hours, $max_hours) / $bin_hours) * $bin_hours as bin_start_hours, count(*) as n_requests
    from durations
    where hours is not null
    group by all
),
final as (
    select
        b.bin_start_hours,
        case when b.bin_start_hours + $bin_hours <= $max_hours then b.bin_start_hours + $bin_hours end as bin_end_hours,
        b.n_requests,
        s.*
    from bins as b
    cross join summary as s
)
select * from final
order by bin_start_hours
