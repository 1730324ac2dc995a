-- request_events
-- Returns: the status history of one request, oldest first: event_at, kind, from_status,
--   to_status, provider_department, agent. Changes at the same instant are listed in the order
--   the SLA clock takes them (key_requests.sql): one followed by another at that instant first.
-- Params: $source, $request_id
select event_at, kind, from_status, to_status, provider_department, agent
from events
where source = $source and request_id = $request_id
order by event_at, coalesce(next_status_at = event_at, false) desc, rowid
