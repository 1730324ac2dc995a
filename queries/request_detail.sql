-- request_detail
-- Returns: the request ($source, $request_id) with its SLA state per metric as of $as_of
--   (zero or one row): every requests column plus the sla_states columns.
-- Params: $source, $request_id, $as_of
select r.*, s.* exclude (source, request_id, created_at)
from requests as r
left join sla_states($as_of) as s using (source, request_id)
where r.source = $source and r.request_id = $request_id
