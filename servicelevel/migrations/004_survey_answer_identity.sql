-- Schema version 4: a survey answer is identified by (survey source, request id, submitted_at);
-- the request source it is linked to may change. Before, the request source was part of the
-- key, so importing a survey again under a corrected --request-source stored its answers twice.
-- Such copies are folded here: the latest import's copy is kept, as a re-import would have done.
-- (The pages' tables count answers again on the next start.)
delete from feedback
where rowid in (
    select rowid
    from (
        select
            rowid,
            row_number() over (
                partition by survey_source, request_id, submitted_at order by import_id desc
            ) as copy_no
        from feedback
    )
    where copy_no > 1
);
