-- csv_rejects_to_rejected_rows
-- Moves the lines DuckDB's CSV reader could not split into fields (too many or too few
-- columns, broken quotes, invalid text) into rejected_rows, with DuckDB's own explanation.
-- Params: $import_id, $source, $file_name
insert into rejected_rows
select
    $import_id,
    $source,
    $file_name,
    e.line,
    'malformed_line',
    'malformed line (' || lower(e.error_type) || '): ' || e.error_message,
    e.csv_line
from csv_rejects as e
