-- request_by_id
-- Returns: the requests whose id is $request_id in any letter case, one per source holding it
-- (as typed or pasted; an id is usually unique across sources):
--   source, request_id, created_at, status, provider_department, subject.
-- Params: $request_id VARCHAR
select source, request_id, created_at, status, provider_department, subject
from requests
where lower(request_id) = lower($request_id)
order by source
