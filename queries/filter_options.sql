-- filter_options
-- Returns: one row per (field, value) the sidebar filters can offer, with how many requests
--          carry it: field VARCHAR, value VARCHAR, n_requests BIGINT. Most common first.
-- Params: none
with requests_in_store as (
    select requester_department, provider_department, provider_type, priority, channel
    from requests
),
final as (
    unpivot requests_in_store
    on requester_department, provider_department, provider_type, priority, channel
    into name field value value
)
select field, value, count(*) as n_requests
from final
group by field, value
order by field, n_requests desc, value
