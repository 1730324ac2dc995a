-- duplicates_to_rejected_rows
-- In a snapshot export (one row per request) a request id on several lines is a defect of
-- the export: every line but the latest state is rejected, naming the line that was kept.
-- Params: $import_id, $source, $file_name
insert into rejected_rows
select
    $import_id,
    $source,
    $file_name,
    line,
    'duplicate_request_id',
    printf('request id %s appears again on line %d, which holds its latest state and was kept',
           request_id, kept_line),
    json_object('request_id', request_id)::varchar
from ranked
where rank_in_file > 1
