-- staged_view_with_lines
-- As staged_view, for a file with malformed lines: each record's line comes from
-- record_lines (line_numbers), since the skipped lines shift the records after them.
-- Params: none
create temp view staged as
select l.record_no, l.line, s.*
from staged_rows as s
join record_lines as l on l.record_no = s.rowid - (select min(rowid) from staged_rows) + 1
