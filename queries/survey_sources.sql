-- survey_sources
-- Returns: one row per survey source (the source a survey export was imported under):
--   survey_source, n_answers, n_linked (answers whose request is loaded), first_submitted_at,
--   newest_at (its newest answer: how fresh the CSAT numbers are), last_import_at, n_imports.
-- Params: none
with per_source as (
    select
        f.survey_source,
        count(*) as n_answers,
        count(r.request_id) as n_linked,
        min(f.submitted_at) as first_submitted_at,
        max(f.submitted_at) as newest_at
    from feedback as f
    left join requests as r
        on r.source = f.request_source and r.request_id = f.request_id
    group by f.survey_source
),
loads as (
    select source as survey_source, max(finished_at) as last_import_at, count(*) as n_imports
    from imports
    where status = 'ok' and kind = 'feedback'
    group by source
),
final as (
    select p.*, l.last_import_at, l.n_imports
    from per_source as p
    left join loads as l using (survey_source)
)
select * from final
order by survey_source
