-- apply_requests
-- Writes the classified winners: replaced rows are deleted, then new and updated rows inserted.
-- Params: $source, $import_id
delete from requests
using winners as w
where requests.source = $source
  and requests.request_id = w.request_id
  and w.outcome = 'updated';

insert into requests by name
select
    $source as source, s.request_id, s.created_at, s.first_response_at, s.resolved_at, s.closed_at,
    s.due_at, s.updated_at, s.status, s.status_raw, s.priority, s.priority_raw,
    s.requester_type, s.requester_id, s.requester_department, s.requester_org,
    s.provider_department, s.provider_type, s.agent, s.channel, s.channel_raw, s.category,
    s.subcategory, s.subject, s.reopen_count, s.reassignment_count, $import_id as import_id,
    w.row_hash
from staged as s
join (select record_no, row_hash from winners where outcome in ('inserted', 'updated')) as w
    using (record_no)
