-- Schema version 5: a request remembers whether it has any status change, so the SLA refresh
-- looks for pauses only in the histories that exist: requests from an export without events
-- (or with none of their own) skip that join. servicelevel/sql/key_requests.sql keeps the flag
-- for every request it keys and every request that gains events; NULL means not yet known.
alter table requests add column has_status_history boolean;
update requests set has_status_history = request_key in (
    select request_key from events where kind = 'status_change' and request_key is not null
)
where request_key is not null;
