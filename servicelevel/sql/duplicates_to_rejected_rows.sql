-- duplicates_to_rejected_rows
-- In a snapshot export (one row per request) a request id on several lines is a defect of
-- the export: every line but the latest state is rejected, naming the line that was kept. Its
-- fields are kept as read (canonical names, parsed values; the file's own spellings of status,
-- priority and channel are among them): the file's text of a valid row is not kept while
-- reading, which would cost a JSON object per row of every import.
-- Params: $import_id, $source, $file_name
insert into rejected_rows
select
    $import_id,
    $source,
    $file_name,
    r.line,
    'duplicate_request_id',
    printf('request id %s appears on line %d too, which holds its latest state and was kept',
           r.request_id, r.kept_line),
    to_json(fields)::varchar
from ranked as r,
lateral (
    select * exclude (record_no, line, reason, detail, raw) from staged where staged.record_no = r.record_no
) as fields
where r.rank_in_file > 1
