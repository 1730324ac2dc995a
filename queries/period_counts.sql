-- period_counts
-- Returns: one row: n_in_period (requests created in [$start_at, $end_at), unfiltered) and
--   n_filtered (the same, after the sidebar filters) — used to explain empty views.
-- Params: $start_at, $end_at, and the shared filters.
select
    (select count(*) from requests where created_at >= $start_at and created_at < $end_at) as n_in_period,
    (
        select count(*)
        from filtered_requests(
            $requester_type, $requester_departments, $provider_departments,
            $provider_types, $priorities, $channels
        )
        where created_at >= $start_at and created_at < $end_at
    ) as n_filtered
