-- sources_in_scope
-- Returns: source, one row per source holding requests the shared filters keep, in any period:
--   the sources whose missing fields (source_fields) can leave a gap in a page's numbers. Internal
--   requesters only, say, leave out a source of external tickets and what it lacks.
-- Params: the shared filters ($requester_type, $requester_departments, $provider_departments,
--   $provider_types, $priorities, $channels).
select distinct source
from filtered_request_facts(
    $requester_type, $requester_departments, $provider_departments,
    $provider_types, $priorities, $channels
)
order by source
