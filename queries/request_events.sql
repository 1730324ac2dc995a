-- request_events
-- Returns: the status history of one request, oldest first: event_at, kind, from_status,
--   to_status, provider_department, agent.
-- Params: $source, $request_id
select event_at, kind, from_status, to_status, provider_department, agent
from events
where source = $source and request_id = $request_id
order by event_at
