-- classify_requests
-- Each file's latest state per request against what the database holds:
-- inserted (new id), unchanged (same content), superseded (the database holds a newer
-- updated_at), updated (otherwise: newer, or no updated_at to compare, so import order wins).
-- Only the key, hash and outcome are kept: apply_requests reads the rows from staged again.
-- Params: $source
create or replace temp table winners as
with latest as (
    select *
    from staged
    where reason is null
      and record_no not in (select record_no from ranked where rank_in_file > 1)
),
hashed as (
    select
        *,
        hash(
            created_at, first_response_at, resolved_at, closed_at, due_at, updated_at,
            status, status_raw, priority, priority_raw, requester_type, requester_id,
            requester_department, requester_org, provider_department, provider_type, agent,
            channel, channel_raw, category, subcategory, subject, reopen_count, reassignment_count
        ) as row_hash
    from latest
)
select
    h.record_no,
    h.request_id,
    h.row_hash,
    case
        when e.request_id is null then 'inserted'
        when e.row_hash = h.row_hash then 'unchanged'
        when e.updated_at > h.updated_at then 'superseded'
        else 'updated'
    end as outcome
from hashed as h
left join requests as e
    on e.source = $source and e.request_id = h.request_id
