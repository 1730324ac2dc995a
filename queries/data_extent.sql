-- data_extent
-- Returns: one row: n_requests, n_sources, first_created_at, last_created_at, and data_as_of =
--          the newest instant any request mentions (its export moment, in effect); NULLs when empty.
-- Params: none
select
    count(*) as n_requests,
    count(distinct source) as n_sources,
    min(created_at) as first_created_at,
    max(created_at) as last_created_at,
    max(greatest(
        created_at,
        coalesce(updated_at, created_at),
        coalesce(first_response_at, created_at),
        coalesce(resolved_at, created_at),
        coalesce(closed_at, created_at)
    )) as data_as_of
from requests
