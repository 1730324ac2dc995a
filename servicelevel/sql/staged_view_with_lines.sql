-- staged_view_with_lines
-- As staged_view, for a file with malformed or empty lines: each record's line comes from
-- record_lines (line_numbers), since the lines the reader passed over shift the records after them.
-- Params: none
create or replace temp view staged as
select n.record_no, l.line, n.* exclude (record_no)
from staged_numbered as n
join record_lines as l using (record_no)
