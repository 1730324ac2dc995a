-- line_numbers
-- The line a spreadsheet shows (header = line 1) of each parsed record, when malformed lines
-- were skipped by the reader: the n-th good record sits on the n-th line that was not rejected.
-- Params: $n_lines (records read, good and malformed)
create temp table record_lines as
select row_number() over (order by line) as record_no, line
from (
    select range as line from range(2, $n_lines + 2)
    except
    select line from csv_rejects
)
