-- csv_rejects_to_rejected_rows
-- Moves the lines DuckDB's CSV reader could not split into fields (too many or too few
-- columns, broken quotes, invalid text) into rejected_rows, with DuckDB's own explanation.
-- The reader logs one error per missing column; each line is one rejected row, explained
-- by its first error.
-- Params: $import_id, $source, $file_name
insert into rejected_rows
select
    $import_id,
    $source,
    $file_name,
    e.line,
    'malformed_line',
    'malformed line (' || lower(arg_min(e.error_type, e.column_idx)) || '): '
        || arg_min(e.error_message, e.column_idx),
    -- In a CRLF file the reader's copy of the line starts with the previous line's '\n'.
    ltrim(arg_min(e.csv_line, e.column_idx), chr(13) || chr(10))
from csv_rejects as e
group by e.line
