-- classify_feedback
-- Survey answers keyed by (request source, request id, submitted_at): a repeated key within
-- the file keeps the later line (the earlier is superseded); against the database an answer
-- is inserted, unchanged (same content) or updated (score or comment changed).
-- Params: $request_source (empty = find the request's source by its id)
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
             when m.n_sources = 1 then m.only_source end as request_source,
        hash(s.score_raw, s.scale, s.score, s.comment, s.language) as row_hash,
        row_number() over (
            partition by s.request_id, s.submitted_at order by s.record_no desc
        ) as copy_in_file
    from staged as s
    left join sources_by_id as m using (request_id)
    where s.reason is null
)
select
    v.*,
    case
        when v.copy_in_file > 1 then 'superseded'
        when e.request_id is null then 'inserted'
        when e.row_hash = v.row_hash then 'unchanged'
        else 'updated'
    end as outcome
from valid as v
left join feedback as e
    on e.request_source is not distinct from v.request_source
    and e.request_id = v.request_id
    and e.submitted_at = v.submitted_at
