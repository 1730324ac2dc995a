-- apply_feedback
-- Writes classified survey answers: updated answers replace the survey source's stored ones.
-- Params: $survey_source, $import_id
delete from feedback
using feedback_outcomes as o
where o.outcome = 'updated'
  and feedback.survey_source = $survey_source
  and feedback.request_id = o.request_id
  and feedback.submitted_at = o.submitted_at;

insert into feedback
select request_source, request_id, submitted_at, score_raw, scale, score, comment, language,
       $survey_source, $import_id, row_hash
from feedback_outcomes
where outcome in ('inserted', 'updated')
