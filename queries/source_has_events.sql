-- source_has_events
-- Returns: has_events (whether any status-history event of the source is stored), so that a
--   request without a status history can say whether its source keeps one at all.
-- Params: $source
select count(*) > 0 as has_events
from events
where source = $source
