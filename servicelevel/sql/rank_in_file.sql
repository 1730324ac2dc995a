-- rank_in_file
-- Valid staged rows whose request id appears on more than one line of the file, ranked within
-- that id: rank 1 is the latest state in this file (newest updated_at, then the later line).
-- Rows with an id of their own are their own latest state and are not copied here.
create or replace temp table ranked as
with repeated as (
    select request_id
    from staged
    where reason is null
    group by request_id
    having count(*) > 1
)
select
    s.record_no,
    s.line,
    s.request_id,
    row_number() over newest_first as rank_in_file,
    first_value(s.line) over newest_first as kept_line
from staged as s
semi join repeated using (request_id)
where s.reason is null
window newest_first as (
    partition by s.request_id
    order by s.updated_at desc nulls last, s.record_no desc
)
