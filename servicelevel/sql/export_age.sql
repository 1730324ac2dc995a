-- export_age
-- How far the file's data reaches beside the newest data stored (this file's rows written), and
-- how many requests this import wrote are open in it: an export older than the rest leaves
-- those open on every page, judged as of the newest data, until a newer export of them arrives.
-- Returns: one row, file_ends_at, stored_ends_at, n_open_written.
-- Params: $import_id
select
    (select max(mentioned_at(created_at, updated_at, first_response_at, resolved_at, closed_at))
     from staged where reason is null) as file_ends_at,
    (select max(mentioned_at(created_at, updated_at, first_response_at, resolved_at, closed_at))
     from requests) as stored_ends_at,
    (select count(*) from requests
     where import_id = $import_id
       and is_open_at(created_at, coalesce(resolved_at, closed_at), status, timestamptz 'infinity'))
        as n_open_written
