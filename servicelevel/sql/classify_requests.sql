-- classify_requests
-- The file's latest state of each request the database already holds, against the stored one:
-- unchanged (same content), superseded (the database holds a newer updated_at, from another
-- file), updated (otherwise: newer, or no updated_at to compare, so import order wins). A stored
-- row read from this very file (its bytes) is no newer state: the file read again, in another
-- time zone or with another preset, corrects it, although the zone moved every time earlier.
-- The file's other latest rows are new requests, which apply_requests inserts as they are: they
-- need no comparison, so a file of new requests is hashed once, while it is written.
-- A field the file has no column for ($absent) says nothing about a stored request: it keeps
-- its stored value (merged_rows), so a narrower export of the same requests updates only what
-- it holds, and one holding the same values is unchanged. A file without a requester type keeps
-- the stored department and organisation too (the staging dropped those under the default type).
-- Only the key, hash and outcome are kept: apply_requests reads the rows from staged again.
-- Params: $source, $absent (VARCHAR[]: the fields the file lacks), $file_sha256 (this file's)

-- A request's row_hash: every field a file can bring. r is a whole row (a table's alias).
create or replace temp macro content_hash(r) as hash(
    r.created_at, r.first_response_at, r.resolved_at, r.closed_at, r.due_at, r.updated_at,
    r.status, r.status_raw, r.priority, r.priority_raw, r.requester_type, r.requester_id,
    r.requester_department, r.requester_org, r.provider_department, r.provider_type, r.agent,
    r.channel, r.channel_raw, r.category, r.subcategory, r.subject, r.reopen_count, r.reassignment_count
);

create or replace temp macro kept(is_stored, absent, field_name, stored, given) as
case when is_stored and list_contains(absent, field_name) then stored else given end;

-- The file's latest rows, each merged with its stored request (if any).
create or replace temp macro merged_rows(source_name, absent) as table
with latest as (
    select *
    from staged
    where reason is null
      and record_no not in (select record_no from ranked where rank_in_file > 1)
)
select
    s.record_no,
    s.request_id,
    e.request_id is not null as is_stored,
    e.row_hash as stored_hash,
    e.updated_at as stored_updated_at,
    s.updated_at as given_updated_at,
    e.import_id as stored_import_id,
    kept(is_stored, absent, 'created_at', e.created_at, s.created_at) as created_at,
    kept(is_stored, absent, 'first_response_at', e.first_response_at, s.first_response_at) as first_response_at,
    kept(is_stored, absent, 'resolved_at', e.resolved_at, s.resolved_at) as resolved_at,
    kept(is_stored, absent, 'closed_at', e.closed_at, s.closed_at) as closed_at,
    kept(is_stored, absent, 'due_at', e.due_at, s.due_at) as due_at,
    kept(is_stored, absent, 'updated_at', e.updated_at, s.updated_at) as updated_at,
    kept(is_stored, absent, 'status', e.status, s.status) as status,
    kept(is_stored, absent, 'status', e.status_raw, s.status_raw) as status_raw,
    kept(is_stored, absent, 'priority', e.priority, s.priority) as priority,
    kept(is_stored, absent, 'priority', e.priority_raw, s.priority_raw) as priority_raw,
    kept(is_stored, absent, 'requester_type', e.requester_type, s.requester_type) as requester_type,
    kept(is_stored, absent, 'requester_id', e.requester_id, s.requester_id) as requester_id,
    kept(is_stored, absent, 'requester_department', e.requester_department, s.requester_department)
        as requester_department,
    kept(is_stored, absent, 'requester_org', e.requester_org, s.requester_org) as requester_org,
    kept(is_stored, absent, 'provider_department', e.provider_department, s.provider_department)
        as provider_department,
    kept(is_stored, absent, 'provider_type', e.provider_type, s.provider_type) as provider_type,
    kept(is_stored, absent, 'agent', e.agent, s.agent) as agent,
    kept(is_stored, absent, 'channel', e.channel, s.channel) as channel,
    kept(is_stored, absent, 'channel', e.channel_raw, s.channel_raw) as channel_raw,
    kept(is_stored, absent, 'category', e.category, s.category) as category,
    kept(is_stored, absent, 'subcategory', e.subcategory, s.subcategory) as subcategory,
    kept(is_stored, absent, 'subject', e.subject, s.subject) as subject,
    kept(is_stored, absent, 'reopen_count', e.reopen_count, s.reopen_count) as reopen_count,
    kept(is_stored, absent, 'reassignment_count', e.reassignment_count, s.reassignment_count)
        as reassignment_count
from latest as s
left join requests as e
    on e.source = source_name and e.request_id = s.request_id;

create or replace temp table winners as
select
    record_no,
    request_id,
    content_hash(m) as row_hash,
    case
        when stored_hash = row_hash then 'unchanged'
        when stored_updated_at > given_updated_at
             and stored_import_id not in (select import_id from imports where file_sha256 = $file_sha256)
            then 'superseded'
        else 'updated'
    end as outcome
from merged_rows($source, $absent) as m
where is_stored
