-- line_numbers
-- The line a spreadsheet shows (header = line 1) of each parsed record, when the reader passed
-- over lines: the n-th good record sits on the n-th line that was neither malformed (rejected
-- by the reader, which counts them) nor empty (skipped by the reader, which counts them too).
-- Params: $n_lines (records read, good and malformed); $blank_lines (the empty lines, from
--   exports.blank_lines)
create temp table record_lines as
select row_number() over (order by line) as record_no, line
from (
    select range as line from range(2, $n_lines + len($blank_lines) + 2)
    except
    select line from csv_rejects
    except
    select unnest($blank_lines)
)
