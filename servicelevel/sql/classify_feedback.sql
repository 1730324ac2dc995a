-- classify_feedback
-- Survey answers keyed by (survey source, request id, submitted_at), the key a survey export
-- itself repeats: a repeated key within the file keeps the later line (the earlier is
-- superseded); against the survey source's stored answers an answer is inserted, unchanged
-- (same content, same request source) or updated (score, comment or request source changed).
-- The request source is what the answer is linked to, not part of its identity, so importing
-- the survey again under a corrected --request-source moves its answers instead of adding them
-- twice. An answer whose request source cannot be told now keeps the one it was linked to.
-- Params: $request_source (empty = find the request's source by its id), $survey_source
create or replace temp table feedback_outcomes as
with sources_by_id as (
    select request_id, min(source) as only_source, count(distinct source) as n_sources
    from requests
    where request_id in (select request_id from staged)
    group by request_id
),
valid as (
    select
        s.*,
        case when $request_source <> '' then $request_source
             when m.n_sources = 1 then m.only_source end as found_source,
        hash(s.score_raw, s.scale, s.score, s.comment, s.language) as row_hash,
        row_number() over (
            partition by s.request_id, s.submitted_at order by s.record_no desc
        ) as copy_in_file
    from staged as s
    left join sources_by_id as m using (request_id)
    where s.reason is null
),
stored as (
    select request_id, submitted_at, request_source, row_hash
    from feedback
    where survey_source = $survey_source
)
select
    v.* exclude (found_source),
    coalesce(v.found_source, e.request_source) as request_source,
    case
        when v.copy_in_file > 1 then 'superseded'
        when e.request_id is null then 'inserted'
        when e.row_hash = v.row_hash
             and e.request_source is not distinct from coalesce(v.found_source, e.request_source)
            then 'unchanged'
        else 'updated'
    end as outcome
from valid as v
left join stored as e
    on e.request_id = v.request_id
    and e.submitted_at = v.submitted_at
