-- apply_requests
-- Writes the file's latest rows: new requests as the file has them (the latest rows
-- classify_requests found nothing stored for); updated ones merged with what is stored
-- (classify_requests' merged_rows: the fields the file lacks keep their values), written beside
-- the stored rows, which are then deleted (requests has no key to update on, and merged_rows
-- reads the stored rows while the new ones are written).
-- Params: $source, $import_id, $absent (VARCHAR[]: the fields the file lacks)
insert into requests by name
select
    $source as source, s.request_id, s.created_at, s.first_response_at, s.resolved_at, s.closed_at,
    s.due_at, s.updated_at, s.status, s.status_raw, s.priority, s.priority_raw,
    s.requester_type, s.requester_id, s.requester_department, s.requester_org,
    s.provider_department, s.provider_type, s.agent, s.channel, s.channel_raw, s.category,
    s.subcategory, s.subject, s.reopen_count, s.reassignment_count, $import_id as import_id,
    content_hash(s) as row_hash
from staged as s
where s.reason is null
  and s.record_no not in (select record_no from ranked where rank_in_file > 1)
  and s.record_no not in (select record_no from winners);

insert into requests by name
select
    $source as source,
    m.* exclude (record_no, is_stored, stored_hash, stored_updated_at, given_updated_at, stored_import_id),
    $import_id as import_id, w.row_hash
from merged_rows($source, $absent) as m
join (select record_no, row_hash from winners where outcome = 'updated') as w
    using (record_no);

delete from requests
using winners as w
where requests.source = $source
  and requests.request_id = w.request_id
  and w.outcome = 'updated'
  and requests.import_id <> $import_id
