-- count_pauses
-- Counts each request's pauses: its status changes into a paused status. A request with exactly
-- one also keeps that pause's start and the instant of its next status change (NULL while it is
-- still in it), so the SLA refresh reads it on the request's own row; requests with more go
-- through the events (sla_request_sla.sql). Counts the requests in pause_scope (left by
-- key_requests.sql: just keyed, or gaining events), or every request when $recount_all (the
-- paused statuses changed, or the counts were never made). Run after key_requests.sql, whose
-- next_status_at it reads; drops pause_scope.
-- Params: $paused_statuses VARCHAR[]; $recount_all BOOLEAN
update requests set
    pause_count = p.pause_count,
    only_pause_at = p.only_pause_at,
    only_pause_until = p.only_pause_until
from (
    select
        r.request_key,
        count(e.request_key) as pause_count,
        case when count(e.request_key) = 1 then any_value(e.event_at) end as only_pause_at,
        case when count(e.request_key) = 1 then any_value(e.next_status_at) end as only_pause_until
    from (
        select request_key from pause_scope where not $recount_all
        union all
        select request_key from requests where $recount_all and request_key is not null
    ) as r
    left join events as e
        on e.request_key = r.request_key
        and e.kind = 'status_change'
        and list_contains($paused_statuses, e.to_status)
    group by r.request_key
) as p
where requests.request_key = p.request_key;

drop table pause_scope
