-- rank_in_file
-- Valid staged rows, ranked within their key: rank 1 is the latest state in this file
-- (newest updated_at, then the later line). Works for requests and event logs.
create or replace temp table ranked as
select
    s.*,
    row_number() over newest_first as rank_in_file,
    first_value(line) over newest_first as kept_line
from staged as s
where reason is null
window newest_first as (
    partition by request_id
    order by updated_at desc nulls last, record_no desc
)
