-- filtered_total
-- Returns: one row: n_requests, the requests of the whole data (any period) the shared filters
--   keep. None kept means the filters match nothing together, whatever the period: the pages
--   then say so once (weekly.filters_matching_nothing) instead of once per section.
-- Params: the shared filters.
select count(*) as n_requests
from filtered_requests(
    $requester_type, $requester_departments, $provider_departments,
    $provider_types, $priorities, $channels
)
