-- request_search
-- Returns: up to $max_rows requests whose id starts with $prefix (case-insensitive), newest first:
--   source, request_id, created_at, status, provider_department, subject, and n_matching (how many
--   ids start with it in all, so that a list cut short can say so).
-- Params: $prefix VARCHAR, $max_rows INTEGER
select
    source, request_id, created_at, status, provider_department, subject,
    count(*) over () as n_matching
from requests
where starts_with(lower(request_id), lower($prefix))
order by created_at desc
limit $max_rows
