-- import_span
-- Returns: one row, first_at and last_at: when the requests one import wrote were created, or,
--   for a survey import, when its answers were submitted (both NULL when it wrote neither), so
--   that the import form can say which weeks to pick to see them.
-- Params: $import_id INTEGER
with written as (
    select created_at as written_at from requests where import_id = $import_id
    union all
    select submitted_at from feedback where import_id = $import_id
)
select min(written_at) as first_at, max(written_at) as last_at
from written
