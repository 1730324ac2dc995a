-- data_extent
-- Returns: one row: n_requests, n_sources, first_created_at, last_created_at, and data_as_of =
--          the newest instant any request mentions (its export moment, in effect); NULLs when empty.
-- Params: none
select
    count(*) as n_requests,
    count(distinct source) as n_sources,
    min(created_at) as first_created_at,
    max(created_at) as last_created_at,
    max(mentioned_at(created_at, updated_at, first_response_at, resolved_at, closed_at)) as data_as_of
from requests
