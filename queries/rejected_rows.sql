-- rejected_rows
-- Returns: the rejected rows of the latest import of each distinct file (an identical file
--   imported again rejects the same rows; they are listed once): import_id, file_name, source,
--   line, reason, detail, raw. $import_id = 0 means all such imports, else just that one.
-- Params: $import_id INTEGER
with latest_of_each_file as (
    select max(import_id) as import_id
    from imports
    where status = 'ok'
    group by source, coalesce(file_sha256, file_name)
),
final as (
    select r.import_id, r.file_name, r.source, r.line, r.reason, r.detail, r.raw
    from rejected_rows as r
    where ($import_id = 0 and r.import_id in (select import_id from latest_of_each_file))
       or r.import_id = $import_id
)
select * from final
order by import_id desc, line
