-- csv_rejects_to_rejected_rows
-- Moves the lines DuckDB's CSV reader could not split into fields (too many or too few
-- columns, broken quotes, invalid text) into rejected_rows, with DuckDB's own explanation.
-- The reader logs one error per missing column; each line is one rejected row, explained
-- by its first error.
-- Params: $import_id, $source, $file_name
insert into rejected_rows
with first_errors as (
    select
        e.line,
        -- The line-size error names no column (NULL), which arg_min would pass over.
        arg_min(e.error_type, coalesce(e.column_idx, -1)) as error_type,
        arg_min(e.error_message, coalesce(e.column_idx, -1)) as error_message,
        -- In a CRLF file the reader's copy of the line starts with the previous line's '\n'.
        ltrim(arg_min(e.csv_line, coalesce(e.column_idx, -1)), chr(13) || chr(10)) as raw_text
    from csv_rejects as e
    group by e.line
)
select
    $import_id,
    $source,
    $file_name,
    line,
    'malformed_line',
    'malformed line (' || lower(error_type) || '): ' || error_message
        -- An unclosed quote makes one record of the lines after it: say how many it took.
        || case when rtrim(raw_text, chr(13) || chr(10)) like '%' || chr(10) || '%'
            then ' It runs over ' || (length(rtrim(raw_text, chr(13) || chr(10)))
                                      - length(replace(rtrim(raw_text, chr(13) || chr(10)), chr(10), '')) + 1)
                 || ' lines of the file, which are not imported either: fix the quote and import it again.'
            else '' end
        -- A line the header's delimiter does not split at all.
        || case when regexp_matches(error_message, 'Found: 1$')
            then '. The line reads as one value: are its values separated by another character than the header''s?'
            else '' end,
    raw_text
from first_errors
