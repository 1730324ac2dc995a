-- request_search
-- Returns: up to 50 requests whose id starts with $prefix (case-insensitive), newest first:
--   source, request_id, created_at, status, provider_department, subject.
-- Params: $prefix VARCHAR
select source, request_id, created_at, status, provider_department, subject
from requests
where starts_with(lower(request_id), lower($prefix))
order by created_at desc
limit 50
