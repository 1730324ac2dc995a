-- rejected_row_counts
-- Returns: one row per source x file x reason among the rejected rows of the latest import of
--   each distinct file (the rows rejected_rows.sql lists, counted instead of listed): source,
--   file_name, reason, n_rows. Ordered by source, file, most rows first.
-- Params: none
with latest_of_each_file as (
    select max(import_id) as import_id
    from imports
    where status = 'ok'
    group by source, coalesce(file_sha256, file_name)
),
final as (
    select
        r.source,
        r.file_name,
        r.reason,
        count(*) as n_rows
    from rejected_rows as r
    where r.import_id in (select import_id from latest_of_each_file)
    group by all
)
select * from final
order by source, file_name, n_rows desc, reason
