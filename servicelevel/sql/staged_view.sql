-- staged_view
-- Numbers the parsed records of the file being imported. staged_rows was written straight from
-- the reader in file order, so rowids follow the file: record_no counts from the first rowid
-- (inside a transaction a new table's rowids start at a large offset, not at 0); later records
-- win ties. (DuckDB keeps row order through a single-table SELECT and its CTEs, but not through
-- window functions, which parallel threads may return in another order: the staging statement
-- has none.) Numbering while reading, with the reader's ordinality, cost about 80 % more read time.
-- staged: without malformed lines a record's line is record_no + 1 (the header is line 1);
-- staged_view_with_lines replaces it when the reader skipped lines.
-- Params: none
create temp view staged_numbered as
select rowid - (select min(rowid) from staged_rows) + 1 as record_no, *
from staged_rows;

create temp view staged as
select record_no, record_no + 1 as line, * exclude (record_no)
from staged_numbered
