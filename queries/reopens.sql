-- reopens
-- Returns: one row per category of the requests resolved in [$start_at, $end_at), and a first
--   row for all of them (is_total = true, category NULL), then most reopened first:
--   category ('(no category)' when none), n_resolved, n_reopen_known (those whose export gives a
--   reopen count), n_reopened (reopen_count > 0), reopen_rate (n_reopened / n_reopen_known),
--   n_touch_known (those whose export gives a reassignment count), n_one_touch
--   (reassignment_count = 0: resolved by the first assignee), one_touch_rate (n_one_touch /
--   n_touch_known); a count and its rate are NULL when none is known.
--   Resolved = resolved_at in the period (request_facts: closed_at stands in where the export
--   gives no resolution time), whenever the request was created; a source without reopen
--   or reassignment counts is left out of that rate instead of counting as never reopened.
-- Params: $start_at, $end_at TIMESTAMPTZ, and the shared filters ($requester_type,
--   $requester_departments, $provider_departments, $provider_types, $priorities, $channels).
-- request_facts is sorted by creation, and most requests are resolved within days of it: the
-- period's resolutions sit in few row groups, which a scan of requests could not skip.
with resolved as (
    select coalesce(category, '(no category)') as category, reopen_count, reassignment_count
    from filtered_request_facts(
        $requester_type, $requester_departments, $provider_departments,
        $provider_types, $priorities, $channels
    )
    where resolved_at >= $start_at and resolved_at < $end_at
),
final as (
    select
        grouping(category) = 1 as is_total,
        category,
        count(*) as n_resolved,
        count(reopen_count) as n_reopen_known,
        -- NULL, not 0, where no export gives the count: "one-touch 0" read as none fixed first time.
        case when n_reopen_known > 0 then count(*) filter (where reopen_count > 0) end as n_reopened,
        n_reopened / nullif(n_reopen_known, 0) as reopen_rate,
        count(reassignment_count) as n_touch_known,
        case when n_touch_known > 0 then count(*) filter (where reassignment_count = 0) end as n_one_touch,
        n_one_touch / nullif(n_touch_known, 0) as one_touch_rate
    from resolved
    group by grouping sets ((category), ())
)
select * from final
order by is_total desc, n_reopened desc, reopen_rate desc nulls last, category
