-- apply_requests
-- Writes the classified winners: replaced rows are deleted, then new and updated rows inserted.
-- Params: $source, $import_id
delete from requests
using winners as w
where requests.source = $source
  and requests.request_id = w.request_id
  and w.outcome = 'updated';

insert into requests
select
    $source, request_id, created_at, first_response_at, resolved_at, closed_at, due_at,
    updated_at, status, status_raw, priority, priority_raw, requester_type, requester_id,
    requester_department, requester_org, provider_department, provider_type, agent, channel,
    channel_raw, category, subcategory, subject, reopen_count, reassignment_count,
    $import_id, row_hash
from winners
where outcome in ('inserted', 'updated')
