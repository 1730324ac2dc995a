-- staged_to_rejected_rows
-- Rows that failed a validation rule go to rejected_rows with their reason and raw fields.
-- Params: $import_id, $source, $file_name
insert into rejected_rows
select $import_id, $source, $file_name, line, reason, detail, raw
from staged
where reason is not null
